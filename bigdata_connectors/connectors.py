"""The connector operations (``client.connectors``) and the sync helpers built on them.

No aiohttp and no sleeping here: requests go through the HTTP layer, waiting through ``_polling``.
"""

from __future__ import annotations

import asyncio
import builtins
import enum
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypeVar
from uuid import UUID

import pydantic

from bigdata_connectors._apply import ApplyReport, OutcomeCallback, apply_plan
from bigdata_connectors._connectors_file import ConnectorsFile
from bigdata_connectors._desired import ConnectorSpec
from bigdata_connectors._ensure import DEFAULT_CONSISTENCY_TIMEOUT
from bigdata_connectors._ensure import Memory as EnsureMemory
from bigdata_connectors._ensure import ensure as ensure_connector
from bigdata_connectors._errors import SyncNotSupportedError
from bigdata_connectors._generated.models import (
    Connector,
    ConnectorCreatePayload,
    ConnectorList,
    ConnectorSyncRequest,
    ConnectorSyncResponse,
    ConnectorUpdatePayload,
    EmailConnectorConfig,
    EmailConnectorResponseConfig,
    InvestmentResearchConnectorConfig,
    SharepointConnectorConfig,
)
from bigdata_connectors._http import HTTPTransport
from bigdata_connectors._plan import Plan, make_plan
from bigdata_connectors._polling import ProgressCallback, check_wait_args, wait_until_synced
from bigdata_connectors._redact import masked_validation_error

__all__ = ["ConnectorsService", "SyncOutcome"]

_COLLECTION = "/contents/v1/connectors"

ConnectorId = str | UUID
ConnectorTypeName = Literal["email", "investment_research", "sharepoint"]
CreateConfig = EmailConnectorConfig | InvestmentResearchConnectorConfig | SharepointConnectorConfig | Mapping[str, Any]
DEFAULT_SYNC_TIMEOUT = 1800.0  # seconds
DEFAULT_POLL_INTERVAL = 2.0  # seconds
DEFAULT_MAX_POLL_INTERVAL = 30.0  # seconds


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _connector_path(connector_id: ConnectorId) -> str:
    """The connector's URL path; a non-UUID id fails here, before anything is sent."""
    if isinstance(connector_id, str) and _CANONICAL_UUID.fullmatch(connector_id):
        return f"{_COLLECTION}/{connector_id}"  # the common case, without a UUID round trip
    if not isinstance(connector_id, UUID):
        try:
            connector_id = UUID(str(connector_id))
        except ValueError:
            raise ValueError(f"connector_id must be a UUID, got {connector_id!r}") from None
    return f"{_COLLECTION}/{connector_id}"


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"date_limit must be a date or an ISO date string (YYYY-MM-DD), got {value!r}") from None


def _config_data(config: Any) -> Any:
    return dict(config) if isinstance(config, Mapping) else config


_PayloadT = TypeVar("_PayloadT", bound=pydantic.BaseModel)


def _payload(model: type[_PayloadT], data: Any) -> _PayloadT:
    """``model`` validated from the caller's ``data``, before anything is sent.

    Raises pydantic.ValidationError (a ValueError) naming each field at fault, with none of the
    caller's values in it (a misspelled key may hold a password): see ``_redact``.
    """
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as err:
        masked = masked_validation_error(err)
    raise masked  # outside the except block: the unmasked error must not ride along as __context__


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """The result of one connector in ``sync_many``: ``connector`` on success, else ``error``."""

    connector_id: str
    connector: Connector | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class ConnectorsService:
    """``client.connectors``: every connector operation of the API, plus sync helpers."""

    def __init__(self, transport: HTTPTransport) -> None:
        self._http = transport
        self._ensured = EnsureMemory()

    # ------------------------------------------------------------------ the six operations

    async def list(self) -> builtins.list[Connector]:
        """``GET /contents/v1/connectors``: every connector the key can access (no paging).

        Returns a list of Connector. Raises AuthenticationError, APIStatusError, APIConnectionError,
        APITimeoutError, ResponseValidationError.
        """
        page = await self._http.request("GET", _COLLECTION, ConnectorList)
        return page.results

    async def get(self, connector_id: ConnectorId) -> Connector:
        """``GET /contents/v1/connectors/{connector_id}``: one connector (credentials never included).

        Raises ValueError (id not a UUID, nothing sent), NotFoundError, BadRequestError,
        AuthenticationError, APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        return await self._http.request("GET", _connector_path(connector_id), Connector)

    async def create(
        self,
        *,
        type: ConnectorTypeName,
        label: str,
        config: CreateConfig | None,
        description: str | None = None,
        share_with_org: bool = False,
    ) -> Connector:
        """``POST /contents/v1/connectors``: register a connector; returns it as created.

        ``config`` must fit ``type``: EmailConnectorConfig (or None) for email,
        InvestmentResearchConnectorConfig (user_id, user_password) for investment_research,
        SharepointConnectorConfig (session_id) for sharepoint; a plain mapping works too. An
        email connector's inbox address is in ``result.config.email``.

        Not idempotent, so retried only when the request provably never reached the server (the
        connection could not be opened) or the server answered 429. After a timeout, a dropped
        connection or a 5xx, this raises even though the connector may have been created: check
        with ``list()`` (match on ``label``) before creating again.

        Raises pydantic.ValidationError (a ValueError: payload does not fit the type, or a value of the
        wrong type such as ``share_with_org="yes"``; nothing sent; it names the field, never a value),
        BadRequestError, AuthenticationError, RateLimitError, InternalServerError,
        APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        fields: dict[str, Any] = {"type": type, "label": label, "config": _config_data(config)}
        fields["share_with_org"] = share_with_org
        if description is not None:
            fields["description"] = description
        payload = _payload(ConnectorCreatePayload, fields)
        return await self._http.request("POST", _COLLECTION, Connector, body=payload, idempotent=False)

    async def update(
        self,
        connector_id: ConnectorId,
        *,
        label: str | _Unset = UNSET,
        description: str | _Unset = UNSET,
        share_with_org: bool | _Unset = UNSET,
        config: EmailConnectorConfig | Mapping[str, Any] | _Unset = UNSET,
    ) -> Connector:
        """Change only what you pass: ``GET`` the connector, then ``PUT /contents/v1/connectors/{id}``
        with the merged result; returns the updated connector.

        The API's PUT resets omitted fields (``share_with_org`` to false, ``description`` to ""),
        so this sends every field, taking what you did not pass from the connector as just read.
        Race: a change someone else makes between the GET and the PUT is overwritten.
        ``config`` (allowed_emails) applies to email connectors only; investment_research
        credentials and sharepoint sessions are fixed at creation, so passing ``config`` for one
        raises before the PUT. An email connector's ``email_hash`` (required by the published PUT
        schema) is sent back as read.

        Raises ValueError (bad id, or config for a connector that is not email: the message names
        its type; the PUT is not sent), pydantic.ValidationError (a value of the wrong type, a config
        that is not an email one; nothing sent; it names the field, never a value), NotFoundError, BadRequestError, AuthenticationError,
        APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        path = _connector_path(connector_id)
        given: dict[str, Any] = {
            name: value
            for name, value in (("label", label), ("description", description), ("share_with_org", share_with_org))
            if not isinstance(value, _Unset)
        }
        _payload(ConnectorUpdatePayload, {"label": "", **given})  # wrong types fail here, before the GET
        new_config = None if isinstance(config, _Unset) else _payload(EmailConnectorConfig, _config_data(config))
        current = await self._http.request("GET", path, Connector)
        if new_config is not None and current.type != "email":
            why = {
                "investment_research": "its broker credentials are fixed at creation: create a new connector",
                "sharepoint": "its session is fixed at creation: create a new connector",
            }.get(str(current.type), "only email connectors take a config on update")
            raise ValueError(
                f"config can only be updated on email connectors; connector {current.connector_id} is "
                f"{current.type!r} ({why})"
            )
        read = current.config if isinstance(current.config, EmailConnectorResponseConfig) else None
        if new_config is None and read is not None:
            new_config = EmailConnectorConfig(allowed_emails=read.allowed_emails or [])
        if (
            new_config is not None
            and read is not None
            and read.email_hash
            and "email_hash" not in new_config.model_fields_set
        ):
            # The published schema requires email_hash in the PUT body: send back the value just read.
            new_config = new_config.model_copy(update={"email_hash": read.email_hash})
            new_config.model_fields_set.add("email_hash")
        payload = _payload(
            ConnectorUpdatePayload,
            {
                "label": current.label,
                "description": current.description or "",
                "share_with_org": current.share_with_org,
                **given,
                "config": new_config,
            },
        )
        return await self._http.request("PUT", path, Connector, body=payload)

    async def delete(self, connector_id: ConnectorId, *, force: bool = False) -> Connector | None:
        """``DELETE /contents/v1/connectors/{id}`` (``?force_delete=true`` when ``force``).

        Without ``force``: archives the connector (idempotent) and returns it, archived. With
        ``force``: the hard delete (files, then the connector) runs asynchronously on the server;
        returns the connector if the API sent it back, else None. A force delete retried after an
        attempt that may have reached the server (a timeout, a dropped connection, a 5xx) and then
        answered 404 returns None: the first attempt deleted it and lost its answer, and the
        connector is gone as asked. A 404 on the first attempt still raises NotFoundError.

        Raises ValueError (bad id; nothing sent), NotFoundError, BadRequestError,
        AuthenticationError, APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        params = {"force_delete": "true"} if force else None
        return await self._http.request(
            "DELETE", _connector_path(connector_id), Connector, params=params, allow_empty=force, gone_is_done=force
        )

    async def trigger_sync(
        self, connector_id: ConnectorId, *, date_limit: date | str | None = None
    ) -> ConnectorSyncResponse:
        """``POST /contents/v1/connectors/{id}/sync``: queue a sync; returns the acknowledgement
        (``status`` "accepted"). The body is ``{"date_limit": "YYYY-MM-DD"}`` (investment_research
        needs it) or ``{}`` (sharepoint). To wait for the outcome use ``sync_and_wait``.

        Retried like any idempotent call: re-queuing a sync is harmless.
        Raises ValueError (bad id or date; nothing sent), BadRequestError (e.g. an email connector),
        NotFoundError, AuthenticationError, APIConnectionError, APITimeoutError,
        ResponseValidationError.
        """
        body = ConnectorSyncRequest() if date_limit is None else ConnectorSyncRequest(date_limit=_as_date(date_limit))
        return await self._http.request(
            "POST", _connector_path(connector_id) + "/sync", ConnectorSyncResponse, body=body
        )

    # ------------------------------------------------------------------ connectors as code

    async def ensure(
        self,
        *,
        type: ConnectorTypeName,
        label: str,
        config: CreateConfig | None,
        description: str | None = None,
        share_with_org: bool = False,
        consistency_timeout: float = DEFAULT_CONSISTENCY_TIMEOUT,
    ) -> Connector:
        """Make sure exactly one live connector of ``type`` is labelled ``label``, in this state; return it.

        The arguments are the whole declared state, as for ``create`` (``description=None`` means empty).
        Sends ``GET /contents/v1/connectors``, then: if one live (not archived) connector has the label and
        type, ``update`` with only what differs (nothing is sent when nothing does); if none,
        ``POST /contents/v1/connectors``. After an ambiguous create failure (5xx, dropped connection,
        timeout) the label is looked up again for at least ``consistency_timeout`` seconds (the list is
        eventually consistent); the connector is returned if it appeared, and created again (up to 3 creates)
        only if every lookup until then succeeded without it. Every error leaves calling ``ensure`` again safe.
        Calls of one client for one label and type run one at a time, and a connector this client made is
        found by id (``GET``) while the list does not show it yet.

        Raises ValueError (config does not fit type; nothing sent), AmbiguousLabelError (several carry the
        label; nothing changed), ReplacementRequiredError (a different broker user_id: credentials are fixed
        at creation; nothing changed), CreateOutcomeUnknownError (the answer was lost and the lookups failed),
        and the API errors of ``list``, ``create`` and ``update``.
        """
        spec = ConnectorSpec.from_create_args(
            type=type, label=label, config=config, description=description, share_with_org=share_with_org
        )
        if consistency_timeout < 0:
            raise ValueError("consistency_timeout must be >= 0 (seconds)")
        return await ensure_connector(
            self, spec, sleep=self._http.sleep, consistency_timeout=consistency_timeout, memory=self._ensured
        )

    async def plan(
        self,
        source: ConnectorsFile | str | os.PathLike[str],
        *,
        prune: bool = False,
        replace: Iterable[str] = (),
        environ: Mapping[str, str] | None = None,
    ) -> Plan:
        """What it takes to bring the account to a connectors file; changes nothing.

        ``source`` is a path or a ``ConnectorsFile`` (``ConnectorsFile.parse(text)`` for text); its
        ``*_env`` secrets come from ``environ`` (default ``os.environ``). Loads and validates the file
        first (nothing is sent if it is invalid), then sends ``GET /contents/v1/connectors``. ``prune``
        plans archiving every live connector the file does not declare; ``replace`` lists labels to
        replace even though nothing visible differs (e.g. a rotated broker password, which the API never
        returns). Returns a Plan: ``print(plan)`` shows the diff, ``plan.to_json()`` the same as data.

        Raises ConnectorsFileError (invalid file, or a variable not set), ImportError (PyYAML missing:
        ``pip install 'bigdata-connectors[yaml]'``), ValueError (``replace`` names an undeclared label),
        AmbiguousLabelError, and the errors of ``list``.
        """
        declared = source if isinstance(source, ConnectorsFile) else ConnectorsFile.read(source, environ=environ)
        replace = [replace] if isinstance(replace, str) else builtins.list(replace)  # one label, not its letters
        return make_plan(declared, await self.list(), prune=prune, replace=replace)

    async def apply(
        self,
        plan: Plan,
        *,
        on_outcome: OutcomeCallback | None = None,
        consistency_timeout: float = DEFAULT_CONSISTENCY_TIMEOUT,
    ) -> ApplyReport:
        """Carry out ``plan``: creates, updates, replacements (archive the old, then create), then archives;
        each through ``ensure`` (so applying the same plan twice changes nothing the second time). Archives
        are skipped if an earlier action failed. ``on_outcome`` (plain or async) gets each ActionOutcome as
        it ends. ``consistency_timeout`` (seconds) as for ``ensure``.

        Returns an ApplyReport (``report.ok``; ``print(report)``); an action's API or ensure error is in
        its outcome, not raised. Sends the requests of ``ensure`` and ``delete``; none for an unchanged plan.
        """
        return await apply_plan(
            self,
            plan,
            sleep=self._http.sleep,
            consistency_timeout=consistency_timeout,
            on_outcome=on_outcome,
            memory=self._ensured,
        )

    # ------------------------------------------------------------------ sync helpers

    async def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | str | None = None,
        timeout: float = DEFAULT_SYNC_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: ProgressCallback | None = None,
    ) -> Connector:
        """Trigger one sync and wait until it finishes; returns the connector after a successful sync.

        Sends ``GET /contents/v1/connectors/{id}`` (baseline ``last_sync_at`` and type), one
        ``POST .../sync``, then ``GET`` polls: the first at once, then every ``poll_interval``
        seconds growing x1.5 to ``max_poll_interval``. ``timeout`` (seconds) is the whole wait,
        trigger included. ``date_limit`` (a date or "YYYY-MM-DD") is required for
        investment_research and refused for sharepoint. ``on_progress`` (plain or async) gets a
        SyncProgress per poll. Cancelling the awaiting task stops at once.

        Raises SyncNotSupportedError (email connector; nothing triggered), ValueError (missing or
        unexpected date_limit), SyncFailedError, SyncTimeoutError (the sync keeps running on the
        server; ``.connector`` is the last state seen), NotFoundError (also if the connector
        disappears mid-wait), and the errors of ``get``/``trigger_sync``.
        """
        return await self._sync_and_wait(
            connector_id, date_limit, timeout, poll_interval, max_poll_interval, on_progress, lenient_date=False
        )

    async def _sync_and_wait(
        self,
        connector_id: ConnectorId,
        date_limit: date | str | None,
        timeout: float,
        poll_interval: float,
        max_poll_interval: float,
        on_progress: ProgressCallback | None,
        *,
        lenient_date: bool,
    ) -> Connector:
        check_wait_args(timeout, poll_interval, max_poll_interval)
        started = self._http.clock()
        path = _connector_path(connector_id)
        before = await self._http.request("GET", path, Connector, deadline=started + timeout)
        if before.type == "email":
            raise SyncNotSupportedError(
                f"connector {before.connector_id} is an email connector: it ingests forwarded mail and cannot be synced"
            )
        if before.type == "investment_research" and date_limit is None:
            raise ValueError("investment_research connectors need date_limit (a date or 'YYYY-MM-DD') to sync")
        if before.type == "sharepoint" and date_limit is not None:
            if not lenient_date:
                raise ValueError("sharepoint connectors sync with an empty body: do not pass date_limit")
            date_limit = None
        body = ConnectorSyncRequest() if date_limit is None else ConnectorSyncRequest(date_limit=_as_date(date_limit))
        await self._http.request("POST", path + "/sync", ConnectorSyncResponse, body=body, deadline=started + timeout)
        return await self._wait(
            path, before.last_sync_at, timeout, poll_interval, max_poll_interval, on_progress, started
        )

    async def wait_for_sync(
        self,
        connector_id: ConnectorId,
        *,
        after: datetime | None = None,
        timeout: float = DEFAULT_SYNC_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: ProgressCallback | None = None,
    ) -> Connector:
        """Wait for a sync started elsewhere; returns the connector once it has succeeded.

        Polls ``GET /contents/v1/connectors/{id}`` as ``sync_and_wait`` does, never triggering.
        A sync that finished at or before ``after`` (an aware datetime, compared with the server's
        ``last_sync_at``) does not count; with ``after=None`` any finished sync does.
        ``timeout`` and the intervals are in seconds.

        Raises SyncFailedError, SyncTimeoutError, NotFoundError, and the errors of ``get``.
        """
        if after is not None and after.tzinfo is None:
            raise ValueError("after must be timezone-aware (the API's timestamps are)")
        path = _connector_path(connector_id)
        return await self._wait(path, after, timeout, poll_interval, max_poll_interval, on_progress, None)

    async def _wait(
        self,
        path: str,
        baseline: datetime | None,
        timeout: float,
        poll_interval: float,
        max_poll_interval: float,
        on_progress: ProgressCallback | None,
        started: float | None,
    ) -> Connector:
        async def fetch(deadline: float) -> Connector:
            return await self._http.request("GET", path, Connector, deadline=deadline)

        return await wait_until_synced(
            fetch,
            baseline=baseline,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
            clock=self._http.clock,
            sleep=self._http.sleep,
            started=started,
        )

    async def sync_many(
        self,
        connector_ids: Iterable[ConnectorId],
        *,
        date_limit: date | str | None = None,
        concurrency: int = 10,
        timeout: float = DEFAULT_SYNC_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: ProgressCallback | None = None,
    ) -> Sequence[SyncOutcome]:
        """``sync_and_wait`` for many connectors, at most ``concurrency`` at once.

        Returns one SyncOutcome per id, in input order: the connector, or the exception that one
        ended with; one failure does not stop the others. ``date_limit`` goes to the connectors
        that take one (investment_research) and is left out for sharepoint. ``timeout`` (seconds)
        applies to each connector's sync from when it starts. Cancelling cancels every sync wait.
        """
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        ids = [str(i) for i in connector_ids]
        gate = asyncio.Semaphore(concurrency)

        async def one(connector_id: str) -> SyncOutcome:
            async with gate:
                try:
                    connector = await self._sync_and_wait(
                        connector_id,
                        date_limit,
                        timeout,
                        poll_interval,
                        max_poll_interval,
                        on_progress,
                        lenient_date=True,
                    )
                except Exception as err:
                    return SyncOutcome(connector_id, error=err)
                return SyncOutcome(connector_id, connector=connector)

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(i)) for i in ids]
        return [task.result() for task in tasks]
