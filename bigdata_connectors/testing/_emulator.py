"""An in-memory emulator of the Connectors API, served by ``aiohttp.web`` on loopback.

It behaves as the vendor documents (see DESIGN.md, "The emulator"): API-key auth, request bodies
validated by the same generated models, PUT resetting omitted fields, syncs moving through PENDING
and RUNNING to SUCCESS (or a failure) over ``sync_duration`` seconds, force delete removing the
connector after ``force_delete_delay`` seconds, and the gateway's 403 for unknown routes.
Time-dependent state is computed when read, so the emulator runs no background task.

Faults are off by default. ``script(route, [...])`` queues exact faults for the next requests of a
route; ``inject(rate, kinds)`` draws faults at random from a seeded generator. Counters
(``requests``, ``created``) let a test prove that retries duplicated nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Literal, TypeVar
from uuid import UUID

import pydantic
from aiohttp import web

from bigdata_connectors._generated.models import (
    ConnectorCreatePayload,
    ConnectorSyncRequest,
    ConnectorUpdatePayload,
    EmailConnectorConfig,
)

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
Route = Literal["list", "create", "get", "update", "delete", "sync"]
ROUTES: tuple[Route, ...] = ("list", "create", "get", "update", "delete", "sync")
FaultKind = Literal[
    "408", "409", "422", "429", "500", "502", "503", "504", "drop", "stall", "html", "not_json"
]  # fmt: skip
# What ``inject`` draws from by default: the transient faults a client must ride out.
FAULT_KINDS: tuple[FaultKind, ...] = ("429", "500", "502", "503", "504", "drop", "stall", "html", "not_json")
_PREFIX = "/contents/v1/connectors"


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault. ``kind``: an HTTP status ("408", "409", "422", "429", "5xx"), "drop" (close the connection
    without an answer), "stall" (answer only after ``stall`` seconds), "html" (a 403 firewall
    page) or "not_json" (a 200 whose body is not JSON). 409, 422, 429 and "html" refuse the request
    before it is processed; the others happen *after* the operation took effect, the worst case for a client
    (the connector was created, but the answer was lost)."""

    kind: FaultKind
    retry_after: float | None = 1.0  # seconds, sent with 429 and 503
    stall: float = 60.0  # seconds

    @property
    def before_processing(self) -> bool:
        return self.kind in ("409", "422", "429", "html")


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the emulator processed and its answer (recorded when ``exchanges`` is a list)."""

    route: Route
    method: str
    request_body: bytes
    status: int
    response_body: Any


@dataclass
class _Sync:
    started: float  # emulator clock, seconds
    started_at: datetime
    date_limit: date | None
    fail: tuple[str, str] | None  # (status, message)
    items: int


@dataclass
class _Connector:
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
    sync: _Sync | None = None
    removed_at: float | None = None  # emulator clock: force-deleted, gone from then on


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class EmulatorState:
    """What the emulator holds and counts; tests read it directly."""

    connectors: dict[UUID, _Connector] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    created: int = 0
    faults_injected: Counter[str] = field(default_factory=Counter)


class Emulator:
    """The emulator as a running server: ``async with Emulator() as emu:`` then ``emu.base_url`` and
    ``emu.api_key``. Durations are seconds."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        sync_duration: float = 0.3,
        force_delete_delay: float = 0.2,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the emulator listens on loopback only")
        self.api_key = api_key or "emulator-" + os.urandom(8).hex()
        self.host, self.port = host, port
        self.sync_duration = sync_duration
        self.force_delete_delay = force_delete_delay
        self.state = EmulatorState()
        self._clock = clock
        self._rng = random.Random(seed)
        self._scripts: dict[str, deque[Fault | None]] = {}
        self._rate = 0.0
        self._rate_kinds: Sequence[Fault] = ()
        self._rate_routes: frozenset[str] = frozenset(ROUTES)
        self._sync_failures: deque[tuple[str, str]] = deque()
        self._runner: web.AppRunner | None = None
        self._request_seq = 0
        self.exchanges: list[Exchange] | None = None  # set to [] to record every exchange

    # ------------------------------------------------------------------ control

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def requests(self) -> Counter[str]:
        """Requests received per route ("list", "create", ..., "unknown")."""
        return self.state.requests

    @property
    def created(self) -> int:
        """Connectors actually created (whatever the client was told)."""
        return self.state.created

    def script(self, route: Route, faults: Iterable[Fault | FaultKind | None]) -> None:
        """Answer the next requests of ``route`` with these faults in order (None: answer normally)."""
        queue = self._scripts.setdefault(route, deque())
        queue.extend(Fault(f) if isinstance(f, str) else f for f in faults)

    def inject(
        self, rate: float, kinds: Iterable[Fault | FaultKind] = FAULT_KINDS, routes: Iterable[Route] = ROUTES
    ) -> None:
        """From now on, fail a ``rate`` fraction of requests with a fault drawn from ``kinds``."""
        self._rate = rate
        self._rate_kinds = [Fault(k) if isinstance(k, str) else k for k in kinds]
        self._rate_routes = frozenset(routes)

    def clear_faults(self) -> None:
        self._scripts.clear()
        self._rate = 0.0

    def fail_next_syncs(
        self, count: int = 1, *, status: str = "FAILED", message: str = "broker login rejected"
    ) -> None:
        """Make the next ``count`` triggered syncs end with ``status`` and ``message``."""
        self._sync_failures.extend([(status, message)] * count)

    def preload(self, count: int, *, type: str = "investment_research") -> list[UUID]:
        """Add ``count`` connectors directly (no requests, not counted in ``created``); return their ids."""
        now = datetime.now(UTC)
        ids = []
        for n in range(count):
            connector_id = self._uuid7()
            config: dict[str, Any] = {"user_id": f"user{n}@broker.example"} if type == "investment_research" else {}
            self.state.connectors[connector_id] = _Connector(
                connector_id, type, f"preloaded {n}", "", False, config, None, now, now, files_count=n
            )
            ids.append(connector_id)
        return ids

    # ------------------------------------------------------------------ lifecycle

    def app(self) -> web.Application:
        """The aiohttp application, for embedding in another server or a test client."""
        # No routes: the gateway middleware answers every request, as the real gateway does.
        return web.Application(middlewares=[self._gateway])

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ the gateway: routing, auth, faults

    def _route(self, request: web.Request) -> tuple[Route | None, str | None]:
        path = request.path.rstrip("/")
        if path == _PREFIX:
            return {"GET": "list", "POST": "create"}.get(request.method), None  # type: ignore[return-value]
        if path.startswith(_PREFIX + "/"):
            rest = path[len(_PREFIX) + 1 :].split("/")
            if len(rest) == 1:
                route = {"GET": "get", "PUT": "update", "DELETE": "delete"}.get(request.method)
                return route, rest[0]  # type: ignore[return-value]
            if len(rest) == 2 and rest[1] == "sync" and request.method == "POST":
                return "sync", rest[0]
        return None, None

    def _error(self, status: int, message: str, code: str) -> web.Response:
        body = {"statusCode": status, "message": message, "errorCode": code, "requestId": self._request_id()}
        return web.json_response(body, status=status)

    def _request_id(self) -> str:
        self._request_seq += 1
        return f"emu-{self._request_seq:08d}"

    def _draw_fault(self, route: str) -> Fault | None:
        queue = self._scripts.get(route)
        if queue:
            return queue.popleft()
        if self._rate and route in self._rate_routes and self._rng.random() < self._rate:
            return self._rng.choice(list(self._rate_kinds))
        return None

    @web.middleware
    async def _gateway(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        route, raw_id = self._route(request)
        self.state.requests[route or "unknown"] += 1
        if route is None:
            return web.json_response({"message": "Missing Authentication Token"}, status=403)
        if request.headers.get("X-API-KEY") != self.api_key:
            return self._error(401, "Unauthorized - Invalid or missing API key", "UNAUTHORIZED")
        fault = self._draw_fault(route)
        if fault is not None:
            self.state.faults_injected[fault.kind] += 1
        if fault is not None and fault.before_processing:
            return self._fault_response(fault)
        response = await self._dispatch(request, route, raw_id)
        if self.exchanges is not None:
            raw = await request.read()
            self.exchanges.append(Exchange(route, request.method, raw, response.status, response.body))
        if fault is None:
            return response
        if fault.kind == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # nothing more to say on a connection that is gone
        if fault.kind == "stall":
            await asyncio.sleep(fault.stall)
            return response
        return self._fault_response(fault)

    def _fault_response(self, fault: Fault) -> web.Response:
        if fault.kind == "html":
            page = "<html><head><title>403 Forbidden</title></head><body><h1>Request blocked</h1></body></html>"
            return web.Response(status=403, text=page, content_type="text/html")
        if fault.kind == "not_json":
            return web.Response(status=200, text="<html>upstream ok</html>", content_type="text/html")
        status = int(fault.kind)
        response = self._error(status, f"injected {status}", "EMULATOR_FAULT")
        if status in (429, 503) and fault.retry_after is not None:
            response.headers["Retry-After"] = f"{fault.retry_after:g}"
        return response

    # ------------------------------------------------------------------ the operations

    async def _dispatch(self, request: web.Request, route: Route, raw_id: str | None) -> web.Response:
        if route == "list":
            return web.json_response({"results": [self._render(c) for c in self._live()]})
        if route == "create":
            return await self._create(request)
        try:
            connector_id = UUID(raw_id or "")
        except ValueError:
            return self._error(400, f"connector_id is not a valid UUID: {raw_id!r}", "INVALID_CONNECTOR_ID")
        connector = self._find(connector_id)
        if connector is None:
            return self._error(404, "Connector not found", "CONNECTOR_NOT_FOUND")
        if route == "get":
            return web.json_response(self._render(connector))
        if route == "update":
            return await self._update(request, connector)
        if route == "delete":
            return self._delete(request, connector)
        return await self._sync(request, connector)

    def _live(self) -> list[_Connector]:
        return [c for c in self.state.connectors.values() if self._find(c.connector_id) is not None]

    def _find(self, connector_id: UUID) -> _Connector | None:
        connector = self.state.connectors.get(connector_id)
        if connector is not None and connector.removed_at is not None and self._clock() >= connector.removed_at:
            del self.state.connectors[connector_id]
            return None
        return connector

    async def _parse(self, request: web.Request, model: type[ModelT]) -> tuple[ModelT, Any]:
        """The request body as ``model`` (strict JSON types, as a real server checks them) and as data."""
        raw = await request.read()
        try:
            data = json.loads(raw)
        except ValueError:
            raise _BadRequest("request body is not valid JSON") from None
        try:
            return model.model_validate_json(raw, strict=True), data
        except pydantic.ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"] if not str(p).endswith("Payload")) or "body"
            raise _BadRequest(f"invalid request body: {where}: {first['msg']}") from None

    async def _create(self, request: web.Request) -> web.Response:
        try:
            payload, _ = await self._parse(request, ConnectorCreatePayload)
            if payload.root.type == "email":
                _check_emails(payload.root.config)
        except _BadRequest as err:
            return self._error(400, str(err), "INVALID_REQUEST")
        body = payload.root
        now = datetime.now(UTC)
        secret = None
        config: dict[str, Any]
        connector_id = self._uuid7()
        if body.type == "email":
            digest = connector_id.hex[-12:]
            allowed = body.config.allowed_emails if body.config and body.config.allowed_emails else []
            config = {"allowed_emails": list(allowed), "email_hash": digest, "email": f"{digest}@bigdata.com"}
        elif body.type == "investment_research":
            config = {"user_id": body.config.user_id}
            secret = body.config.user_password.get_secret_value()
        else:
            config = {}
        connector = _Connector(
            connector_id=connector_id,
            type=body.type,
            label=body.label,
            description=body.description or "",
            share_with_org=bool(body.share_with_org),
            config=config,
            secret=secret,
            created_at=now,
            updated_at=now,
        )
        self.state.connectors[connector_id] = connector
        self.state.created += 1
        return web.json_response(self._render(connector))

    async def _update(self, request: web.Request, connector: _Connector) -> web.Response:
        try:
            payload, _ = await self._parse(request, ConnectorUpdatePayload)
            _check_emails(payload.config)
        except _BadRequest as err:
            return self._error(400, str(err), "INVALID_REQUEST")
        if payload.config is not None and connector.type != "email":
            return self._error(400, f"config cannot be updated for {connector.type} connectors", "INVALID_REQUEST")
        # A PUT: what is left out goes back to its default.
        connector.label = payload.label
        connector.description = payload.description or ""
        connector.share_with_org = bool(payload.share_with_org)
        if connector.type == "email":
            allowed = payload.config.allowed_emails if payload.config and payload.config.allowed_emails else []
            connector.config = {**connector.config, "allowed_emails": list(allowed)}
        connector.updated_at = datetime.now(UTC)
        return web.json_response(self._render(connector))

    def _delete(self, request: web.Request, connector: _Connector) -> web.Response:
        force = request.query.get("force_delete", "false").lower()
        if force not in ("true", "false"):
            return self._error(400, "force_delete must be true or false", "INVALID_REQUEST")
        connector.archived = True
        connector.updated_at = datetime.now(UTC)
        if force == "true":
            if connector.removed_at is None:
                connector.removed_at = self._clock() + self.force_delete_delay
            return web.Response(status=202)
        return web.json_response(self._render(connector))

    async def _sync(self, request: web.Request, connector: _Connector) -> web.Response:
        try:
            payload, data = await self._parse(request, ConnectorSyncRequest)
        except _BadRequest as err:
            return self._error(400, str(err), "INVALID_REQUEST")
        if connector.type not in ("investment_research", "sharepoint"):
            return self._error(400, f"{connector.type} connectors cannot be synced", "UNSUPPORTED_CONNECTOR_TYPE")
        if connector.archived:
            return self._error(400, "archived connectors cannot be synced", "CONNECTOR_ARCHIVED")
        if connector.type == "investment_research" and payload.date_limit is None:
            return self._error(400, "date_limit is required for investment_research connectors", "INVALID_REQUEST")
        if connector.type == "sharepoint" and data != {}:
            return self._error(400, "sharepoint connectors take an empty body", "INVALID_REQUEST")
        self._settle(connector)
        if connector.sync is None:  # a sync already running absorbs the new request
            fail = self._sync_failures.popleft() if self._sync_failures else None
            connector.sync = _Sync(self._clock(), datetime.now(UTC), payload.date_limit, fail, self._rng.randint(1, 50))
            connector.last_sync_at = connector.sync.started_at
            connector.last_sync_status, connector.last_sync_error_msg = "PENDING", None
        ack: dict[str, Any] = {"connector_id": str(connector.connector_id), "status": "accepted"}
        if payload.date_limit is not None:
            ack["date_limit"] = payload.date_limit.isoformat()
        return web.json_response(ack)

    def _settle(self, connector: _Connector) -> None:
        """Bring a running sync's visible state up to now."""
        sync = connector.sync
        if sync is None:
            return
        elapsed = self._clock() - sync.started
        if elapsed < self.sync_duration / 3:
            connector.last_sync_status = "PENDING"
        elif elapsed < self.sync_duration:
            connector.last_sync_status = "RUNNING"
        else:
            connector.sync = None
            connector.last_sync_at = sync.started_at + timedelta(seconds=max(self.sync_duration, 0.001))
            if sync.fail is not None:
                connector.last_sync_status, connector.last_sync_error_msg = sync.fail
                connector.last_sync_count = 0
            else:
                connector.last_sync_status, connector.last_sync_error_msg = "SUCCESS", None
                connector.last_sync_count = sync.items
                connector.files_count += sync.items

    def _render(self, connector: _Connector) -> dict[str, Any]:
        self._settle(connector)
        return {
            "connector_id": str(connector.connector_id),
            "user_id": "emulator_user",
            "org_id": "emulator_org",
            "share_with_org": connector.share_with_org,
            "label": connector.label,
            "type": connector.type,
            "description": connector.description,
            "config": dict(connector.config),
            "files_count": connector.files_count,
            "last_sync_at": _iso(connector.last_sync_at) if connector.last_sync_at else None,
            "last_sync_status": connector.last_sync_status,
            "last_sync_error_msg": connector.last_sync_error_msg,
            "last_sync_count": connector.last_sync_count,
            "created_at": _iso(connector.created_at),
            "updated_at": _iso(connector.updated_at),
            "archived": connector.archived,
        }

    def _uuid7(self) -> UUID:
        millis = int(time.time() * 1000) & ((1 << 48) - 1)
        rand = self._rng.getrandbits(74)
        value = (millis << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
        return UUID(int=value)


class _BadRequest(Exception):
    pass


def _check_emails(config: EmailConnectorConfig | None) -> None:
    """Refuse an address the spec's ``format: email`` would refuse (the check JSON Schema validators make:
    it has an @). The SDK's models leave addresses as plain strings; the server is where they are judged."""
    if config is None:
        return
    for address in [*config.allowed_emails, *([config.email] if config.email is not None else [])]:
        if "@" not in address:
            raise _BadRequest(f"invalid request body: config: not an email address: {address!r}")
