"""``client.connectors``: the six connector operations of the API, and the front doors of the two wings.

The operations send through the transport. ``ConnectorsService`` also inherits the sync methods
(``_syncs/entries.py``) and the connectors-as-code methods (``_as_code/entries.py``): each checks its arguments
once, then hands over to its wing, which loads on the first call that needs it (see ``_lazy``).
"""

from __future__ import annotations

import builtins
import enum
import functools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import pydantic

from bigdata_connectors import _generated
from bigdata_connectors._as_code.entries import AsCodeEntries
from bigdata_connectors._checks import CONNECTORS_PATH, connector_path, parse_date_limit
from bigdata_connectors._generated.models import (
    Connector,
    ConnectorList,
    ConnectorSyncResponse,
    EmailConnectorResponseConfig,
)
from bigdata_connectors._redact import masked_validation_error
from bigdata_connectors._syncs.entries import SyncEntries
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


class ConnectorsService(SyncEntries, AsCodeEntries):
    """``client.connectors``: every connector operation of the API (here), the sync methods (``SyncEntries``:
    ``start_sync``, ``resume_sync``, ``attach_sync``, ``sync_and_wait``, ``wait_for_sync``, ``sync_many``) and
    connectors as code (``AsCodeEntries``: ``ensure``, ``plan``, ``apply``)."""

    def __init__(self, transport: HTTPTransport) -> None:
        self._http = transport

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
        from bigdata_connectors import _syncs

        return _syncs.SyncOutcome
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
