"""The exception tree. Every error the SDK raises on purpose derives from ``BigdataError``::

    BigdataError
    ├── ConfigurationError (+ ValueError)         no API key, an unsafe base URL
    ├── ClientClosedError (+ RuntimeError)        the client (or its borrowed session) was closed
    ├── EventLoopError (+ RuntimeError)           the client was used from another event loop
    ├── APIError                                  talking to the API went wrong
    │   ├── APIConnectionError                    no response (refused, reset, DNS, ...)
    │   │   ├── APITimeoutError (+ TimeoutError)  no response in time
    │   │   └── TLSError                          the TLS handshake failed (untrusted certificate, ...); never retried
    │   ├── ResponseValidationError               an answer that cannot be used: a 2xx body that is not JSON
    │   │   │                                     or does not fit the model
    │   │   ├── MalformedResponseError            not valid HTTP (bad status line, headers, length, chunks),
    │   │   │                                     or a paged list that does not end
    │   │   └── ResponseTooLargeError             larger than max_response_size (decompressed)
    │   └── APIStatusError                        any non-2xx answer, 3xx included (redirects are not followed)
    │       ├── BadRequestError                   400
    │       ├── AuthenticationError               401
    │       ├── PermissionDeniedError             403 (also the gateway's "no such route")
    │       ├── NotFoundError                     404
    │       ├── ConflictError                     409
    │       ├── UnprocessableEntityError          422
    │       ├── RateLimitError                    429
    │       └── InternalServerError               >= 500
    ├── SyncError                                 sync_and_wait / wait_for_sync
    │   ├── SyncNotSupportedError (+ ValueError)  the connector's type cannot be synced (email)
    │   ├── SyncFailedError                       the sync ended with a failure status or message
    │   └── SyncTimeoutError (+ TimeoutError)     the overall wait ran out; the sync goes on on the server
    └── EnsureError                               ensure / plan / apply (connectors as code)
        ├── AmbiguousLabelError (+ ValueError)    several live connectors carry the label
        ├── ReplacementRequiredError (+ ValueError)  the change cannot be made in place (broker credentials)
        ├── CreateOutcomeUnknownError             a create's answer was lost and the label could not be looked up
        ├── ConnectorsFileError (+ ValueError)    a connectors (or plan) file is invalid or names a missing variable
        └── StalePlanError                        a saved plan's account changed since (defined in _as_code/basis.py)

This module imports only the values below it (``_types``, the generated models). Nothing here holds the API key or a request body, and everything an error copies from an answer (message,
body, headers) or from aiohttp (its exception, kept as ``__cause__``) has passed through ``_redact`` first,
so no error's text, repr, attributes or chain can leak a secret.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bigdata_connectors._generated.models import Connector
from bigdata_connectors._types import DocumentsSummary

__all__ = [
    "STATUS_CLASSES",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AmbiguousLabelError",
    "AuthenticationError",
    "BadRequestError",
    "BigdataError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "ConnectorArchivedError",
    "ConnectorsFileError",
    "CreateOutcomeUnknownError",
    "DocumentsTimeoutError",
    "EnsureError",
    "EventLoopError",
    "FileProblem",
    "InternalServerError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReplacementRequiredError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SyncError",
    "SyncFailedError",
    "SyncNotSupportedError",
    "SyncTimeoutError",
    "TLSError",
    "TransportError",
    "UnprocessableEntityError",
]

_BODY_PREVIEW = 200
# Response headers never copied onto an error: they could carry credentials or session state.
_SECRET_HEADERS = frozenset({"x-api-key", "authorization", "set-cookie", "cookie", "proxy-authorization"})


class BigdataError(Exception):
    """Base of every error this SDK raises on purpose."""


class ConfigurationError(BigdataError, ValueError):
    """The client cannot be built as configured (no API key, an unsafe base URL, ...)."""


class ClientClosedError(BigdataError, RuntimeError):
    """A call was made on a client after ``aclose()`` (or after its ``async with`` block ended)."""


class EventLoopError(BigdataError, RuntimeError):
    """A client belongs to the event loop it first ran on (its connections live there); it was
    used from another one. Create one client per event loop (per ``asyncio.run``)."""


class APIError(BigdataError):
    """A request to the API failed. ``method`` and ``path`` say which one. ``deadline_exceeded`` is True
    when a caller's overall deadline (``sync_and_wait``'s ``timeout``) stopped retries that were still due."""

    deadline_exceeded: bool = False

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path


class APIConnectionError(APIError):
    """No response arrived. ``request_sent`` is False only when the request provably never left
    (the connection could not be opened); then even a create is safe to retry."""

    def __init__(self, message: str, *, method: str = "", path: str = "", request_sent: bool = True) -> None:
        super().__init__(message, method=method, path=path)
        self.request_sent = request_sent

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.message}" if self.method else self.message


class APITimeoutError(APIConnectionError, TimeoutError):
    """No response within the client's ``timeout`` (seconds)."""


class TLSError(APIConnectionError):
    """The TLS handshake with the API (or an https:// proxy) failed, usually because the certificate is not
    trusted: a TLS-inspecting proxy or a private CA. Never retried (it would fail the same way), and the
    request never left, so nothing was created. The message names the likely fix: ``ssl=`` (a CA bundle or
    an ``ssl.SSLContext``) or ``proxy=``."""


class ResponseValidationError(APIError):
    """A 2xx answer whose body is not JSON, or does not fit the model. Never retried."""

    def __init__(
        self, message: str, *, method: str = "", path: str = "", status_code: int = 0, body: Any = None
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status_code = status_code
        self.body = body

    def __str__(self) -> str:
        status = f"{self.status_code} from " if self.status_code else ""
        return f"{status}{self.method} {self.path}: {self.message}"


class MalformedResponseError(ResponseValidationError):
    """The server answered, but not in valid HTTP (a malformed status line, header, ``Content-Length``
    or chunk), or a paged list that would never end (a full page with no new item). A broken answer, not a
    lost connection: never retried, so a create is not sent twice."""


class ResponseTooLargeError(ResponseValidationError):
    """The answer's body (counted after decompression) exceeded the client's ``max_response_size``
    (bytes, in ``limit``); reading stopped there. Raise ``max_response_size`` if the answer is genuine."""

    def __init__(self, message: str, *, method: str = "", path: str = "", status_code: int = 0, limit: int) -> None:
        super().__init__(message, method=method, path=path, status_code=status_code)
        self.limit = limit


class APIStatusError(APIError):
    """The API answered with a non-2xx status.

    Attributes: ``status_code``, ``message``, ``error_code``, ``request_id``, ``body`` (parsed JSON, or
    the text), ``retry_after`` (seconds, where the answer gave one), ``headers`` (secrets removed).
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        method: str = "",
        path: str = "",
        body: Any = None,
        error_code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status_code = status_code
        self.body = body
        self.error_code = error_code
        self.request_id = request_id
        self.retry_after = retry_after
        self.headers = {k: v for k, v in (headers or {}).items() if k.lower() not in _SECRET_HEADERS}

    def __str__(self) -> str:
        text = f"{self.status_code} {self.message}"
        if self.error_code:
            text += f" [{self.error_code}]"
        if self.method:
            text += f" ({self.method} {self.path})"
        if self.request_id:
            text += f" request_id={self.request_id}"
        if self.body not in (None, "", {}):
            raw = self.body if isinstance(self.body, str) else json.dumps(self.body, separators=(",", ":"))
            raw = " ".join(raw.split())
            text += f" body={raw[:_BODY_PREVIEW]}{'...' if len(raw) > _BODY_PREVIEW else ''}"
        return text

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(status_code={self.status_code}, message={self.message!r}, request_id={self.request_id!r})"


class BadRequestError(APIStatusError):
    """400: the request was malformed or invalid for this connector."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or invalid. Never retried."""


class PermissionDeniedError(APIStatusError):
    """403: not allowed; from the gateway, also "no such route" (check ``base_url``)."""


class NotFoundError(APIStatusError):
    """404: no connector with this ID, or no access to it."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the connector's current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` says how long the API asked to wait (seconds)."""


class InternalServerError(APIStatusError):
    """>= 500: the API or the gateway in front of it failed."""


STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


class SyncError(BigdataError):
    """A sync could not be started, failed, or was not seen to finish in time."""


class SyncNotSupportedError(SyncError, ValueError):
    """The connector's type cannot be synced (email connectors ingest forwarded mail instead)."""


class SyncFailedError(SyncError):
    """The sync finished with a failure: ``status`` and ``error_message`` as the API reported them,
    ``connector`` as it stood then."""

    def __init__(self, connector: Connector, status: str | None, error_message: str | None) -> None:
        self.connector = connector
        self.status = status
        self.error_message = error_message
        detail = f": {error_message}" if error_message else ""
        super().__init__(f"sync of connector {connector.connector_id} failed with status {status!r}{detail}")


class SyncTimeoutError(SyncError, TimeoutError):
    """The overall wait (``timeout``, seconds) ran out before the sync finished. The sync keeps running
    on the server; ``connector`` is the last state seen (None if no poll succeeded)."""

    def __init__(self, message: str, connector: Connector | None, elapsed: float) -> None:
        super().__init__(message)
        self.connector = connector
        self.elapsed = elapsed


class DocumentsTimeoutError(SyncTimeoutError):
    """The sync succeeded, but the documents it brought in were not all processed (or not all listed)
    before the deadline: ``connector`` is the connector after its successful sync, ``documents`` the last
    DocumentsSummary seen (completed, failed, still processing)."""

    def __init__(self, message: str, connector: Connector, elapsed: float, documents: DocumentsSummary) -> None:
        super().__init__(message, connector, elapsed)
        self.documents = documents


class ConnectorArchivedError(SyncError):
    """The connector is archived (or being force-deleted), so it accepts no new content: a sync on it is
    refused before it is triggered, and a wait for one ends at once. ``connector`` is the state read."""

    def __init__(self, message: str, connector: Connector) -> None:
        super().__init__(message)
        self.connector = connector


class EnsureError(BigdataError):
    """``ensure``, ``plan`` or ``apply`` could not bring the account to the declared state."""


class AmbiguousLabelError(EnsureError, ValueError):
    """Several live connectors carry the ``label`` (and ``type``) that should name one: ``connectors``
    lists them. Archive the extra ones (``delete``), then call again."""

    def __init__(self, type: str | None, label: str, connectors: Sequence[Connector]) -> None:
        self.type = type
        self.label = label
        self.connectors = list(connectors)
        ids = ", ".join(str(c.connector_id) for c in self.connectors)
        kind = f"{type} connectors" if type else "connectors"
        super().__init__(
            f"{len(self.connectors)} live {kind} are labelled {label!r} ({ids}); the label must name one: "
            "archive the extra ones, then try again"
        )


class ReplacementRequiredError(EnsureError, ValueError):
    """The declared state differs from ``connector`` in what the API cannot change in place (its type, or
    broker credentials, fixed at creation): ``reasons`` says what. A replacement is needed: archive it and
    ensure again, or plan with ``replace=[label]``. Secret values never appear in the message."""

    def __init__(self, connector: Connector, reasons: Sequence[str]) -> None:
        self.connector = connector
        self.reasons = list(reasons)
        super().__init__(
            f"connector {connector.label!r} ({connector.connector_id}) cannot be changed in place: "
            f"{'; '.join(self.reasons)}. A replacement is needed: archive it and ensure it again "
            f"(plan with replace=[{connector.label!r}] does both)"
        )


class CreateOutcomeUnknownError(EnsureError):
    """A create's answer was lost (``__cause__`` says how) and looking the label up again failed too, so
    whether the connector exists is unknown. Calling ``ensure`` again is safe: it looks before it creates."""

    def __init__(self, label: str, lookup_error: BaseException) -> None:
        self.label = label
        self.lookup_error = lookup_error
        super().__init__(
            f"the answer to creating {label!r} was lost and looking the label up again failed too "
            f"({lookup_error or 'no reason given'}); the connector may exist: call ensure again"
        )


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One thing wrong in a connectors file: ``line`` (1-based, None when unknown), ``key`` (a path such
    as ``connectors[2].config.password_env``) and what is wrong."""

    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.key}: {self.message}" if self.key else f"{where}{self.message}"


class ConnectorsFileError(EnsureError, ValueError):
    """A connectors file is not valid (``problems``, each with its line and key), or names an environment
    variable that is not set (``missing_variables``: their names, ``***`` for a name that does not look like one, in
    case a secret was pasted there). Raised before anything is sent. Never quotes a secret's value."""

    def __init__(self, source: str, problems: Sequence[FileProblem], missing_variables: Sequence[str] = ()) -> None:
        self.source = source
        self.problems = list(problems)
        self.missing_variables = tuple(missing_variables)
        count = len(self.problems)
        head = f"{source}: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n  ".join([head, *(str(p) for p in self.problems)]))


class TransportError(Exception):
    """Stands in, as the ``__cause__`` of an SDK error, for an aiohttp exception that held request data
    (headers with the API key, proxy credentials): its type name and redacted message, nothing else."""
