"""What the emulator holds: connectors (with their running syncs), documents, counters, recorded exchanges."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

if TYPE_CHECKING:
    from aiohttp import web

ORG = "emulator_org"  # the caller's organisation: what the emulator's key can see


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the emulator processed and its answer (recorded when ``exchanges`` is a list)."""

    route: str
    method: str
    request_body: bytes
    status: int
    response_body: Any


@dataclass
class SyncRun:
    """A sync in progress: when it started (emulator clock, seconds, and wall clock), how it will end."""

    started: float
    started_at: datetime
    date_limit: date | None
    fail: tuple[str, str] | None  # (status, message)
    items: int
    duration: float  # seconds, fixed when the sync is triggered


@dataclass
class StoredConnector:
    connector_id: UUID
    type: str
    label: str
    description: str
    share_with_org: bool
    config: dict[str, Any]
    secret: str | None  # the broker password: kept, never returned
    created_at: datetime
    updated_at: datetime
    archived: bool = False
    files_count: int = 0
    last_sync_at: datetime | None = None
    last_sync_status: str | None = None
    last_sync_error_msg: str | None = None
    last_sync_count: int | None = None
    sync: SyncRun | None = None
    removed_at: float | None = None  # emulator clock: force-deleted, gone from then on
    listed_from: float = 0.0  # emulator clock: from then on the list shows it (eventual consistency)


@dataclass
class StoredDocument:
    """A document a sync brought in (or another organisation's). Its status follows from ``created``."""

    id: str
    connector_id: UUID | None
    file_name: str
    created: float  # emulator clock, seconds
    created_at: datetime
    fails: bool = False
    org_id: str = ORG
    user_id: str = "emulator_user"
    raw_size: int = 0
    content_type: str = "application/pdf"
    request_origin: str = "file_upload"
    tags: list[dict[str, str]] = field(default_factory=list)


@dataclass
class EmulatorState:
    """What the emulator holds and counts; tests read it directly."""

    connectors: dict[UUID, StoredConnector] = field(default_factory=dict)
    documents: dict[str, StoredDocument] = field(default_factory=dict)  # by content id
    requests: Counter[str] = field(default_factory=Counter)
    created: int = 0
    faults_injected: Counter[str] = field(default_factory=Counter)


def iso(moment: datetime) -> str:
    """A timestamp as the API writes it (``Z`` for UTC)."""
    return moment.isoformat().replace("+00:00", "Z")


def uuid7(rng: random.Random) -> UUID:
    """A UUIDv7-style id, like the API's: milliseconds since the epoch, then random bits."""
    millis = int(time.time() * 1000) & ((1 << 48) - 1)
    rand = rng.getrandbits(74)
    value = (millis << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return UUID(int=value)


class Host(Protocol):
    """What the route handlers (``_connectors``, ``_documents``) use of the ``Emulator`` serving them: its clock,
    state and random draws, its knobs, and its way of answering an error. (A protocol, so that the handlers do
    not import the emulator that imports them.)"""

    clock: Callable[[], float]
    state: EmulatorState
    rng: random.Random
    list_lag: float
    force_delete_delay: float
    document_lag: float
    document_processing: float

    def error(self, status: int, message: str, code: str) -> web.Response: ...
    def draw_sync_duration(self) -> float: ...
    def draw_sync_items(self) -> int: ...
    def next_sync_failure(self) -> tuple[str, str] | None: ...
    def take_document_failure(self) -> bool: ...
    def on_sync_finished(self, connector: StoredConnector, sync: SyncRun) -> None: ...
    def on_removed(self, connector_id: UUID) -> None: ...
