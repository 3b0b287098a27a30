"""Servers that echo a secret back, spelled as real JSON encoders spell it, and a search of everything a user
can see for any of those spellings (issue 21: redaction by meaning, not by spelling).

The encoders are our own, written from what each one is documented to do with a string:

- ``python``: ``json.dumps`` (``ensure_ascii``: ``\\u00e4``, a surrogate pair for an emoji);
- ``python-utf8``: ``json.dumps(ensure_ascii=False)``: raw UTF-8;
- ``go``: Go's ``encoding/json`` default, HTML-safe: ``<``, ``>``, ``&`` as ``\\u003c \\u003e \\u0026`` (and
  U+2028/2029), everything else raw UTF-8;
- ``dotnet``: System.Text.Json's default encoder: every non-ASCII character and ``< > & ' + " `` as ``\\uXXXX``
  in upper-case hex (``\\u00E4``, ``\\u0022``);
- ``php``: ``json_encode``'s default: non-ASCII as ``\\u00e4`` (surrogate pairs), and ``/`` as ``\\/``;
- ``every``: every character of a string as ``\\uXXXX`` (legal, if unusual), upper-case hex.
"""

from __future__ import annotations

import html
import json
import logging
import traceback
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus

import pydantic

__all__ = ["ENCODERS", "echo_body", "seen_by_user", "spellings"]

_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _u(code: int, upper: bool) -> str:
    return f"\\u{code:04X}" if upper else f"\\u{code:04x}"


def _string(text: str, escape: Callable[[str], bool], *, upper: bool, slash: bool) -> str:
    parts = []
    for char in text:
        code = ord(char)
        if escape(char) or (code < 0x20 and char not in _SHORT):
            if code > 0xFFFF:
                high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
                parts.append(_u(high, upper) + _u(low, upper))
            else:
                parts.append(_u(code, upper))
        elif char in _SHORT:
            parts.append(_SHORT[char])
        elif char == "/" and slash:
            parts.append("\\/")
        else:
            parts.append(char)
    return '"' + "".join(parts) + '"'


def _styled(escape: Callable[[str], bool], *, upper: bool = False, slash: bool = False) -> Callable[[Any], str]:
    def dumps(value: Any) -> str:
        if isinstance(value, str):
            return _string(value, escape, upper=upper, slash=slash)
        if isinstance(value, dict):
            return "{" + ",".join(f"{dumps(k)}:{dumps(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ",".join(dumps(v) for v in value) + "]"
        return json.dumps(value)

    return dumps


ENCODERS: dict[str, Callable[[Any], str]] = {
    "python": json.dumps,
    "python-utf8": lambda value: json.dumps(value, ensure_ascii=False),
    "go": _styled(lambda c: c in "<>&\u2028\u2029"),
    "dotnet": _styled(lambda c: ord(c) > 0x7E or c in "<>&'+\"`", upper=True),
    "php": _styled(lambda c: ord(c) > 0x7F, slash=True),
    "every": _styled(lambda c: True, upper=True),
}


def spellings(secret: str) -> set[str]:
    """Every form of ``secret`` an echo may take: as is, each encoder's, URL-encoded, HTML-escaped."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), html.escape(secret)}
    forms |= {encode(secret)[1:-1] for encode in ENCODERS.values()}
    return {form for form in forms if form}


def echo_body(secret: str) -> dict[str, Any]:
    """An error body that hands ``secret`` back in every place a server might: the message, a nested field, a key,
    a list, the error code and the request id."""
    return {
        "message": f"login failed for user me with password {secret}",
        "errorCode": f"BAD_PASSWORD_{secret}",
        "requestId": secret,
        "detail": {"password": secret, secret: [secret, {"again": f"<{secret}>"}]},
    }


def _exception_texts(exc: BaseException) -> Iterable[str]:
    yield "".join(traceback.format_exception(exc))  # what --debug prints: the whole chain
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield from (str(current), repr(current), repr(current.args), repr(getattr(current, "__dict__", {})))
        for name in ("message", "body", "headers", "error_code", "request_id"):
            value = getattr(current, name, None)
            yield from (str(value), repr(value))
        if isinstance(current, pydantic.ValidationError):
            yield from (repr(current.errors()), current.json(), str(current))
        stack += [e for e in (current.__cause__, current.__context__) if e is not None]


def seen_by_user(
    secret: str,
    *,
    errors: Iterable[BaseException] = (),
    records: Iterable[logging.LogRecord] = (),
    texts: Iterable[str] = (),
) -> list[str]:
    """Where a spelling of ``secret`` survives: in an error (its text, repr, fields, ``.errors()``, whole chain,
    traceback), a log record, or other text a user sees (CLI output, raw response headers). Empty: nowhere."""
    everything = [t for e in errors for t in _exception_texts(e)]
    everything += [f"{r.getMessage()} {r.exc_text or ''}" for r in records]
    everything += list(texts)
    forms = spellings(secret)
    return sorted({f"{form!r} in {text[:160]!r}" for text in everything for form in forms if form in text})
