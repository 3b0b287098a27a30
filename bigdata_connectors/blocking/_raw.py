"""``client.connectors.with_raw_response`` without ``await``: each operation returning a ``RawResponse``."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

from bigdata_connectors import Connector, ConnectorSyncResponse, EmailConnectorConfig, RawResponse
from bigdata_connectors import ConnectorsService as AsyncConnectorsService
from bigdata_connectors.blocking._runtime import Runtime
from bigdata_connectors.blocking._types import ConnectorId, ConnectorTypeName, CreateConfig, Unset, defaults_of

__all__ = ["ConnectorsWithRawResponse"]

_CREATE: Final = defaults_of(AsyncConnectorsService.create)
_UPDATE: Final = defaults_of(AsyncConnectorsService.update)
_DELETE: Final = defaults_of(AsyncConnectorsService.delete)
_TRIGGER: Final = defaults_of(AsyncConnectorsService.trigger_sync)


class ConnectorsWithRawResponse:
    """The operations of ``client.connectors`` with the same arguments, requests and errors, each returning a
    RawResponse: ``status_code``, ``headers``, ``request_id``, ``elapsed`` (seconds), ``parse()`` (what the
    plain call returns). For ``update`` (a GET then a PUT) they describe the PUT."""

    def __init__(self, runtime: Runtime, service: AsyncConnectorsService) -> None:
        self._runtime = runtime
        self._raw = service.with_raw_response

    def list(self) -> RawResponse[builtins.list[Connector]]:
        """``GET /contents/v1/connectors``, as ``client.connectors.list``."""
        return self._runtime.call(self._raw.list())

    def get(self, connector_id: ConnectorId) -> RawResponse[Connector]:
        """``GET /contents/v1/connectors/{connector_id}``, as ``client.connectors.get``."""
        return self._runtime.call(self._raw.get(connector_id))

    def create(
        self,
        *,
        type: ConnectorTypeName,
        label: str,
        config: CreateConfig | None,
        description: str | None = _CREATE["description"],
        share_with_org: bool = _CREATE["share_with_org"],
    ) -> RawResponse[Connector]:
        """``POST /contents/v1/connectors``, as ``client.connectors.create``."""
        return self._runtime.call(
            self._raw.create(
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
    ) -> RawResponse[Connector]:
        """``GET`` then ``PUT /contents/v1/connectors/{id}``, as ``client.connectors.update``."""
        changes: dict[str, Any] = {
            "label": label,
            "description": description,
            "share_with_org": share_with_org,
            "config": config,
        }
        return self._runtime.call(self._raw.update(connector_id, **changes))

    def delete(self, connector_id: ConnectorId, *, force: bool = _DELETE["force"]) -> RawResponse[Connector | None]:
        """``DELETE /contents/v1/connectors/{id}``, as ``client.connectors.delete``."""
        return self._runtime.call(self._raw.delete(connector_id, force=force))

    def trigger_sync(
        self, connector_id: ConnectorId, *, date_limit: date | datetime | str | None = _TRIGGER["date_limit"]
    ) -> RawResponse[ConnectorSyncResponse]:
        """``POST /contents/v1/connectors/{id}/sync``, as ``client.connectors.trigger_sync``."""
        return self._runtime.call(self._raw.trigger_sync(connector_id, date_limit=date_limit))
