"""What crosses the wire: request bodies encoded, answers parsed into models or mapped to errors.

No session and no retrying here (that is ``_http``); these functions turn bytes and aiohttp's
exceptions into the SDK's models and errors.
"""

from __future__ import annotations

from typing import Any, TypeVar

import aiohttp
import pydantic
import pydantic_core
from pydantic import BaseModel, SecretStr

from bigdata_connectors._errors import APIConnectionError, APITimeoutError, ResponseValidationError

__all__ = ["connection_error", "encode_body", "parse_model"]

ModelT = TypeVar("ModelT", bound=BaseModel)

_NO_BODY_STATUS = frozenset({202, 204})


def _reveal(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


def encode_body(model: BaseModel) -> bytes:
    """JSON bytes of a request model: fields the caller set (explicit nulls included), by alias.

    Secrets are revealed here and only here: pydantic's JSON mode would send ``"**********"``.
    """
    return pydantic_core.to_json(_reveal(model.model_dump(mode="python", by_alias=True, exclude_unset=True)))


def parse_model(
    model: type[ModelT], raw: bytes, status: int, method: str, path: str, allow_empty: bool
) -> ModelT | None:
    if allow_empty and (status in _NO_BODY_STATUS or not raw.strip()):
        return None
    try:
        return model.model_validate_json(raw)
    except pydantic.ValidationError as err:
        text = raw.decode("utf-8", errors="replace")
        kind = "is not JSON" if any(e["type"] == "json_invalid" for e in err.errors()) else "does not fit the model"
        raise ResponseValidationError(
            f"the {model.__name__} answer {kind}: {err.errors()[0]['msg']}",
            method=method,
            path=path,
            status_code=status,
            body=text[:1000],
        ) from err


def connection_error(err: BaseException, method: str, path: str, timeout: float | None) -> APIConnectionError:
    """Our error for an attempt that got no answer; ``request_sent=False`` only when it provably never left."""
    where = {"method": method, "path": path}
    if isinstance(err, aiohttp.ConnectionTimeoutError):
        return APITimeoutError(f"timed out connecting: {err}", **where, request_sent=False)
    if isinstance(err, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        # Not transient: retrying would only fail the same way. Marked as never sent, so create may try
        # again, as may everything else; each attempt fails fast.
        return APIConnectionError(f"TLS failure: {err}", **where, request_sent=False)
    if isinstance(err, aiohttp.ClientConnectorError):
        return APIConnectionError(f"could not connect: {err}", **where, request_sent=False)
    if isinstance(err, TimeoutError | aiohttp.ServerTimeoutError):
        return APITimeoutError(f"no response within {timeout or 0:.3g}s", **where, request_sent=True)
    return APIConnectionError(f"connection failed: {type(err).__name__}: {err}", **where, request_sent=True)
