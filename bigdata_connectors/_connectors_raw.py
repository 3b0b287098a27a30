"""``client.connectors.with_raw_response``: each connector operation, returning a ``RawResponse``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bigdata_connectors._raw import raw_operation

if TYPE_CHECKING:
    from bigdata_connectors.connectors import ConnectorsService

__all__ = ["ConnectorsWithRawResponse"]


class ConnectorsWithRawResponse:
    """The operations of ``client.connectors`` with the same arguments and errors, each returning a
    ``RawResponse`` (``status_code``, ``headers``, ``request_id``, ``elapsed``, ``parse()``)."""

    def __init__(self, service: ConnectorsService) -> None:
        self.list = raw_operation(service.list)
        self.get = raw_operation(service.get)
        self.create = raw_operation(service.create)
        self.update = raw_operation(service.update)
        self.delete = raw_operation(service.delete)
        self.trigger_sync = raw_operation(service.trigger_sync)
