"""The connector operations (``client.connectors``); its sync methods come from ``_sync_service``.

No aiohttp and no sleeping here: requests go through the HTTP layer; syncs (start, hand over, wait)
live in ``_sync``.
"""

from __future__ import annotations

import builtins
import enum
import functools
import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import pydantic

from bigdata_connectors._config import DEFAULT_CONSISTENCY_TIMEOUT
from bigdata_connectors._connectors_raw import ConnectorsWithRawResponse
from bigdata_connectors._generated.models import (
    Connector,
    ConnectorList,
    ConnectorSyncResponse,
    EmailConnectorResponseConfig,
)
from bigdata_connectors._http import HTTPTransport
from bigdata_connectors._ids import CONNECTORS_PATH, ConnectorId, connector_path, parse_date_limit
from bigdata_connectors._redact import masked_validation_error
from bigdata_connectors._sync_service import SyncMethods

if TYPE_CHECKING:
    # Connectors as code (ensure, plan, apply) is imported when first used: most programs never call it, and
    # its modules cost about a third of the package's own import time. Request bodies likewise, by the calls
    # that send one (create, update, trigger_sync): a program that only reads never loads them, nor pydantic's
    # SecretStr and RootModel with them (docs/benchmarks.md).
    from bigdata_connectors._apply import ApplyReport, OutcomeCallback
    from bigdata_connectors._connectors_file import ConnectorsFile
    from bigdata_connectors._ensure import Memory as EnsureMemory
    from bigdata_connectors._generated.request_models import (
        EmailConnectorConfig,
        InvestmentResearchConnectorConfig,
        SharepointConnectorConfig,
    )
    from bigdata_connectors._plan import Plan
    from bigdata_connectors._sync_many import SyncOutcome

__all__ = ["ConnectorsService", "SyncOutcome"]

_COLLECTION = CONNECTORS_PATH
_connector_path = connector_path

ConnectorTypeName = Literal["email", "investment_research", "sharepoint"]
if TYPE_CHECKING:
    CreateConfig = (
        EmailConnectorConfig | InvestmentResearchConnectorConfig | SharepointConnectorConfig | Mapping[str, Any]
    )


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET


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


class ConnectorsService(SyncMethods):
    """``client.connectors``: every connector operation of the API, plus sync helpers."""

    def __init__(self, transport: HTTPTransport) -> None:
        self._http = transport
        self._ensure_memory: EnsureMemory | None = None

    @property
    def _ensured(self) -> EnsureMemory:
        """What ``ensure`` remembers for this client (created on first use)."""
        if self._ensure_memory is None:
            from bigdata_connectors._ensure import Memory

            self._ensure_memory = Memory()
        return self._ensure_memory

    @functools.cached_property
    def with_raw_response(self) -> ConnectorsWithRawResponse:
        """The operations below with the same arguments and errors, each returning a RawResponse
        (``status_code``, ``headers``, ``request_id``, ``elapsed`` in seconds, ``parse()``)."""
        return ConnectorsWithRawResponse(self)

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
        from bigdata_connectors._generated.request_models import ConnectorCreatePayload

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
        from bigdata_connectors._generated.request_models import ConnectorUpdatePayload, EmailConnectorConfig

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
        self, connector_id: ConnectorId, *, date_limit: date | datetime | str | None = None
    ) -> ConnectorSyncResponse:
        """``POST /contents/v1/connectors/{id}/sync``: queue a sync; returns the acknowledgement
        (``status`` "accepted"). The body is ``{"date_limit": "YYYY-MM-DD"}`` (investment_research
        needs it; a date, exactly "YYYY-MM-DD", or an aware datetime standing for its UTC date) or ``{}``
        (sharepoint). To wait for the outcome use ``start_sync`` or ``sync_and_wait``.

        Retried like any idempotent call: re-queuing a sync is harmless.
        Raises ValueError or TypeError (bad id or date; nothing sent), BadRequestError (e.g. an email connector),
        NotFoundError, AuthenticationError, APIConnectionError, APITimeoutError,
        ResponseValidationError.
        """
        from bigdata_connectors._generated.request_models import ConnectorSyncRequest

        body = (
            ConnectorSyncRequest()
            if date_limit is None
            else ConnectorSyncRequest(date_limit=parse_date_limit(date_limit))
        )
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
        from bigdata_connectors._desired import ConnectorSpec
        from bigdata_connectors._ensure import ensure as ensure_connector

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
        from bigdata_connectors._connectors_file import ConnectorsFile
        from bigdata_connectors._plan import make_plan

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
        from bigdata_connectors._apply import apply_plan

        return await apply_plan(
            self,
            plan,
            sleep=self._http.sleep,
            consistency_timeout=consistency_timeout,
            on_outcome=on_outcome,
            memory=self._ensured,
        )


def __getattr__(name: str) -> Any:
    # SyncOutcome is listed here since the first release; its module loads with the first sync (see _sync_service).
    if name == "SyncOutcome":
        from bigdata_connectors._sync_many import SyncOutcome

        return SyncOutcome
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
