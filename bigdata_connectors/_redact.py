r"""Secrets never leave the SDK: the one place that knows them and takes them out of what goes out.

A ``Redactor`` holds every secret a client knows: its API key from the start, whatever else is
registered later (proxy credentials, for one), and for one request the passwords and session ids
that request carries (``including``). Every error message, body, header, log line and exception cause
the SDK builds from an answer or from aiohttp passes through it.

The rule is **meaning first, spelling as the fallback** (DESIGN.md, "Secrets and redaction"):

- ``value``: a JSON body is decoded first, and each secret is replaced by ``***`` in every decoded string,
  keys included. What the server meant is cleaned whatever escaping its encoder chose (Go's ``\u0026``,
  .NET's ``\u00E4``, PHP's ``\/``, surrogate pairs, raw UTF-8); the message, body and text of an error are
  then built from the cleaned value.
- ``text``: for what is not JSON (a plain or HTML body, a header, a reason phrase, aiohttp's text, and
  every decoded string above), one pattern per secret matches it in any mix, character by character, of
  its spellings: as is, any letter case, JSON escapes (``\uXXXX`` in any hex case, surrogate pairs,
  ``\/``, ``\"``, ``\\``), percent-encoding (any hex case, ``+`` for a space), HTML character
  references, and Python's ``\xNN`` (a repr of text or bytes). A double escape contains a single one, so it
  is caught too.
- ``excerpt``: text the SDK cuts (a preview, a capped body) is cut only after redaction, and never keeps
  the start of a secret cut in half.

Two more tools for errors whose inputs are not ours to know:

- ``masked_validation_error``: a request payload's pydantic ``ValidationError`` with every string the
  caller passed replaced (a misspelled ``"pasword"`` key may hold a password nobody registered). The
  field path, error type and message stay, so the error still says what to change.
- ``scrubbed_cause``: aiohttp's exception, kept as the ``__cause__`` of ours only when its type holds
  no request data; otherwise a ``TransportError`` carrying its type name and redacted message.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping
from typing import Any

import aiohttp
import pydantic
import pydantic_core
from multidict import CIMultiDict, CIMultiDictProxy

from bigdata_connectors._errors import TransportError
from bigdata_connectors._model_hooks import secret_field_names

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
# The short JSON escapes, and the named HTML character references, of the characters that have one.
_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HTML_NAMES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
# The longest spelling one character may take above (four ``\xNN`` bytes): a text cut by the SDK loses this many
# characters per character of the longest secret at its end, so no secret's start survives a cut.
_WIDEST = 16


# A backslash escape, escaped again (JSON inside a JSON string, a repr of escaped text) gains backslashes before it (up to three
# levels are matched).
_BACKSLASHES = r"\\{1,8}"  # bounded: a long run of backslashes must not make matching quadratic


def _spelled(char: str) -> str:
    """A pattern matching ``char`` in any spelling a JSON encoder, a URL, an HTML page or a Python repr may give it,
    escaped once or more (compiled case-insensitively: hex digits in any case)."""
    code = ord(char)
    utf8 = char.encode("utf-8", "surrogatepass")
    escapes = []  # what follows the backslash(es) of a backslash escape
    if code > 0xFFFF:  # JSON writes it as a UTF-16 surrogate pair; Python's repr as \U0001f600
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        escapes += [f"u{high:04x}{_BACKSLASHES}u{low:04x}", f"U{code:08x}"]
    else:
        escapes.append(f"u{code:04x}")
    if char in _JSON_ESCAPES:
        escapes.append(re.escape(_JSON_ESCAPES[char][1:]))
    if char == "'":  # Python's repr of text holding both quotes
        escapes.append("'")
    if code < 0x100:  # Python's repr of text
        escapes.append(f"x{code:02x}")
    if code > 0x7F:  # Python's repr of bytes (aiohttp quotes the bytes of a broken answer that way)
        escapes.append(_BACKSLASHES.join(f"x{byte:02x}" for byte in utf8))
    forms = [_BACKSLASHES + "(?:" + "|".join(escapes) + ")"]
    forms.append("".join(f"%{byte:02x}" for byte in utf8))
    if char == " ":
        forms.append(r"\+")
    if char in _HTML_NAMES:
        forms.append(re.escape(_HTML_NAMES[char]))
    forms.append(rf"&\#0{{0,4}}{code};|&\#x0{{0,4}}{code:x};")
    forms.append(re.escape(char))  # last: an escape that starts with this very character is tried first
    return "(?:" + "|".join(forms) + ")"


def _backslashes(count: int) -> str:
    """A pattern matching a run of ``count`` backslashes of a secret: escaped once, twice or three times (each
    backslash doubled each time), or each spelled as a code (``\\u005c``, ``%5c``, ``&#92;``). As one unit, with a
    fixed count: a choice per backslash would make matching a long run of them exponential."""
    one = _BACKSLASHES + r"(?:u005c|x5c)|%5c|&\#0{0,4}92;|&\#x0{0,4}5c;"
    return "(?:" + "|".join([f"(?:{one}){{{count}}}", *(rf"\\{{{count * n}}}" for n in (8, 4, 2, 1))]) + ")"


def _pattern(secret: str) -> str:
    runs = re.findall(r"\\+|[^\\]", secret, flags=re.DOTALL)
    return "".join(_backslashes(len(run)) if run[0] == "\\" else _spelled(run) for run in runs)


class Redactor:
    """The secrets of one client (plus, via ``including``, of one request); see the module docstring."""

    __slots__ = ("_compiled", "_secrets")

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: tuple[str, ...] = ()
        self._compiled: re.Pattern[str] | None = None
        self.register(*secrets)

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"

    def register(self, *secrets: str) -> None:
        """Add secrets (e.g. proxy credentials) to redact from now on. Empty strings are ignored."""
        known = set(self._secrets)
        known.update(s for s in secrets if isinstance(s, str) and s)
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = tuple(sorted(known, key=lambda s: (-len(s), s)))
        self._compiled = None  # built on first use: most requests never need it

    def including(self, secrets: Iterable[str]) -> Redactor:
        """A redactor for one request: these secrets on top of the client's."""
        extra = [s for s in secrets if s]
        if not extra:
            return self
        return Redactor([*self._secrets, *extra])

    @property
    def _regex(self) -> re.Pattern[str] | None:
        if self._compiled is None and self._secrets:
            self._compiled = re.compile("|".join(map(_pattern, self._secrets)), re.IGNORECASE)
        return self._compiled

    @property
    def margin(self) -> int:
        """Characters that may hold the start of a secret cut in half at the end of a cut text."""
        return _WIDEST * len(self._secrets[0]) if self._secrets else 0

    def contains_secret(self, text: str) -> bool:
        regex = self._regex
        return regex is not None and regex.search(text) is not None

    def text(self, text: str) -> str:
        """``text`` with every secret, in any of its spellings, replaced by ``***``."""
        regex = self._regex
        return regex.sub(REDACTED, text) if regex is not None else text

    def excerpt(self, text: str, limit: int, *, cut: bool = False) -> str:
        """At most ``limit`` characters of ``text``, secrets replaced, cut after redaction. ``cut``: ``text`` is
        itself the start of something longer. Where anything was cut off, the last ``margin`` characters before
        the cut go too: they may hold the start of a secret whose end was cut off."""
        window = text[: limit + self.margin]
        clean = self.text(window)
        if cut or len(window) < len(text):
            clean = clean[: max(0, len(clean) - self.margin)]
        return clean[:limit]

    def value(self, value: Any) -> Any:
        """A decoded JSON value (or pydantic error input) with secrets replaced in every string, keys included,
        and a number that spells a secret replaced whole. Bytes (a raw body) come back as cleaned text."""
        if self._regex is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes | bytearray):  # pydantic's input for a body that is not JSON: the raw bytes
            return self.text(bytes(value).decode("utf-8", errors="replace"))
        if isinstance(value, Mapping):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        if isinstance(value, int | float) and not isinstance(value, bool) and self.contains_secret(str(value)):
            return REDACTED
        return value

    def headers(self, headers: Mapping[str, str]) -> CIMultiDictProxy[str]:
        """Headers with secrets replaced in names and values (read-only, case-insensitive, repeats kept)."""
        return CIMultiDictProxy(CIMultiDict((self.text(k), self.text(v)) for k, v in headers.items()))


def secrets_in(value: Any) -> list[str]:
    """The secret strings in a request body as dumped by pydantic (python mode): every ``SecretStr``
    and every string under a secret-named key (``secret_field_names``: what the request models mark secret)."""
    found: list[str] = []
    names = secret_field_names()

    def walk(item: Any, secret: bool) -> None:
        if isinstance(item, pydantic.SecretStr):
            found.append(item.get_secret_value())
        elif isinstance(item, str):
            if secret:
                found.append(item)
        elif isinstance(item, Mapping):
            for key, sub in item.items():
                walk(sub, secret or (isinstance(key, str) and key.lower() in names))
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


def _rebuilt(err: pydantic.ValidationError, clean: Any, *, keys: Any = None) -> pydantic.ValidationError:
    """``err`` rebuilt with ``clean`` applied to each input (and ``keys`` to the keys in each location)."""
    line_errors: list[Any] = []
    for item in err.errors(include_url=False):
        loc = item["loc"] if keys is None else tuple(keys(part) for part in item["loc"])
        line: dict[str, Any] = {"type": item["type"], "loc": loc, "input": clean(item["input"])}
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
    """A copy of an answer's ``ValidationError`` with the client's known secrets redacted from its inputs and
    from the keys its locations name (a key of the answer may spell one)."""
    return _rebuilt(err, redactor.value, keys=redactor.value)


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
