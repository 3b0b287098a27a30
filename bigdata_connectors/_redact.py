"""Secrets never leave the SDK: the one place that knows them and takes them out of what goes out.

A ``Redactor`` holds every secret a client knows: its API key from the start, whatever else is
registered later (proxy credentials, for one), and for one request the passwords and session ids
that request carries (``including``). Every error message, body, header and exception cause the SDK
builds from an answer or from aiohttp passes through it; a secret is replaced by ``***`` wherever
it appears, also in its JSON-escaped and URL-encoded spellings.

Two more tools for errors whose inputs are not ours to know:

- ``masked_validation_error``: a request payload's pydantic ``ValidationError`` with every string the
  caller passed replaced (a misspelled ``"pasword"`` key may hold a password nobody registered). The
  field path, error type and message stay, so the error still says what to change.
- ``scrubbed_cause``: aiohttp's exception, kept as the ``__cause__`` of ours only when its type holds
  no request data; otherwise a ``TransportError`` carrying its type name and redacted message.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import aiohttp
import pydantic
import pydantic_core
from multidict import CIMultiDict

from bigdata_connectors._errors import TransportError

__all__ = [
    "REDACTED",
    "Redactor",
    "describe",
    "masked_validation_error",
    "redacted_validation_error",
    "scrubbed_cause",
    "secrets_in",
]

REDACTED = "***"
# Request fields whose values are secrets even where the model does not type them SecretStr.
SECRET_FIELDS = frozenset({"user_password", "session_id", "password", "api_key", "x-api-key"})


def _spellings(secret: str) -> set[str]:
    """The forms a secret may take in an echoed answer: as is, JSON-escaped, URL-encoded."""
    forms = {secret, json.dumps(secret)[1:-1], quote(secret, safe=""), quote_plus(secret)}
    return {form for form in forms if form}


class Redactor:
    """The secrets of one client (plus, via ``including``, of one request); see the module docstring."""

    __slots__ = ("_pattern", "_secrets")

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None
        self.register(*secrets)

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} forms of secrets)"

    def register(self, *secrets: str) -> None:
        """Add secrets (e.g. proxy credentials) to redact from now on. Empty strings are ignored."""
        forms = set(self._secrets)
        for secret in secrets:
            if isinstance(secret, str) and secret:
                forms |= _spellings(secret)
        self._secrets = frozenset(forms)
        # Longest first, so a secret that contains another is replaced whole.
        ordered = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def including(self, secrets: Iterable[str]) -> Redactor:
        """A redactor for one request: these secrets on top of the client's."""
        extra = [s for s in secrets if s]
        if not extra:
            return self
        child = Redactor()
        child._secrets = self._secrets
        child.register(*extra)
        return child

    def contains_secret(self, text: str) -> bool:
        return self._pattern is not None and self._pattern.search(text) is not None

    def text(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        return self._pattern.sub(REDACTED, text) if self._pattern is not None else text

    def value(self, value: Any) -> Any:
        """A parsed JSON value (or pydantic error input) with secrets replaced in every string, keys included."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def headers(self, headers: Mapping[str, str]) -> CIMultiDict[str]:
        """Headers with secrets replaced in names and values (still case-insensitive, repeats kept)."""
        return CIMultiDict((self.text(k), self.text(v)) for k, v in headers.items())


def secrets_in(value: Any) -> list[str]:
    """The secret strings in a request body as dumped by pydantic (python mode): every ``SecretStr``
    and every string under a secret-named key (``SECRET_FIELDS``)."""
    found: list[str] = []

    def walk(item: Any, secret: bool) -> None:
        if isinstance(item, pydantic.SecretStr):
            found.append(item.get_secret_value())
        elif isinstance(item, str):
            if secret:
                found.append(item)
        elif isinstance(item, Mapping):
            for key, sub in item.items():
                walk(sub, secret or (isinstance(key, str) and key.lower() in SECRET_FIELDS))
        elif isinstance(item, list | tuple):
            for sub in item:
                walk(sub, secret)

    walk(value, False)
    return found


# ---------------------------------------------------------------- pydantic errors


def _mask(value: Any) -> Any:
    """The caller's input with every string (and anything else unknown) replaced; structure and keys kept."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {k if isinstance(k, str) else REDACTED: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    if isinstance(value, pydantic.BaseModel):
        return f"<{type(value).__name__}>"
    return REDACTED


def _rebuilt(err: pydantic.ValidationError, clean: Any) -> pydantic.ValidationError:
    line_errors: list[Any] = []
    for item in err.errors(include_url=False):
        line: dict[str, Any] = {"type": item["type"], "loc": item["loc"], "input": clean(item["input"])}
        ctx = dict(item.get("ctx") or {})
        if "error" in ctx:  # a validator's exception: only its text is kept, cleaned
            ctx["error"] = clean(str(ctx["error"]))
        if ctx:
            line["ctx"] = ctx
        line_errors.append(line)
    try:
        return pydantic.ValidationError.from_exception_data(err.title, line_errors, hide_input=True)
    except (KeyError, TypeError, ValueError):  # a custom error type pydantic-core cannot rebuild by name
        for line, item in zip(line_errors, err.errors(include_url=False), strict=True):
            line["type"] = pydantic_core.PydanticCustomError(item["type"], str(clean(item["msg"])))
            line.pop("ctx", None)
        return pydantic.ValidationError.from_exception_data(err.title, line_errors, hide_input=True)


def masked_validation_error(err: pydantic.ValidationError) -> pydantic.ValidationError:
    """A copy of a request payload's ``ValidationError`` that holds none of the caller's strings.

    Same class (a ``ValueError``), same field paths, types and messages; ``input`` masked in
    ``.errors()``, hidden from ``str()``; no ``__cause__``/``__context__``. Raise it outside the
    ``except`` block that caught ``err``, so ``err`` does not ride along as its context.
    """
    return _rebuilt(err, _mask)


def redacted_validation_error(err: pydantic.ValidationError, redactor: Redactor) -> pydantic.ValidationError:
    """A copy of an answer's ``ValidationError`` with the client's known secrets redacted from its inputs."""
    return _rebuilt(err, redactor.value)


# ---------------------------------------------------------------- aiohttp causes

# aiohttp exceptions whose state is only a message or an errno: nothing of the request rides along.
_PLAIN_CAUSES: tuple[type[BaseException], ...] = (
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    aiohttp.ServerTimeoutError,
    aiohttp.ConnectionTimeoutError,
    asyncio.TimeoutError,
    ConnectionError,
)
# Those that carry the request (headers with the key), the connection key (proxy credentials) or
# the response history: never kept.
_RICH_CAUSES: tuple[type[BaseException], ...] = (
    aiohttp.ClientResponseError,
    aiohttp.ClientConnectorError,
    aiohttp.ClientSSLError,
)


def scrubbed_cause(err: BaseException, redactor: Redactor) -> BaseException:
    """What may stand as the ``__cause__`` of an SDK error for aiohttp's ``err``: ``err`` itself when
    its type holds no request data and its text no secret (its own chain scrubbed the same way),
    else a ``TransportError`` with its type name and redacted message and no chain."""
    if (
        isinstance(err, _PLAIN_CAUSES)
        and not isinstance(err, _RICH_CAUSES)
        and not redactor.contains_secret(f"{err!s} {err!r}")
    ):
        for attr in ("__cause__", "__context__"):
            inner = getattr(err, attr)
            if inner is not None:
                setattr(err, attr, scrubbed_cause(inner, redactor))
        return err
    name = f"{type(err).__module__}.{type(err).__qualname__}"
    return TransportError(f"{name}: {redactor.text(describe(err))}")


def describe(err: BaseException) -> str:
    """A one-line account of aiohttp's exception from its safe parts only."""
    text = err.message if isinstance(err, aiohttp.ClientResponseError) else str(err)
    return " ".join(text.split()) or type(err).__name__
