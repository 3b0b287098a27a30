"""Text as the command line shows it: server strings made harmless, and one human format for values.

Standard library only (no rich), so every command can use it at no start-up cost.

Anything that came from a server (labels, descriptions, file names, statuses, error messages) is data: a
terminal must never receive its control characters. ``safe`` writes them out visibly instead (``\\x1b``,
``\\n``, ``\\u202e``): C0 and C1 controls, DEL, the bidirectional overrides and isolates, and the Unicode line
and paragraph separators. ``safe_json`` is ``json.dumps`` with the same characters written as JSON escapes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "cell_len",
    "clip",
    "count",
    "duration",
    "one_line",
    "safe",
    "safe_json",
    "size",
    "when",
    "wrap",
    "yes_no",
]

# C0, DEL and C1 controls; ALM, LRM, RLM; the bidi embeddings/overrides and isolates; line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe(text: object) -> str:
    """``text`` (``str()`` of it) with every control character written out visibly: printable on any terminal,
    and always one line (a newline becomes ``\\n``)."""
    value = text if isinstance(text, str) else str(text)
    return _UNSAFE.sub(_visible, value)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def safe_json(data: Any) -> str:
    """One line of JSON (non-ASCII letters kept as they are), with every character ``safe`` escapes written
    as a JSON ``\\uXXXX`` escape: the same data for a parser, nothing a terminal would act on."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _UNSAFE.sub(_json_escape, text)  # such characters occur only inside strings, where \\uXXXX is valid


def one_line(text: str) -> str:
    """``safe`` text with runs of spaces collapsed: for messages."""
    return " ".join(safe(text).split())


def cell_len(text: str) -> int:
    """Columns ``text`` takes on a terminal: East Asian wide characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def wrap(text: str, width: int) -> list[str]:
    """``text`` folded into lines of at most ``width`` columns, at spaces where possible."""
    if width <= 0 or cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    rest = text
    while cell_len(rest) > width:
        cut = _fit(rest, width)
        space = rest.rfind(" ", 0, cut + 1)
        if space > 0:
            lines.append(rest[:space].rstrip())
            rest = rest[space + 1 :]
        else:
            lines.append(rest[:cut])
            rest = rest[cut:]
    lines.append(rest)
    return lines


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, ending in an ellipsis when cut."""
    if cell_len(text) <= width:
        return text
    return text[: _fit(text, max(width - 1, 0))] + "…"


def _fit(text: str, width: int) -> int:
    """How many characters of ``text`` fit in ``width`` columns (at least one)."""
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            return max(index, 1)
    return len(text)


# ---------------------------------------------------------------- one human format for values, in every command


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def when(moment: datetime | None) -> str:
    """A timestamp as UTC, to the second: ``2026-02-11 11:01:09Z``."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def count(value: int | None) -> str:
    """``1,234``; empty for an unknown count."""
    return "" if value is None else f"{value:,}"


def size(raw: int | None) -> str:
    """Bytes in decimal units: ``654 B``, ``654.2 kB``, ``1.2 MB``."""
    if raw is None:
        return ""
    value = float(raw)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{raw} B"  # pragma: no cover - the loop always returns


def duration(seconds: float) -> str:
    """Seconds as people read them: ``0.4s``, ``63.2s`` below two minutes, then ``4m05s``, ``1h02m``."""
    if seconds < 120:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
