"""What crosses the wire: request bodies encoded, answers read (capped), parsed into models or mapped to errors.

No session and no retrying here (that is ``_http``); these functions turn bytes and aiohttp's
exceptions into the SDK's models and errors. Everything an error copies from an answer or from
aiohttp passes through the request's ``Redactor`` first.

Bodies are read up to a cap, counted after decompression (aiohttp inflates in bounded steps, so a
small gzip that would inflate to gigabytes stops at the cap): a 2xx body over ``max_response_size``
raises ``ResponseTooLargeError``; an error answer keeps only its first ``ERROR_BODY_LIMIT`` bytes.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import aiohttp
import pydantic
import pydantic_core
from pydantic import BaseModel

from bigdata_connectors._config import MAX_RETRY_AFTER
from bigdata_connectors._errors import (
    STATUS_CLASSES,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    MalformedResponseError,
    ResponseTooLargeError,
    ResponseValidationError,
    TLSError,
)
from bigdata_connectors._redact import Redactor, describe, redacted_validation_error, secrets_in
from bigdata_connectors._transport.retry import parse_retry_after

__all__ = [
    "ERROR_BODY_LIMIT",
    "Call",
    "Params",
    "answer_error",
    "connection_error",
    "encode",
    "encode_body",
    "fits",
    "parse_model",
    "read_body",
    "status_error",
    "too_large",
]

# Query parameters: a mapping, or (name, value) pairs when a name repeats (``tags=a&tags=b``).
Params = Mapping[str, str] | Sequence[tuple[str, str]]


class Call:
    """One ``request()``: what every attempt of it sends, and the redactor that knows its secrets."""

    # A plain class with slots: a dataclass would cost about a millisecond of import, and this is built per request.
    __slots__ = ("allow_empty", "data", "deadline", "method", "model", "on_headers", "params", "path", "redactor")

    def __init__(
        self,
        method: str,
        path: str,
        model: type[BaseModel],
        data: bytes | None,
        params: Params | None,
        deadline: float | None,
        allow_empty: bool,
        redactor: Redactor,
        on_headers: Callable[[Mapping[str, str]], None] | None,
    ) -> None:
        self.method, self.path, self.model, self.data, self.params = method, path, model, data, params
        self.deadline, self.allow_empty, self.redactor, self.on_headers = deadline, allow_empty, redactor, on_headers


ERROR_BODY_LIMIT = 64 * 1024  # bytes of an error answer kept (for its message, body and preview)
_PREVIEW = 1000  # characters of an unusable 2xx body kept on ResponseValidationError.body

ModelT = TypeVar("ModelT", bound=BaseModel)

_NO_BODY_STATUS = frozenset({202, 204})
_REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "apigw-requestid", "x-amz-apigw-id")
_NO_ROUTE = "Missing Authentication Token"


def _reveal(value: Any) -> Any:
    if isinstance(value, pydantic.SecretStr):  # only request models hold one, so pydantic.types is loaded
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


def encode(model: BaseModel) -> tuple[bytes, list[str]]:
    """JSON bytes of a request model (fields the caller set, explicit nulls included, by alias), and the
    secrets they carry (passwords, session ids), for the request's redactor.

    Secrets are revealed here and only here: pydantic's JSON mode would send ``"**********"``.
    """
    dumped = model.model_dump(mode="python", by_alias=True, exclude_unset=True)
    return pydantic_core.to_json(_reveal(dumped)), secrets_in(dumped)


def encode_body(model: BaseModel) -> bytes:
    """JSON bytes of a request model; see ``encode``."""
    return encode(model)[0]


def fits(resp: aiohttp.ClientResponse, limit: int) -> bool:
    """Whether the body's declared, uncompressed length is known and at most ``limit`` (then one
    ``resp.read()`` is safe: the common case)."""
    declared = resp.content_length
    return declared is not None and declared <= limit and "Content-Encoding" not in resp.headers


async def read_body(resp: aiohttp.ClientResponse, limit: int, *, preview: bool) -> tuple[bytes, bool]:
    """The body, at most ``limit`` bytes after decompression, and whether there was more (then
    reading stopped: the rest is never held in memory). Without ``preview``, a body declared larger
    than ``limit`` is not read at all."""
    if fits(resp, limit):
        return await resp.read(), False
    if not preview and resp.content_length is not None and "Content-Encoding" not in resp.headers:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    while chunk := await resp.content.readany():
        if size + len(chunk) > limit:
            chunks.append(chunk[: limit - size])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def too_large(status: int, limit: int, method: str, path: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"the answer is larger than max_response_size={limit} bytes (counted decompressed); reading stopped",
        method=method,
        path=path,
        status_code=status,
        limit=limit,
    )


def parse_model(
    model: type[ModelT],
    raw: bytes,
    status: int,
    method: str,
    path: str,
    allow_empty: bool,
    redactor: Redactor,
) -> ModelT | None:
    """The 2xx body as ``model`` (None for an allowed empty answer), else ResponseValidationError."""
    if not raw or raw.isspace():  # not raw.strip(): that copies every body
        if allow_empty:
            return None
        raise ResponseValidationError(
            f"the {model.__name__} answer is empty (HTTP {status} with no body); a JSON body was expected",
            method=method,
            path=path,
            status_code=status,
            body="",
        )
    if allow_empty and status in _NO_BODY_STATUS:
        return None
    failure: pydantic.ValidationError | None = None
    try:
        return model.model_validate_json(raw)
    except pydantic.ValidationError as err:
        failure = err  # raised below, outside this block, so the raw error is not kept as __context__
    errors = failure.errors(include_url=False)
    kind = "is not JSON" if any(e["type"] == "json_invalid" for e in errors) else "does not fit the model"
    error = ResponseValidationError(
        f"the {model.__name__} answer {kind}: {redactor.text(_where(errors[0], raw))}",
        method=method,
        path=path,
        status_code=status,
        body=_preview(raw, redactor),
    )
    raise error from redacted_validation_error(failure, redactor)


def _preview(raw: bytes, redactor: Redactor) -> str:
    """The start of an unusable 2xx body, for ``ResponseValidationError.body``: a JSON body of up to
    ``ERROR_BODY_LIMIT`` bytes is cleaned by meaning and shown re-encoded; anything else (or larger) by spelling."""
    if len(raw) <= ERROR_BODY_LIMIT:
        try:
            cleaned = redactor.value(pydantic_core.from_json(raw))
        except ValueError:
            pass
        else:
            return pydantic_core.to_json(cleaned).decode()[:_PREVIEW]
    head = raw[: 4 * (_PREVIEW + redactor.margin)]  # enough bytes for that many characters
    return redactor.excerpt(_decoded(head, ""), _PREVIEW, cut=len(head) < len(raw))


def _where(error: Any, raw: bytes) -> str:
    """Where in the answer a validation error is: for a list, the item's index and connector_id."""
    loc = list(error["loc"])
    prefix = ""
    if len(loc) >= 2 and loc[0] == "results" and isinstance(loc[1], int):
        index = loc.pop(1)
        loc.pop(0)
        connector_id = _connector_id_at(raw, index)
        prefix = f"item {index} of results" + (f" (connector_id {connector_id})" if connector_id else "") + ": "
    field = ".".join(str(part) for part in loc)
    return f"{prefix}{f'field {field!r}: ' if field else ''}{error['msg']}"


def _connector_id_at(raw: bytes, index: int) -> str | None:
    try:
        item = pydantic_core.from_json(raw)["results"][index]
    except (ValueError, LookupError, TypeError):
        return None
    value = item.get("connector_id") if isinstance(item, dict) else None
    return value if isinstance(value, str) and len(value) <= 64 else None


def connection_error(err: BaseException, method: str, path: str, timeout: float | None, redactor: Redactor) -> APIError:
    """Our error for an attempt that got no usable answer (the caller chains a scrubbed cause).
    ``request_sent=False`` only when it provably never left."""
    where = {"method": method, "path": path}
    detail = redactor.text(describe(err))
    if isinstance(err, aiohttp.ConnectionTimeoutError):
        return APITimeoutError(f"timed out connecting: {detail}", **where, request_sent=False)
    if isinstance(err, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        # Not transient: retrying would only fail the same way, so TLSError is never retried (create included).
        return TLSError(redactor.text(tls_message(err)), **where, request_sent=False)
    if isinstance(err, aiohttp.ClientConnectorError):
        # aiohttp's own text ("Cannot connect to host h:p ssl:default [...]") names its TLS setting, which reads
        # like a TLS problem when nothing is listening: say what happened, and where, instead.
        what = "the proxy" if isinstance(err, aiohttp.ClientProxyConnectionError) else "the API"
        return APIConnectionError(
            f"could not connect to {what} at {redactor.text(_connect_failure(err))}", **where, request_sent=False
        )
    if isinstance(err, aiohttp.ClientHttpProxyError):
        # The proxy refused the tunnel: the request itself never reached the API.
        hint = f" ({err.status}: check the proxy's user and password)" if err.status == 407 else f" ({err.status})"
        return APIConnectionError(f"the proxy refused the connection: {detail}{hint}", **where, request_sent=False)
    if isinstance(err, aiohttp.ClientResponseError):
        # Raised by aiohttp's parser (we never ask it to raise for a status): the answer broke HTTP.
        return MalformedResponseError(
            f"the answer is not valid HTTP ({type(err).__name__}: {detail})", **where, status_code=0
        )
    if isinstance(err, TimeoutError | aiohttp.ServerTimeoutError):
        return APITimeoutError(f"no response within {timeout or 0:.3g}s", **where, request_sent=True)
    return APIConnectionError(f"connection failed: {type(err).__name__}: {detail}", **where, request_sent=True)


def _connect_failure(err: aiohttp.ClientConnectorError) -> str:
    """``host:port: reason`` for a connection that never opened: the name did not resolve, or the operating
    system's word for the refusal (``Connection refused``, ``Network is unreachable``, ...)."""
    where = f"{err.host}:{err.port}"
    if isinstance(err, aiohttp.ClientConnectorDNSError):
        return f"{where}: the host name did not resolve ({err.os_error.strerror or err.os_error})"
    code = err.os_error.errno
    reason = (
        os.strerror(code) if isinstance(code, int) and code > 0 else str(err.os_error) or type(err.os_error).__name__
    )
    return f"{where}: {reason}"


def tls_message(err: aiohttp.ClientSSLError | aiohttp.ClientConnectorCertificateError) -> str:
    """What failed in the handshake and the likely fix."""
    reason = str(getattr(err, "certificate_error", None) or err.os_error)
    where = f"{err.host}:{err.port}"
    if isinstance(err, aiohttp.ClientConnectorCertificateError):
        what = f"TLS certificate verification failed for {where}: {reason}"
    else:
        what = f"TLS handshake with {where} failed: {reason}"
    return (
        f"{what}. If a corporate proxy inspects TLS or the server uses a private CA, trust that CA: "
        "BigdataClient(ssl='system') (or BIGDATA_SSL=system) to use the operating system's trust store (extra "
        "[truststore]), ssl='/path/to/ca-bundle.pem', or ssl=an ssl.SSLContext; if your network requires a proxy, "
        "set proxy= or HTTPS_PROXY"
    )


def _decoded(raw: bytes, content_type: str) -> str:
    """The body as text: UTF-8 (JSON's encoding) when it is that, else the charset the answer declares, else
    Latin-1, which reads every byte, so a secret sent in a legacy encoding is still whole to the redactor."""
    try:
        # Incremental: a body cut by the cap may end inside a character, which is dropped rather than refused.
        return codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError:
        pass
    charset = content_type.partition("charset=")[2].split(";")[0].strip().strip('"') or "latin-1"
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return raw.decode("latin-1")


def clean_body(raw: bytes, content_type: str, redactor: Redactor, *, cut: bool) -> Any:
    """An answer's body with the request's secrets taken out, by meaning first (DESIGN.md, "Secrets and
    redaction"): a JSON body is decoded, then cleaned string by string (keys too), whatever escaping the server
    used; anything else is text, cleaned by the secrets' spellings (``cut``: the body was capped, so the end of
    the text kept may hold half a secret: it goes). An HTML page (a proxy's, a firewall's) is folded to one line.
    None for an empty body."""
    if not cut:
        try:
            # pydantic-core's parser has a depth limit (a deeply nested body is a ValueError there, where
            # json.loads would raise RecursionError); anything it refuses is kept as text.
            return redactor.value(pydantic_core.from_json(raw))
        except ValueError:
            pass
    text = _decoded(raw, content_type)
    if not text.strip():
        return None
    text = redactor.text(text)
    if cut:  # its last characters may hold the start of a secret whose end the cap cut off
        text = text[: max(0, len(text) - redactor.margin)]
    if "html" in content_type or text.lstrip()[:1] == "<":
        return " ".join(text.split())
    return text


def status_error(
    status: int,
    reason: str,
    body: Any,
    headers: Mapping[str, str],
    *,
    method: str,
    path: str,
    retry_after: float | None,
) -> APIStatusError:
    """Build the typed error for a non-2xx answer from its status, its body (already cleaned: ``clean_body``)
    and its headers."""
    fields = body if isinstance(body, dict) else {}
    message = fields.get("message") or fields.get("Message") or reason or "HTTP error"
    if not isinstance(message, str):
        message = json.dumps(message)
    if message == _NO_ROUTE:
        message = f"{_NO_ROUTE}: the gateway knows no such route; check base_url and the path"
    elif isinstance(body, str) and body.startswith("<"):
        message = f"{reason or 'HTTP error'} (the answer is an HTML page, likely from a proxy or firewall)"
    request_id = fields.get("requestId") or next((headers[h] for h in _REQUEST_ID_HEADERS if h in headers), None)
    cls = STATUS_CLASSES.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    error_code = fields.get("errorCode")
    return cls(
        message,
        status_code=status,
        method=method,
        path=path,
        body=body,
        error_code=str(error_code) if error_code is not None else None,
        request_id=str(request_id) if request_id is not None else None,
        retry_after=retry_after,
        headers=headers,
    )


def answer_error(
    status: int,
    headers: Mapping[str, str],
    reason: str,
    raw: bytes,
    method: str,
    path: str,
    redact: Redactor,
    *,
    cut: bool = False,
) -> APIStatusError:
    """The typed error for a non-2xx answer, with everything copied from it redacted (``cut``: the body was
    capped at ``ERROR_BODY_LIMIT``)."""
    retry_after = parse_retry_after(headers) if status in (429, 503) else None
    error = status_error(
        status,
        redact.text(reason),
        clean_body(raw, headers.get("Content-Type", ""), redact, cut=cut),
        redact.headers(headers),
        method=method,
        path=path,
        retry_after=retry_after,
    )
    if retry_after is not None and retry_after > MAX_RETRY_AFTER:
        error.message += f" (Retry-After {retry_after:.0f}s exceeds the {MAX_RETRY_AFTER:.0f}s this client waits)"
    return error
