"""The blocking client: the same client, the same names, without ``await``.

from bigdata_connectors.blocking import BigdataClient

with BigdataClient() as client:                 # BIGDATA_API_KEY from the environment
    for connector in client.connectors.list():
        print(connector.label, connector.type)

It runs the async ``bigdata_connectors.BigdataClient`` on an event loop in a background thread of its own
(DESIGN.md, "Blocking code"): one implementation, one aiohttp session reused across calls, usable from any
thread and from inside a running event loop (Jupyter). Models and errors are the package's own:
``from bigdata_connectors import Connector, NotFoundError``.
"""

from bigdata_connectors.blocking._client import BigdataClient
from bigdata_connectors.blocking._connectors import ConnectorsService
from bigdata_connectors.blocking._documents import DocumentIterator, DocumentsService, DocumentsWithRawResponse
from bigdata_connectors.blocking._handle import SyncHandle
from bigdata_connectors.blocking._raw import ConnectorsWithRawResponse

__all__ = [
    "BigdataClient",
    "ConnectorsService",
    "ConnectorsWithRawResponse",
    "DocumentIterator",
    "DocumentsService",
    "DocumentsWithRawResponse",
    "SyncHandle",
]
