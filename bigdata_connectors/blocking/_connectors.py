"""``client.connectors`` without ``await``: the six operations and connectors as code; syncs come from ``_syncs``."""

from __future__ import annotations

import builtins
import functools
import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Final

from bigdata_connectors import (
    ApplyReport,
    Connector,
    ConnectorsFile,
    ConnectorSyncResponse,
    EmailConnectorConfig,
    Plan,
)
from bigdata_connectors import ConnectorsService as AsyncConnectorsService
from bigdata_connectors.blocking._raw import ConnectorsWithRawResponse
from bigdata_connectors.blocking._runtime import Runtime
from bigdata_connectors.blocking._syncs import SyncMethods
from bigdata_connectors.blocking._types import (
    ConnectorId,
    ConnectorTypeName,
    CreateConfig,
    OutcomeCallback,
    Unset,
    defaults_of,
)

__all__ = ["ConnectorsService"]

_CREATE: Final = defaults_of(AsyncConnectorsService.create)
_UPDATE: Final = defaults_of(AsyncConnectorsService.update)
_DELETE: Final = defaults_of(AsyncConnectorsService.delete)
_TRIGGER: Final = defaults_of(AsyncConnectorsService.trigger_sync)
_ENSURE: Final = defaults_of(AsyncConnectorsService.ensure)
_PLAN: Final = defaults_of(AsyncConnectorsService.plan)
_APPLY: Final = defaults_of(AsyncConnectorsService.apply)
_EXPORT: Final = defaults_of(AsyncConnectorsService.export)


class ConnectorsService(SyncMethods):
    """``client.connectors``: every connector operation of the API, plus sync helpers, without ``await``.

    Runs ``bigdata_connectors.ConnectorsService`` on the client's loop thread: same arguments, defaults,
    results and errors (raised in the calling thread, chain intact). Any call raises ClientClosedError after
    ``close()``, EventLoopError in a forked child; Ctrl-C cancels the call and raises KeyboardInterrupt.
    """

    def __init__(self, runtime: Runtime, service: AsyncConnectorsService) -> None:
        self._runtime = runtime
        self._async = service

    @functools.cached_property
    def with_raw_response(self) -> ConnectorsWithRawResponse:
        """The operations below with the same arguments and errors, each returning a RawResponse
        (``status_code``, ``headers``, ``request_id``, ``elapsed`` in seconds, ``parse()``)."""
        return ConnectorsWithRawResponse(self._runtime, self._async)

    # ------------------------------------------------------------------ the six operations

    def list(self) -> builtins.list[Connector]:
        """``GET /contents/v1/connectors``: every connector the key can access (no paging).

        Raises AuthenticationError, APIStatusError, APIConnectionError, APITimeoutError,
        ResponseValidationError.
        """
        return self._runtime.call(self._async.list())

    def get(self, connector_id: ConnectorId) -> Connector:
        """``GET /contents/v1/connectors/{connector_id}``: one connector (credentials never included).

        Raises ValueError (id not a UUID, nothing sent), NotFoundError, BadRequestError, AuthenticationError,
        APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        return self._runtime.call(self._async.get(connector_id))

    def create(
        self,
        *,
        type: ConnectorTypeName,
        label: str,
        config: CreateConfig | None,
        description: str | None = _CREATE["description"],
        share_with_org: bool = _CREATE["share_with_org"],
    ) -> Connector:
        """``POST /contents/v1/connectors``: register a connector; returns it as created.

        ``config`` must fit ``type`` (EmailConnectorConfig or None, InvestmentResearchConnectorConfig,
        SharepointConnectorConfig, or a plain mapping). Not idempotent: retried only when the request provably
        never reached the server or the answer was 429; after a timeout, a dropped connection or a 5xx it
        raises though the connector may exist (check ``list()`` before creating again).

        Raises pydantic.ValidationError (a ValueError; nothing sent; names the field, never a value),
        BadRequestError, AuthenticationError, RateLimitError, InternalServerError, APIConnectionError,
        APITimeoutError, ResponseValidationError.
        """
        return self._runtime.call(
            self._async.create(
                type=type, label=label, config=config, description=description, share_with_org=share_with_org
            )
        )

    def update(
        self,
        connector_id: ConnectorId,
        *,
        label: str | Unset = _UPDATE["label"],
        description: str | Unset = _UPDATE["description"],
        share_with_org: bool | Unset = _UPDATE["share_with_org"],
        config: EmailConnectorConfig | Mapping[str, Any] | Unset = _UPDATE["config"],
    ) -> Connector:
        """Change only what you pass: ``GET`` the connector, then ``PUT /contents/v1/connectors/{id}`` with the
        merged result; returns the updated connector. ``config`` (allowed_emails) applies to email connectors
        only. A change made by someone else between the GET and the PUT is overwritten.

        Raises ValueError (bad id, or config for a connector that is not email; the PUT is not sent),
        pydantic.ValidationError (nothing sent), NotFoundError, BadRequestError, AuthenticationError,
        APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        # The "not given" markers go back as they came: they are the async client's own (see _types.UNSET).
        changes: dict[str, Any] = {
            "label": label,
            "description": description,
            "share_with_org": share_with_org,
            "config": config,
        }
        return self._runtime.call(self._async.update(connector_id, **changes))

    def delete(self, connector_id: ConnectorId, *, force: bool = _DELETE["force"]) -> Connector | None:
        """``DELETE /contents/v1/connectors/{id}`` (``?force_delete=true`` when ``force``).

        Without ``force``: archives it (idempotent) and returns it, archived. With ``force``: the hard delete
        runs asynchronously on the server; returns the connector if the API sent it back, else None.
        Raises ValueError (bad id; nothing sent), NotFoundError, BadRequestError, AuthenticationError,
        APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        return self._runtime.call(self._async.delete(connector_id, force=force))

    def trigger_sync(
        self, connector_id: ConnectorId, *, date_limit: date | datetime | str | None = _TRIGGER["date_limit"]
    ) -> ConnectorSyncResponse:
        """``POST /contents/v1/connectors/{id}/sync``: queue a sync; returns the acknowledgement. The body is
        ``{"date_limit": "YYYY-MM-DD"}`` (investment_research) or ``{}`` (sharepoint). To wait for the
        outcome use ``start_sync`` or ``sync_and_wait``.

        Raises ValueError or TypeError (bad id or date; nothing sent), BadRequestError, NotFoundError,
        AuthenticationError, APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        return self._runtime.call(self._async.trigger_sync(connector_id, date_limit=date_limit))

    # ------------------------------------------------------------------ connectors as code

    def ensure(
        self,
        *,
        type: ConnectorTypeName,
        label: str,
        config: CreateConfig | None,
        description: str | None = _ENSURE["description"],
        share_with_org: bool = _ENSURE["share_with_org"],
        consistency_timeout: float = _ENSURE["consistency_timeout"],
    ) -> Connector:
        """Make sure exactly one live connector of ``type`` is labelled ``label``, in this state; return it.

        Sends ``GET /contents/v1/connectors``, then an ``update`` of only what differs, or a
        ``POST /contents/v1/connectors``. After an ambiguous create failure the label is looked up again for
        at least ``consistency_timeout`` seconds. Calling it again after any error is safe.

        Raises ValueError (config does not fit type; nothing sent), AmbiguousLabelError,
        ReplacementRequiredError, CreateOutcomeUnknownError, and the errors of ``list``, ``create``, ``update``.
        """
        return self._runtime.call(
            self._async.ensure(
                type=type,
                label=label,
                config=config,
                description=description,
                share_with_org=share_with_org,
                consistency_timeout=consistency_timeout,
            )
        )

    def plan(
        self,
        source: ConnectorsFile | str | os.PathLike[str],
        *,
        prune: bool = _PLAN["prune"],
        replace: Iterable[str] = _PLAN["replace"],
        environ: Mapping[str, str] | None = _PLAN["environ"],
    ) -> Plan:
        """What it takes to bring the account to a connectors file (a path or a ``ConnectorsFile``); changes
        nothing. Loads and validates the file, then sends ``GET /contents/v1/connectors``. ``prune`` plans
        archiving undeclared live connectors; ``replace`` lists labels to replace anyway; ``*_env`` secrets come
        from ``environ`` (default ``os.environ``).

        Raises ConnectorsFileError, ImportError (PyYAML missing), ValueError (``replace`` names an undeclared
        label), AmbiguousLabelError, and the errors of ``list``.
        """
        return self._runtime.call(self._async.plan(source, prune=prune, replace=replace, environ=environ))

    def export(
        self, *, label: str | Iterable[str] | None = _EXPORT["label"], type: ConnectorTypeName | None = _EXPORT["type"]
    ) -> ConnectorsFile:
        """The account's live connectors as a connectors file (``to_yaml()`` writes it), to adopt what already
        exists; changes nothing. Sends ``GET /contents/v1/connectors``. ``label``: a glob, or several (any
        matches); ``type``: one type. Secrets appear only as ``password_env:`` / ``session_id_env:`` with derived
        variable names (``.variables``); archived connectors and unknown types are left out, with a note each.

        Raises ValueError (an unknown ``type``; nothing sent), and the errors of ``list``.
        """
        return self._runtime.call(self._async.export(label=label, type=type))

    def apply(
        self,
        plan: Plan,
        *,
        on_outcome: OutcomeCallback | None = _APPLY["on_outcome"],
        consistency_timeout: float = _APPLY["consistency_timeout"],
    ) -> ApplyReport:
        """Carry out ``plan`` (creates, updates, replacements, then archives), each through ``ensure``.
        ``on_outcome`` gets each ActionOutcome as it ends, in this thread. ``consistency_timeout`` (seconds)
        as for ``ensure``. A saved plan (``Plan.load``) is first checked against the account: StalePlanError,
        before any change, if a connector it covers changed since it was made.

        Returns an ApplyReport (``report.ok``); an action's API or ensure error is in its outcome, not raised.
        Sends the requests of ``ensure`` and ``delete``; none for an unchanged plan made in this process.
        """
        service = self._async
        return self._runtime.run(
            lambda relay: service.apply(plan, on_outcome=relay(on_outcome), consistency_timeout=consistency_timeout)
        )
