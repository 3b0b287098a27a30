"""``ensure``: bring one connector, keyed by its label and type, to a declared state, with no duplicate and
no orphan after a lost answer.

The API's create is not idempotent and has no idempotency key, so the transport never retries a create
whose request may have reached the server. Here, after such an ambiguous failure (a 5xx, a dropped
connection, a timeout, a 2xx whose body cannot be read), the label is looked up again for at least
``consistency_timeout`` seconds, because the list is eventually consistent: a connector just created may
show there only a moment later. If it appears, it is the one returned; a new create is sent only when
every lookup until then succeeded in not finding it. The window that remains is in DESIGN.md.

No aiohttp here: requests go through the service (``Operations``: create's checks, update's merge), the
look-up after a lost answer through the core's one poll loop (``_poll``) on the client's clock and sleep.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import weakref
from collections.abc import Collection
from typing import Any, Protocol

from bigdata_connectors._as_code.desired import ConnectorSpec, compare
from bigdata_connectors._config import DEFAULT_CONSISTENCY_TIMEOUT
from bigdata_connectors._errors import (
    AmbiguousLabelError,
    APIConnectionError,
    APIError,
    APIStatusError,
    CreateOutcomeUnknownError,
    NotFoundError,
    ReplacementRequiredError,
    ResponseValidationError,
)
from bigdata_connectors._generated.models import Connector
from bigdata_connectors._poll import Expired, growing, poll
from bigdata_connectors._types import Clock, Sleep

__all__ = ["CREATE_ATTEMPTS", "DEFAULT_CONSISTENCY_TIMEOUT", "Memory", "Operations", "ensure_connector", "is_ambiguous"]

logger = logging.getLogger("bigdata_connectors")

CREATE_ATTEMPTS = 3  # creates sent at most, each after the previous one provably made nothing
_FIRST_DELAY = 0.25  # seconds before the second lookup, doubling ...
_MAX_DELAY = 2.0  # ... up to this


class Operations(Protocol):
    """The operations of ``ConnectorsService`` this wing sends through (ensure, plan, apply)."""

    async def list(self) -> builtins.list[Connector]: ...
    async def get(self, *args: Any, **kwargs: Any) -> Connector: ...
    async def create(self, *args: Any, **kwargs: Any) -> Connector: ...
    async def update(self, *args: Any, **kwargs: Any) -> Connector: ...
    async def delete(self, *args: Any, **kwargs: Any) -> Connector | None: ...


Key = tuple[str, str]
_REMEMBERED = 1024  # keys whose connector this client made or adopted, newest kept


class Memory:
    """Per client: the connector each (type, label) resolved to lately, and one lock per key.

    The lock makes concurrent ``ensure`` calls of one client for one key run one after the other. The ids
    close the list's lag for this client: when the list does not show a connector the client made a moment
    ago, a ``GET`` by id (which is not lagging) finds it, so a second ensure adopts it instead of creating.
    """

    def __init__(self) -> None:
        self._ids: dict[Key, str] = {}
        self._locks: weakref.WeakValueDictionary[Key, asyncio.Lock] = weakref.WeakValueDictionary()

    def lock(self, key: Key) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def remember(self, key: Key, connector: Connector) -> None:
        self._ids.pop(key, None)
        self._ids[key] = str(connector.connector_id)
        if len(self._ids) > _REMEMBERED:
            del self._ids[next(iter(self._ids))]

    def recall(self, key: Key) -> str | None:
        return self._ids.get(key)


def is_ambiguous(err: BaseException) -> bool:
    """Whether a failed create may nevertheless have created the connector."""
    if isinstance(err, APIConnectionError):
        return err.request_sent
    if isinstance(err, APIStatusError):
        return err.status_code >= 500 or err.status_code == 408
    return isinstance(err, ResponseValidationError)  # a 2xx: created, but the answer is unreadable


def _matches(connectors: Collection[Connector], spec: ConnectorSpec, exclude: Collection[str]) -> list[Connector]:
    return [
        c
        for c in connectors
        if not c.archived and c.label == spec.label and c.type == spec.type and str(c.connector_id) not in exclude
    ]


async def ensure_connector(
    ops: Operations,
    spec: ConnectorSpec,
    *,
    clock: Clock,
    sleep: Sleep,
    consistency_timeout: float = DEFAULT_CONSISTENCY_TIMEOUT,
    exclude: Collection[str] = (),
    memory: Memory | None = None,
) -> Connector:
    """The live connector labelled ``spec.label`` of ``spec.type``, brought to ``spec``; created if none.

    ``exclude`` holds ids never to adopt (a connector being replaced, whose archiving the list may not show yet).
    ``memory`` (the client's) serialises calls per key and recalls what this client made lately.
    Raises AmbiguousLabelError, ReplacementRequiredError, CreateOutcomeUnknownError, and the API errors
    of list/create/update.
    """
    window = _Window(clock, sleep, consistency_timeout)
    if memory is None:
        return await _ensure(ops, spec, window, exclude, None)
    key = (spec.type, spec.label)
    async with memory.lock(key):
        connector = await _ensure(ops, spec, window, exclude, memory)
        memory.remember(key, connector)
        return connector


class _Window:
    """How long, on which clock, a label is looked up again after a lost create answer."""

    __slots__ = ("clock", "seconds", "sleep")

    def __init__(self, clock: Clock, sleep: Sleep, seconds: float) -> None:
        self.clock, self.sleep, self.seconds = clock, sleep, seconds


async def _ensure(
    ops: Operations, spec: ConnectorSpec, window: _Window, exclude: Collection[str], memory: Memory | None
) -> Connector:
    found = _matches(await ops.list(), spec, exclude)
    if not found and memory is not None:
        found = await _recalled(ops, spec, exclude, memory)
    if len(found) > 1:
        raise AmbiguousLabelError(spec.type, spec.label, found)
    if found:
        return await converge(ops, spec, found[0])
    lost: BaseException | None = None
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            return await ops.create(**spec.create_args())
        except APIError as err:
            if not is_ambiguous(err):
                raise
            lost = err
        logger.warning(
            "create of %r (attempt %d) may have reached the server (%s): looking the label up again",
            spec.label,
            attempt,
            type(lost).__name__,
        )
        appeared = await _look_again(ops, spec, window, exclude, lost)
        if appeared is not None:
            return appeared
    assert lost is not None
    raise lost  # every create provably made nothing (within the consistency window): nothing to clean up


async def _look_again(
    ops: Operations, spec: ConnectorSpec, window: _Window, exclude: Collection[str], lost: BaseException
) -> Connector | None:
    """The connector if a lookup shows it within the window; None only if the last lookup, made at least
    ``window.seconds`` after the failure, succeeded without it. Lookups start at once, then 0.25 s apart,
    doubling to 2 s; a lookup that fails (after the transport's own retries) is outlived until the window ends."""

    async def lookup(_deadline: float | None) -> Connector | None:
        found = _matches(await ops.list(), spec, exclude)
        if len(found) > 1:
            raise AmbiguousLabelError(spec.type, spec.label, found)
        return found[0] if found else None

    try:
        appeared = await poll(
            lookup,
            deadline=window.clock() + window.seconds,
            schedule=growing(_FIRST_DELAY, _MAX_DELAY, factor=2.0),
            clock=window.clock,
            sleep=window.sleep,
            ride_out=True,
            final_look=True,
            what=f"looking up {spec.label!r} again",
        )
    except Expired as gone:
        if gone.failure is not None:
            raise CreateOutcomeUnknownError(spec.label, gone.failure) from lost
        return None
    except (APIStatusError, APIConnectionError, ResponseValidationError) as err:  # no retry would fix this lookup
        raise CreateOutcomeUnknownError(spec.label, err) from lost
    logger.info("create of %r had succeeded: adopting %s", spec.label, appeared.connector_id)
    return await converge(ops, spec, appeared)


async def _recalled(ops: Operations, spec: ConnectorSpec, exclude: Collection[str], memory: Memory) -> list[Connector]:
    """The connector this client last resolved the key to, read by id, if the list does not show it yet."""
    known = memory.recall((spec.type, spec.label))
    if known is None or known in exclude:
        return []
    try:
        connector = await ops.get(known)
    except NotFoundError:
        return []
    return _matches([connector], spec, exclude)


async def converge(ops: Operations, spec: ConnectorSpec, connector: Connector) -> Connector:
    """``connector`` brought to ``spec`` with the least change: nothing sent when nothing differs."""
    comparison = compare(spec, connector)
    if comparison.replace_reasons:
        raise ReplacementRequiredError(connector, comparison.replace_reasons)
    if not comparison.changes:
        return connector
    return await ops.update(str(connector.connector_id), **comparison.update_args())
