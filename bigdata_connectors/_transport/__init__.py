"""The transport wing: the only code that talks to aiohttp, and the only retry loop.

``http.HTTPTransport`` sends one request (attempts, retries, the pool gate, the rate limit) and answers with a
generated model or a typed error; ``retry`` holds the policy (what is retried, how long to wait, the deadline
rule); ``wire`` turns bytes and aiohttp's exceptions into models and errors; ``lifecycle`` is the session's life
(loop binding, pool gate, closing); ``session`` builds the client's own aiohttp session; ``ratelimit`` the
client's request budget; ``raw`` the recorder behind ``with_raw_response``; ``pages`` reads paged lists; ``logs``
is ``BIGDATA_LOG``. Loaded with the client: every call needs it.
"""

from bigdata_connectors._transport.http import USER_AGENT, HTTPTransport
from bigdata_connectors._transport.logs import enable_stderr_logging
from bigdata_connectors._transport.pages import DOCUMENTS_PATH, iterate_documents
from bigdata_connectors._transport.raw import RawResponse, raw_operation
from bigdata_connectors._transport.retry import is_transient
from bigdata_connectors._transport.wire import Params

__all__ = [
    "DOCUMENTS_PATH",
    "USER_AGENT",
    "HTTPTransport",
    "Params",
    "RawResponse",
    "enable_stderr_logging",
    "is_transient",
    "iterate_documents",
    "raw_operation",
]
