"""``client.connectors``: the six connector operations of the API, and the public entries of the two wings.

The operations send through the transport. The sync methods (``start_sync`` ... ``sync_many``) and the
connectors-as-code methods (``ensure``, ``plan``, ``apply``) check every argument here, once, then hand over to
their wing (``_syncs``, ``_as_code``), which loads on the first call that needs it (see ``_lazy``). Names a
signature takes from a wing are written ``_syncs.SyncHandle``: the wing's package resolves them on first read.
"""

from __future__ import annotations

import builtins
import enum
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal, TypeVar, overload
from uuid import UUID

import pydantic

from bigdata_connectors import _as_code, _checks, _generated, _syncs
from bigdata_connectors._checks import CONNECTORS_PATH, connector_path, connector_uuid, parse_date_limit
from bigdata_connectors._config import (
    DEFAULT_CONSISTENCY_TIMEOUT,
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_SYNC_TIMEOUT,
)
from bigdata_connectors._generated.models import (
    Connector,
    ConnectorList,
    ConnectorSyncResponse,
    EmailConnectorResponseConfig,
)
from bigdata_connectors._redact import masked_validation_error
from bigdata_connectors._transport import HTTPTransport, raw_operation
from bigdata_connectors._types import ConnectorId, ConnectorTypeName

__all__ = ["ConnectorsService", "ConnectorsWithRawResponse"]


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET
_PayloadT = TypeVar("_PayloadT", bound=pydantic.BaseModel)


def _config_data(config: Any) -> Any:
    return dict(config) if isinstance(config, Mapping) else config


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


def _connector_ids(connector_ids: Iterable[ConnectorId]) -> list[str]:
    if isinstance(connector_ids, str | bytes | UUID):
        raise TypeError(
            "connector_ids must be an iterable of connector ids (e.g. a list), not a single "
            f"{type(connector_ids).__name__}: for one connector use sync_and_wait, or pass [connector_id]"
        )
    return [str(i) for i in connector_ids]


class ConnectorsService:
    """``client.connectors``: every connector operation of the API, sync helpers, and connectors as code."""

    def __init__(self, transport: HTTPTransport) -> None:
        self._http = transport
        self._ensure_memory: _as_code.Memory | None = None

    @functools.cached_property
    def with_raw_response(self) -> ConnectorsWithRawResponse:
        """The operations below with the same arguments and errors, each returning a RawResponse
        (``status_code``, ``headers``, ``request_id``, ``elapsed`` in seconds, ``parse()``)."""
        return ConnectorsWithRawResponse(self)

    # ------------------------------------------------------------------ the six operations

    async def list(self) -> builtins.list[Connector]:
        """``GET /contents/v1/connectors``: every connector the key can access, archived ones included (no paging).

        Returns a list of Connector. Raises AuthenticationError, APIStatusError, APIConnectionError,
        APITimeoutError, ResponseValidationError.
        """
        page = await self._http.request("GET", CONNECTORS_PATH, ConnectorList)
        return page.results

    async def get(self, connector_id: ConnectorId) -> Connector:
        """``GET /contents/v1/connectors/{connector_id}``: one connector (credentials never included).

        Raises ValueError (id not a UUID, nothing sent), NotFoundError, BadRequestError,
        AuthenticationError, APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        return await self._http.request("GET", connector_path(connector_id), Connector)

    async def create(
        self,
        *,
        type: ConnectorTypeName,
        label: str,
        config: _generated.request_models.EmailConnectorConfig
        | _generated.request_models.InvestmentResearchConnectorConfig
        | _generated.request_models.SharepointConnectorConfig
        | Mapping[str, Any]
        | None,
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
        with ``list()`` (match on ``label``) before creating again, or use ``ensure``.

        Raises pydantic.ValidationError (a ValueError: payload does not fit the type, or a value of the
        wrong type such as ``share_with_org="yes"``; nothing sent; it names the field, never a value),
        BadRequestError, AuthenticationError, RateLimitError, InternalServerError,
        APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        fields: dict[str, Any] = {"type": type, "label": label, "config": _config_data(config)}
        fields["share_with_org"] = share_with_org
        if description is not None:
            fields["description"] = description
        payload = _payload(_generated.request_models.ConnectorCreatePayload, fields)
        return await self._http.request("POST", CONNECTORS_PATH, Connector, body=payload, idempotent=False)

    async def update(
        self,
        connector_id: ConnectorId,
        *,
        label: str | _Unset = UNSET,
        description: str | _Unset = UNSET,
        share_with_org: bool | _Unset = UNSET,
        config: _generated.request_models.EmailConnectorConfig | Mapping[str, Any] | _Unset = UNSET,
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
        that is not an email one; nothing sent; it names the field, never a value), NotFoundError,
        BadRequestError, AuthenticationError, APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        models = _generated.request_models
        path = connector_path(connector_id)
        given: dict[str, Any] = {
            name: value
            for name, value in (("label", label), ("description", description), ("share_with_org", share_with_org))
            if not isinstance(value, _Unset)
        }
        _payload(models.ConnectorUpdatePayload, {"label": "", **given})  # wrong types fail here, before the GET
        new_config = None if isinstance(config, _Unset) else _payload(models.EmailConnectorConfig, _config_data(config))
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
            new_config = models.EmailConnectorConfig(allowed_emails=read.allowed_emails or [])
        if (
            new_config is not None
            and read is not None
            and read.email_hash
            and "email_hash" not in new_config.model_fields_set
        ):
            # The published schema requires email_hash in the PUT body: send back the value just read.
            new_config = new_config.model_copy(update={"email_hash": read.email_hash})
            new_config.model_fields_set.add("email_hash")
        merged = {
            "label": current.label,
            "description": current.description or "",
            "share_with_org": current.share_with_org,
            **given,
            "config": new_config,
        }
        return await self._http.request("PUT", path, Connector, body=_payload(models.ConnectorUpdatePayload, merged))

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
            "DELETE", connector_path(connector_id), Connector, params=params, allow_empty=force, gone_is_done=force
        )

    async def trigger_sync(
        self, connector_id: ConnectorId, *, date_limit: date | datetime | str | None = None
    ) -> ConnectorSyncResponse:
        """``POST /contents/v1/connectors/{id}/sync``: queue a sync; returns the acknowledgement
        (``status`` "accepted"). The body is ``{"date_limit": "YYYY-MM-DD"}`` (investment_research
        needs it; a date, exactly "YYYY-MM-DD", or an aware datetime standing for its UTC date) or ``{}``
        (sharepoint). To wait for the outcome use ``start_sync`` or ``sync_and_wait``.

        Retried like any idempotent call: re-queuing a sync is harmless. Raises ValueError or TypeError (bad
        id or date; nothing sent), BadRequestError (e.g. an email connector), NotFoundError,
        AuthenticationError, APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        request = _generated.request_models.ConnectorSyncRequest
        body = request() if date_limit is None else request(date_limit=parse_date_limit(date_limit))
        path = connector_path(connector_id) + "/sync"
        return await self._http.request("POST", path, ConnectorSyncResponse, body=body)

    # ------------------------------------------------------------------ syncs (the _syncs wing)

    async def start_sync(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = None,
        timeout: float | None = None,
    ) -> _syncs.SyncHandle:
        """Trigger one sync and return its SyncHandle at once (wait with ``handle.wait()``, or hand
        ``handle.token()`` to another process).

        Sends ``GET /contents/v1/connectors/{id}`` (type, and the baseline ``last_sync_at`` read before
        the trigger), then one ``POST .../sync``. ``date_limit`` (a date, exactly "YYYY-MM-DD", or an aware
        datetime standing for its UTC date) is required for investment_research and refused for
        sharepoint; a malformed one fails before anything is sent. ``timeout`` (seconds) sets the handle's
        wall-clock ``deadline`` (it travels in the token) and bounds the GET and the trigger too.

        Raises ValueError or TypeError (bad id or date_limit; nothing sent; a missing or unexpected
        date_limit: nothing triggered), SyncNotSupportedError (email connector; nothing triggered),
        ConnectorArchivedError (archived connector; nothing triggered), SyncTimeoutError (``timeout`` ran
        out before the trigger was answered), and the errors of ``get``/``trigger_sync``.
        """
        _checks.optional_timeout(timeout)
        cid, limit = connector_uuid(connector_id), None if date_limit is None else parse_date_limit(date_limit)
        return await _syncs.start_sync(self._http, cid, limit, timeout=timeout)

    def resume_sync(self, token: str) -> _syncs.SyncHandle:
        """The SyncHandle a ``handle.token()`` stands for, bound to this client (any process, any event
        loop). Sends nothing; ``handle.wait()`` then polls, and a sync that finished before the resume is
        recognised by its baseline. Raises ValueError (not a sync token, damaged or altered, or from a
        newer SDK's format) or TypeError (not a str)."""
        return _syncs.resume_sync(self._http, token)

    def attach_sync(
        self,
        connector_id: ConnectorId,
        *,
        after: datetime | None = None,
        started_at: datetime | None = None,
        deadline: datetime | None = None,
    ) -> _syncs.SyncHandle:
        """A SyncHandle on a sync started elsewhere (the web app, a schedule, another tool), to ``wait``,
        ``poll`` or hand over (``token()``) like one from ``start_sync``. Sends nothing.

        ``after`` (aware datetime) is the baseline: only a sync finishing after it (the server's
        ``last_sync_at``) counts; None accepts any finished sync. ``started_at`` (aware; default ``after``,
        else now) is where ``documents()`` and ``wait(documents=True)`` start counting. ``deadline`` (aware,
        wall clock) bounds every ``wait``; None lets each ``wait`` set its own ``timeout``.

        Raises ValueError (a connector id that is not a UUID, or a naive datetime).
        """
        cid = connector_uuid(connector_id)
        for name, value in (("after", after), ("started_at", started_at), ("deadline", deadline)):
            _checks.aware(name, value)
        return _syncs.attach_sync(self._http, cid, after=after, started_at=started_at, deadline=deadline)

    @overload
    async def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = ...,
        timeout: float = ...,
        poll_interval: float = ...,
        max_poll_interval: float = ...,
        on_progress: _syncs.ProgressCallback | None = ...,
        wait_for_documents: Literal[False] = ...,
        on_documents_progress: _syncs.DocumentsProgressCallback | None = ...,
    ) -> Connector: ...
    @overload
    async def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = ...,
        timeout: float = ...,
        poll_interval: float = ...,
        max_poll_interval: float = ...,
        on_progress: _syncs.ProgressCallback | None = ...,
        wait_for_documents: Literal[True],
        on_documents_progress: _syncs.DocumentsProgressCallback | None = ...,
    ) -> _syncs.SyncReport: ...

    async def sync_and_wait(
        self,
        connector_id: ConnectorId,
        *,
        date_limit: date | datetime | str | None = None,
        timeout: float = DEFAULT_SYNC_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: _syncs.ProgressCallback | None = None,
        wait_for_documents: bool = False,
        on_documents_progress: _syncs.DocumentsProgressCallback | None = None,
    ) -> Connector | _syncs.SyncReport:
        """Trigger one sync and wait until it finishes (``start_sync`` + ``handle.wait()``); returns the
        connector after a successful sync. With ``wait_for_documents=True``, waits on (same deadline) until
        every document the sync brought in is completed or failed, and returns a SyncReport
        (``.connector``, ``.documents``); see ``SyncHandle.wait(documents=True)``. ``on_documents_progress``
        (plain or async) then gets a DocumentsSummary per documents poll.

        Sends ``GET /contents/v1/connectors/{id}`` (baseline ``last_sync_at`` and type), one
        ``POST .../sync``, then ``GET`` polls: the first at once, then every ``poll_interval``
        seconds growing x1.5 to ``max_poll_interval``. ``timeout`` (seconds) is the whole wait,
        first read and trigger included: wherever it runs out, the error is SyncTimeoutError.
        ``date_limit`` as for ``start_sync``. ``on_progress`` (plain or async) gets a SyncProgress per
        poll. Cancelling the awaiting task stops at once.

        Raises SyncNotSupportedError (email connector; nothing triggered), ConnectorArchivedError
        (archived before or during the sync), ValueError/TypeError (bad, missing or unexpected
        date_limit), SyncFailedError, SyncTimeoutError (the sync keeps running on the server;
        ``.connector`` is the last state seen), NotFoundError (also if the connector disappears
        mid-wait), DocumentsTimeoutError (a SyncTimeoutError: the sync succeeded, its documents were not
        all processed in time), and the errors of ``get``/``trigger_sync`` (and ``client.documents.list``).
        """
        _checks.wait_args(timeout, poll_interval, max_poll_interval)
        cid, limit = connector_uuid(connector_id), None if date_limit is None else parse_date_limit(date_limit)
        return await _syncs.sync_and_wait(
            self._http,
            cid,
            limit,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
            documents=wait_for_documents,
            on_documents_progress=on_documents_progress,
        )

    async def wait_for_sync(
        self,
        connector_id: ConnectorId,
        *,
        after: datetime | None = None,
        timeout: float = DEFAULT_SYNC_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: _syncs.ProgressCallback | None = None,
    ) -> Connector:
        """Wait for a sync started elsewhere; returns the connector once it has succeeded.

        Polls ``GET /contents/v1/connectors/{id}`` as ``sync_and_wait`` does, never triggering.
        A sync that finished at or before ``after`` (an aware datetime, compared with the server's
        ``last_sync_at``) does not count; with ``after=None`` any finished sync does.
        ``timeout`` and the intervals are in seconds. To hand a sync over, prefer ``start_sync`` and
        its token (it carries the baseline read before the trigger), or ``attach_sync``.

        Raises ValueError (bad id, naive ``after``, bad durations; nothing sent), SyncFailedError,
        SyncTimeoutError, ConnectorArchivedError, NotFoundError, and the errors of ``get``.
        """
        cid = connector_uuid(connector_id)
        _checks.aware("after", after)
        _checks.wait_args(timeout, poll_interval, max_poll_interval)
        return await _syncs.wait_for_sync(
            self._http,
            cid,
            after,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
        )

    async def sync_many(
        self,
        connector_ids: Iterable[ConnectorId],
        *,
        date_limit: date | datetime | str | None = None,
        concurrency: int = 10,
        timeout: float = DEFAULT_SYNC_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        on_progress: _syncs.ProgressCallback | None = None,
    ) -> Sequence[_syncs.SyncOutcome]:
        """``sync_and_wait`` for many connectors, at most ``concurrency`` at once.

        Returns one SyncOutcome per position of ``connector_ids``, in input order: the connector, or the
        exception that one ended with (an id that is not a UUID included); one failure does not stop the
        others. An id listed several times (in any spelling of the same UUID) is synced once and its outcome
        repeated at each position. ``date_limit`` goes to the connectors that take one (investment_research)
        and is left out for sharepoint. ``timeout`` (seconds) applies to each connector's sync from when it
        starts. Cancelling cancels every sync wait.

        Raises TypeError (a single str or UUID instead of an iterable of them), ValueError (bad
        ``concurrency``, wait arguments or ``date_limit``); all before anything is sent.
        """
        ids = _connector_ids(connector_ids)
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
        _checks.wait_args(timeout, poll_interval, max_poll_interval)
        limit = None if date_limit is None else parse_date_limit(date_limit)
        return await _syncs.sync_many(
            self._http,
            ids,
            limit,
            concurrency=concurrency,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
        )

    # ------------------------------------------------------------------ connectors as code (the _as_code wing)

    async def ensure(
        self,
        *,
        type: ConnectorTypeName,
        label: str,
        config: _generated.request_models.EmailConnectorConfig
        | _generated.request_models.InvestmentResearchConnectorConfig
        | _generated.request_models.SharepointConnectorConfig
        | Mapping[str, Any]
        | None,
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
        spec = _as_code.ConnectorSpec.from_create_args(
            type=type, label=label, config=config, description=description, share_with_org=share_with_org
        )
        if not consistency_timeout >= 0:
            raise ValueError("consistency_timeout must be >= 0 (seconds)")
        http = self._http
        return await _as_code.ensure_connector(
            self,
            spec,
            clock=http.clock,
            sleep=http.sleep,
            consistency_timeout=consistency_timeout,
            memory=self._memory(),
        )

    async def plan(
        self,
        source: _as_code.ConnectorsFile | str | os.PathLike[str],
        *,
        prune: bool = False,
        replace: Iterable[str] = (),
        environ: Mapping[str, str] | None = None,
    ) -> _as_code.Plan:
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
        files = _as_code.ConnectorsFile
        declared = source if isinstance(source, files) else files.read(source, environ=environ)
        replace = [replace] if isinstance(replace, str) else builtins.list(replace)  # one label, not its letters
        return _as_code.make_plan(declared, await self.list(), prune=prune, replace=replace)

    async def apply(
        self,
        plan: _as_code.Plan,
        *,
        on_outcome: _as_code.OutcomeCallback | None = None,
        consistency_timeout: float = DEFAULT_CONSISTENCY_TIMEOUT,
    ) -> _as_code.ApplyReport:
        """Carry out ``plan``: creates, updates, replacements (archive the old, then create), then archives;
        each through ``ensure`` (so applying the same plan twice changes nothing the second time). Archives
        are skipped if an earlier action failed. ``on_outcome`` (plain or async) gets each ActionOutcome as
        it ends. ``consistency_timeout`` (seconds) as for ``ensure``.

        Returns an ApplyReport (``report.ok``; ``print(report)``); an action's API or ensure error is in
        its outcome, not raised. Sends the requests of ``ensure`` and ``delete``; none for an unchanged plan.
        """
        http = self._http
        return await _as_code.apply_plan(
            self,
            plan,
            clock=http.clock,
            sleep=http.sleep,
            consistency_timeout=consistency_timeout,
            on_outcome=on_outcome,
            memory=self._memory(),
        )

    def _memory(self) -> _as_code.Memory:
        """What ``ensure`` remembers for this client (created on first use)."""
        if self._ensure_memory is None:
            self._ensure_memory = _as_code.Memory()
        return self._ensure_memory


class ConnectorsWithRawResponse:
    """``client.connectors.with_raw_response``: the six operations of ``client.connectors`` with the same
    arguments and errors, each returning a ``RawResponse`` (``status_code``, ``headers``, ``request_id``,
    ``elapsed``, ``parse()``)."""

    def __init__(self, service: ConnectorsService) -> None:
        self.list = raw_operation(service.list)
        self.get = raw_operation(service.get)
        self.create = raw_operation(service.create)
        self.update = raw_operation(service.update)
        self.delete = raw_operation(service.delete)
        self.trigger_sync = raw_operation(service.trigger_sync)


def __getattr__(name: str) -> Any:
    # ``from bigdata_connectors.connectors import SyncOutcome`` has worked since the first release.
    if name == "SyncOutcome":
        return _syncs.SyncOutcome
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
