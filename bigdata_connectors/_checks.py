"""Arguments checked once, at the public entry, before anything is sent: connector ids, content ids,
``date_limit``, durations, page sizes.

Each function raises ``ValueError`` (a malformed value) or ``TypeError`` (a value of the wrong kind)
with a message that says what to pass instead. What has been checked here is not checked again below.
"""

from __future__ import annotations

import functools
import math
import re
from datetime import UTC, date, datetime
from uuid import UUID

from bigdata_connectors._types import ConnectorId

__all__ = [
    "CONNECTORS_PATH",
    "MAX_DURATION",
    "MAX_PAGE_SIZE",
    "aware",
    "connector_path",
    "connector_uuid",
    "content_id",
    "duration",
    "optional_timeout",
    "page_size",
    "parse_date_limit",
    "settle",
    "wait_args",
]

CONNECTORS_PATH = "/contents/v1/connectors"
MAX_PAGE_SIZE = 100  # documents per page, the most the API serves
# The longest wait, in seconds (100 years): its deadline must still fit a datetime (year 9999), with room to spare.
MAX_DURATION = 100 * 365.25 * 86_400

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTENT_ID = re.compile(r"[0-9A-Fa-f]{32}")


def connector_uuid(connector_id: ConnectorId) -> UUID:
    """The connector id as a UUID; raises ValueError for anything that is not one."""
    if isinstance(connector_id, UUID):
        return connector_id
    try:
        return UUID(str(connector_id))
    except ValueError:
        raise ValueError(f"connector_id must be a UUID, got {connector_id!r}") from None


def connector_path(connector_id: ConnectorId) -> str:
    """The connector's URL path; a non-UUID id fails here, before anything is sent."""
    if isinstance(connector_id, str) and (path := _canonical_path(connector_id)) is not None:
        return path  # the common case, without a UUID round trip
    return f"{CONNECTORS_PATH}/{connector_uuid(connector_id)}"


@functools.lru_cache(maxsize=4096)
def _canonical_path(connector_id: str) -> str | None:
    # A program asks about the same few connectors again and again (polls, get after list): remembering the
    # checked paths of the last few thousand ids saves a regular expression match per call.
    return f"{CONNECTORS_PATH}/{connector_id}" if _CANONICAL_UUID.fullmatch(connector_id) else None


def content_id(value: str) -> str:
    """A document's content id: 32 hexadecimal characters (not a UUID), sent in upper case as the API
    shows them. Raises TypeError (not a str) or ValueError (any other shape)."""
    if not isinstance(value, str):
        raise TypeError(f"a document id is a string of 32 hex characters, got {type(value).__name__}")
    if not _CONTENT_ID.fullmatch(value):
        raise ValueError(
            f"a document id is 32 hexadecimal characters (e.g. 7FA511999C3984CB75005890B15A7096), got {value!r}"
        )
    return value.upper()


def parse_date_limit(value: date | datetime | str) -> date:
    """``date_limit`` as a date: a ``date``; a string exactly ``YYYY-MM-DD``; or an aware ``datetime``,
    which stands for its UTC date. A naive datetime is refused (its day is ambiguous).

    Raises TypeError (another type) or ValueError (another string shape, an impossible date, a naive datetime).
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                "date_limit as a datetime must be timezone-aware (its UTC date is used); pass a date or 'YYYY-MM-DD'"
            )
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(f"date_limit must be a date or a 'YYYY-MM-DD' string, got {type(value).__name__}")
    if _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(
        f"date_limit must be a date or an ISO date string, exactly 'YYYY-MM-DD' (e.g. '2026-01-31'), got {value!r}"
    )


def duration(name: str, seconds: float, *, zero: bool = False, rule: str = "") -> None:
    """Raise TypeError (not a number) or ValueError (naming ``name``, then ``rule``) unless ``seconds`` is a real
    number of seconds above 0 (or 0 with ``zero``) and at most ``MAX_DURATION``: a wait's deadline is a
    ``datetime``, which cannot hold much more (``timeout=1e12`` would overflow it)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {type(seconds).__name__}")
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not zero) or seconds > MAX_DURATION:
        low = ">= 0" if zero else "> 0"
        raise ValueError(f"{name} must be a finite number of seconds {low} and at most {MAX_DURATION:.0f} "
                         f"(100 years), got {seconds!r}{rule}")  # fmt: skip


_WAIT_RULE = " (a wait needs timeout > 0 and 0 < poll_interval <= max_poll_interval, in seconds)"


def wait_args(timeout: float, poll_interval: float, max_poll_interval: float) -> None:
    """Raise ValueError unless each is a ``duration`` and poll_interval <= max_poll_interval (seconds)."""
    duration("timeout", timeout, rule=_WAIT_RULE)
    duration("poll_interval", poll_interval, rule=_WAIT_RULE)
    duration("max_poll_interval", max_poll_interval, rule=_WAIT_RULE)
    if poll_interval > max_poll_interval:
        raise ValueError(f"poll_interval ({poll_interval!r}s) exceeds max_poll_interval ({max_poll_interval!r}s)"
                         f"{_WAIT_RULE}")  # fmt: skip


def optional_timeout(timeout: float | None) -> None:
    """Raise ValueError unless ``timeout`` is None or a ``duration``."""
    if timeout is not None:
        duration("timeout", timeout)


def settle(seconds: float) -> None:
    """Raise ValueError unless ``documents_settle`` is a ``duration`` or 0."""
    duration("documents_settle", seconds, zero=True)


def page_size(value: int) -> int:
    """Raise ValueError unless ``value`` is an int from 1 to MAX_PAGE_SIZE."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be an int from 1 to {MAX_PAGE_SIZE}, got {value!r}")
    return value


def aware(name: str, value: datetime | None) -> None:
    """Raise ValueError unless ``value`` is None or a timezone-aware datetime."""
    if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
        raise ValueError(f"{name} must be a timezone-aware datetime (the API's timestamps are), got {value!r}")
