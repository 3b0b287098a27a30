"""Text the wing shows people: server strings made harmless, and what went wrong said in words.

Labels, descriptions, types and addresses come from a server (or from a web app where anyone typed them). Where
the wing writes them for a person (``Plan.render``, an outcome's line, a comment of an exported file) their
control characters are written out visibly (``\\x1b``, ``\\n``, ``\\u202e``) instead of reaching a terminal or an
editor: C0 and C1 controls, DEL, the bidirectional marks, embeddings, overrides and isolates, the Unicode line and
paragraph separators, and the code points a YAML reader refuses (lone surrogates, U+FEFF, U+FFFE, U+FFFF). The
data forms (``to_dict``, the plan file, the values of an exported file) keep the values themselves.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bigdata_connectors._errors import APIConnectionError, APIStatusError, APITimeoutError, ResponseValidationError

__all__ = ["in_words", "visible", "visible_json"]

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _written_out(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every unsafe character written out (one line, printable on any terminal)."""
    return _UNSAFE.sub(_written_out, text)


# The same less C0, which json.dumps escapes inside strings already (outside them it is the indentation's newlines).
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def visible_json(value: Any, *, indent: int | None = None) -> str:
    """``json.dumps`` keeping letters as they are, with every unsafe character as a ``\\uXXXX`` escape: the same
    data for a parser (such characters occur only inside strings, where the escape is valid)."""
    return _JSON_UNSAFE.sub(_json_escape, json.dumps(value, ensure_ascii=False, indent=indent))


def in_words(err: BaseException) -> str:
    """What went wrong, said for a person: the API's answer, no answer, an answer that could not be read, or the
    error's own message (the SDK's errors say what happened). Never a Python class name."""
    if isinstance(err, APIStatusError):
        return f"the API answered {err}"
    if isinstance(err, APITimeoutError):
        return f"no answer from the API in time ({err})"
    if isinstance(err, APIConnectionError):
        return f"no answer from the API ({err})" if err.request_sent else f"could not reach the API ({err})"
    if isinstance(err, ResponseValidationError):
        return f"the API's answer could not be read ({err})"
    return str(err) or "it failed without a message"
