"""The sync token: a ``SyncHandle`` as compact, versioned, secret-free text.

Format (version 2, written): ``bdsync2.<connector>.<baseline>.<started_at>.<deadline>.<check>``: the connector id
as 32 hex digits, each time as decimal microseconds since the Unix epoch in UTC (``-`` for a baseline or deadline
that is None), and ``check``, the first 12 hex digits of the SHA-256 of everything before it. Only digits, ``a-f``,
``-`` and dots: a token reads the same in a shell, a URL, a log line or a YAML file, and no log masker takes it
for a secret (Airflow's masks anything that looks like a JWT, ``eyJ...``: base64 of ``{"``, which is how version 1
began).

Version 1, still read: ``bdsync1.<payload>.<check>``, ``payload`` unpadded base64url of compact JSON
``{"c": connector id (32 hex), "b": baseline, "s": started_at, "d": deadline}`` (times as above, ``b`` and ``d``
may be null), ``check`` the first 12 hex digits of the SHA-256 of ``bdsync1.<payload>``.

The check is an integrity check, not a signature: it catches a token cut short, mangled in transit or
edited by hand, so a damaged token fails loudly instead of waiting on the wrong connector or baseline. It
does not stop anyone from crafting a token on purpose (the algorithm is public and there is no secret),
and it need not: a token grants nothing; every request still needs the caller's own API key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

__all__ = ["TOKEN_VERSION", "SyncToken", "decode_token", "encode_token"]

TOKEN_VERSION = 2
_PREFIX = "bdsync"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_VERSION = re.compile(r"bdsync([0-9]+)\.")
_V1 = re.compile(r"bdsync1\.([A-Za-z0-9_-]+)\.([0-9a-f]+)")
_V2 = re.compile(r"bdsync2\.([0-9a-f]{32})\.(-|[0-9]+)\.([0-9]+)\.(-|[0-9]+)\.([0-9a-f]{12})")
_MAX_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class SyncToken:
    """What a sync token (``SyncHandle.token()``) says, read without a client: ``connector_id``, ``baseline``
    (the connector's ``last_sync_at`` before the trigger, or None), ``started_at`` and ``deadline`` (aware UTC
    datetimes; the deadline may be None). To wait on it, use ``client.connectors.resume_sync(token)``."""

    connector_id: UUID
    baseline: datetime | None
    started_at: datetime
    deadline: datetime | None

    @classmethod
    def parse(cls, token: str) -> SyncToken:
        """Read a token. Sends nothing. Raises TypeError (not a str) or ValueError (not a sync token, damaged or
        altered, or from a newer SDK's format)."""
        return decode_token(token)

    def __str__(self) -> str:
        return encode_token(self)


def _micros(when: datetime | None) -> int | None:
    if when is None:
        return None
    delta = when.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _when(value: Any, name: str, *, optional: bool) -> datetime | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _damaged(f"{name} is not a timestamp")
    try:
        return _EPOCH + timedelta(microseconds=value)
    except OverflowError:
        raise _damaged(f"{name} is out of range") from None


def _check(signed: str) -> str:
    return hashlib.sha256(signed.encode("ascii")).hexdigest()[:12]


def _damaged(why: str) -> ValueError:
    return ValueError(
        f"this sync token is damaged or was altered ({why}); use the token exactly as token() returned it"
    )


def encode_token(token: SyncToken) -> str:
    def field(when: datetime | None) -> str:
        micros = _micros(when)
        return "-" if micros is None else str(micros)

    signed = ".".join(
        [
            f"{_PREFIX}{TOKEN_VERSION}",
            token.connector_id.hex,
            field(token.baseline),
            field(token.started_at),
            field(token.deadline),
        ]
    )
    return f"{signed}.{_check(signed)}"


def decode_token(text: str) -> SyncToken:
    """Raises TypeError (not a str) or ValueError (not a sync token, a newer format, damaged or altered)."""
    if not isinstance(text, str):
        raise TypeError(f"a sync token is a str (from SyncHandle.token()), got {type(text).__name__}")
    text = text.strip()
    if not text.startswith(_PREFIX) or len(text) > _MAX_LENGTH:
        raise ValueError("this is not a sync token: tokens come from SyncHandle.token() and start with 'bdsync'")
    version = _VERSION.match(text)
    if version is None:
        raise _damaged("its shape is wrong")
    number = int(version.group(1))
    if number > TOKEN_VERSION:
        raise ValueError(
            f"this sync token has format version {number}, newer than this SDK reads (up to {TOKEN_VERSION}): "
            "upgrade bigdata-connectors where the sync is resumed"
        )
    if number == 2:
        return _decode_v2(text)
    if number == 1:
        return _decode_v1(text)
    raise _damaged(f"unknown format version {number}")


def _verified(text: str, check: str) -> None:
    if check != _check(text[: text.rindex(".")]):
        raise _damaged("checksum mismatch")


def _decode_v2(text: str) -> SyncToken:
    shape = _V2.fullmatch(text)
    if shape is None:
        raise _damaged("its shape is wrong")
    _verified(text, shape.group(5))
    connector, baseline, started, deadline = (shape.group(i) for i in range(1, 5))
    started_at = _when(int(started), "started_at", optional=False)
    assert started_at is not None
    return SyncToken(
        UUID(hex=connector),
        _when(None if baseline == "-" else int(baseline), "baseline", optional=True),
        started_at,
        _when(None if deadline == "-" else int(deadline), "deadline", optional=True),
    )


def _decode_v1(text: str) -> SyncToken:
    shape = _V1.fullmatch(text)
    if shape is None:
        raise _damaged("its shape is wrong")
    _verified(text, shape.group(2))
    body = shape.group(1)
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _damaged("its payload is not readable") from None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        raise _damaged("no connector id")
    try:
        connector_id = UUID(hex=data["c"])
    except ValueError:
        raise _damaged("the connector id is not a UUID") from None
    started_at = _when(data.get("s"), "started_at", optional=False)
    if started_at is None:
        raise _damaged("no started_at")
    return SyncToken(
        connector_id,
        _when(data.get("b"), "baseline", optional=True),
        started_at,
        _when(data.get("d"), "deadline", optional=True),
    )
