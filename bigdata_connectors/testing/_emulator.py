"""An in-memory emulator of the Connectors API, served by ``aiohttp.web`` on loopback.

It behaves as the vendor documents (see DESIGN.md, "The emulator"): API-key auth, request bodies
validated by the same generated models, PUT resetting omitted fields, syncs moving through PENDING
and RUNNING to SUCCESS (or a failure) over ``sync_duration`` seconds (or a length drawn per sync from a
``(low, high)`` range), force delete removing the
connector after ``force_delete_delay`` seconds, and the gateway's 403 for unknown routes.
Time-dependent state is computed when read, so the emulator runs no background task.

This module is the gateway (routing, auth, faults) and the control surface tests use; the operations
live in ``_connectors``, fault injection in ``_faults``, the stored state in ``_state``.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import ssl
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from uuid import UUID

from aiohttp import web

from bigdata_connectors.testing._connectors import PREFIX, ConnectorRoutes
from bigdata_connectors.testing._documents import PREFIX as DOCUMENTS
from bigdata_connectors.testing._documents import DocumentRoutes
from bigdata_connectors.testing._faults import (
    FAULT_KINDS,
    REQUEST_ID_HEADER,
    ROUTES,
    Fault,
    FaultKind,
    FaultPlan,
    Route,
    error_response,
    fault_response,
)
from bigdata_connectors.testing._ratelimit import KeyRateLimit
from bigdata_connectors.testing._state import EmulatorState, Exchange, StoredConnector, SyncRun, uuid7
from bigdata_connectors.testing._tls import EmulatorTLS

Handler = Callable[[web.Request, str | None], Awaitable[web.Response]]
_ID = "([^/]+)"


class Emulator:
    """The emulator as a running server: ``async with Emulator() as emu:`` then ``emu.base_url`` and
    ``emu.api_key``. Durations are seconds.

    ``tls=True`` serves ``https://`` with a certificate from a CA minted at start (needs trustme, the
    ``[testing]`` extra): trust it with ``BigdataClient(ssl=emu.ca_path)``. ``rate_limit`` (requests per key
    in any ``rate_window`` seconds, on ``clock``) answers 429 with ``Retry-After`` beyond it, as the real
    service does; ``emu.rate_limit.arrivals`` and ``max_in_window()`` show what clients sent."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        sync_duration: float | tuple[float, float] = 0.3,
        force_delete_delay: float = 0.2,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        tls: bool = False,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the emulator listens on loopback only")
        self.api_key = api_key or "emulator-" + os.urandom(8).hex()
        self.host, self.port = host, port
        self.sync_duration = sync_duration
        self.force_delete_delay = force_delete_delay
        # Seconds a new connector stays out of the list (get finds it at once): the list's eventual consistency.
        self.list_lag = 0.0
        # Documents: each successful sync of N items creates N. Seconds before a new one is listed (get finds
        # it at once), and seconds it takes to go pending -> processing -> completed (or failed).
        self.document_lag = 0.0
        self.document_processing = 0.3
        # Items per sync (hence documents): a fixed count, or None for a draw from 1 to 50.
        self.sync_items: int | None = None
        self._document_failures = 0
        self.state = EmulatorState()
        self.clock = clock
        self.rng = random.Random(seed)
        self.exchanges: list[Exchange] | None = None  # set to [] to record every exchange
        self._faults = FaultPlan(self.rng)
        self._sync_failures: deque[tuple[str, str]] = deque()
        self._runner: web.AppRunner | None = None
        self._request_seq = 0
        # https:// with a CA minted now (``ca_path``, ``client_ssl_context()``); see _tls.
        self.tls: EmulatorTLS | None = EmulatorTLS() if tls else None
        # At most ``rate_limit`` requests per key in any ``rate_window`` seconds, else 429 + Retry-After.
        self.rate_limit = KeyRateLimit(rate_limit, rate_window, clock) if rate_limit is not None else None
        self.connector_routes = ConnectorRoutes(self)
        self.document_routes = DocumentRoutes(self)
        d = self.document_routes
        c = self.connector_routes
        # (method, path pattern, route name, handler): the gateway answers everything else with its 403.
        self._routes: list[tuple[str, re.Pattern[str], str, Handler]] = [
            ("GET", re.compile(PREFIX), "list", c.list),
            ("POST", re.compile(PREFIX), "create", c.create),
            ("GET", re.compile(f"{PREFIX}/{_ID}"), "get", c.get),
            ("PUT", re.compile(f"{PREFIX}/{_ID}"), "update", c.update),
            ("DELETE", re.compile(f"{PREFIX}/{_ID}"), "delete", c.delete),
            ("POST", re.compile(f"{PREFIX}/{_ID}/sync"), "sync", c.sync),
            ("GET", re.compile(DOCUMENTS), "list_documents", d.list),
            ("GET", re.compile(f"{DOCUMENTS}/{_ID}"), "get_document", d.get),
        ]

    # ------------------------------------------------------------------ control

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    @property
    def ca_path(self) -> str:
        """The PEM file of the CA that signed this emulator's certificate (``tls=True`` only):
        ``BigdataClient(ssl=emu.ca_path)`` trusts it."""
        if self.tls is None:
            raise RuntimeError("this emulator serves plain http; create it with Emulator(tls=True)")
        return self.tls.ca_path

    def client_ssl_context(self) -> ssl.SSLContext:
        """An ``ssl.SSLContext`` trusting only this emulator's CA (``tls=True`` only)."""
        if self.tls is None:
            raise RuntimeError("this emulator serves plain http; create it with Emulator(tls=True)")
        return self.tls.client_context()

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
        self._faults.script(route, faults)

    def inject(
        self, rate: float, kinds: Iterable[Fault | FaultKind] = FAULT_KINDS, routes: Iterable[Route] = ROUTES
    ) -> None:
        """From now on, fail a ``rate`` fraction of requests with a fault drawn from ``kinds``."""
        self._faults.inject(rate, kinds, routes)

    def clear_faults(self) -> None:
        self._faults.clear()

    def fail_next_syncs(
        self, count: int = 1, *, status: str = "FAILED", message: str = "broker login rejected"
    ) -> None:
        """Make the next ``count`` triggered syncs end with ``status`` and ``message``."""
        self._sync_failures.extend([(status, message)] * count)

    def next_sync_failure(self) -> tuple[str, str] | None:
        """How the sync being triggered now will end: (status, message) of a failure, or None for success."""
        return self._sync_failures.popleft() if self._sync_failures else None

    def draw_sync_duration(self) -> float:
        """Seconds the sync being triggered now will take: ``sync_duration``, or a draw from its (low, high) range."""
        if isinstance(self.sync_duration, tuple):
            return self.rng.uniform(*self.sync_duration)
        return self.sync_duration

    def draw_sync_items(self) -> int:
        """Items the sync being triggered now will bring in: ``sync_items``, or a draw from 1 to 50."""
        return self.sync_items if self.sync_items is not None else self.rng.randint(1, 50)

    def fail_next_documents(self, count: int = 1) -> None:
        """Make the next ``count`` documents that syncs bring in end ``failed`` instead of ``completed``."""
        self._document_failures += count

    def take_document_failure(self) -> bool:
        """Whether the document being created now will fail (see ``fail_next_documents``)."""
        if self._document_failures <= 0:
            return False
        self._document_failures -= 1
        return True

    def receive_email(self, connector_id: UUID | str, count: int = 1) -> list[str]:
        """Mail arriving in an email connector: ``count`` documents created now (listed after ``document_lag``,
        moving pending -> processing -> completed, or failed, over ``document_processing``, as a sync's do);
        returns their content ids. Raises KeyError for an unknown connector, ValueError for one that is not an
        email connector (only those have an inbox)."""
        connector = self.state.connectors[UUID(str(connector_id))]
        if connector.type != "email":
            raise ValueError(f"connector {connector_id} is {connector.type!r}: only email connectors receive mail")
        return self.document_routes.add_mail(connector, count)

    def add_foreign_document(self) -> str:
        """Add a document of another organisation, not shared with this one (listed nowhere, 403 on get);
        return its content id."""
        return self.document_routes.add_foreign()

    def preload(self, count: int, *, type: str = "investment_research") -> list[UUID]:
        """Add ``count`` connectors directly (no requests, not counted in ``created``); return their ids."""
        now = datetime.now(UTC)
        ids = []
        for n in range(count):
            connector_id = uuid7(self.rng)
            config = {"user_id": f"user{n}@broker.example"} if type == "investment_research" else {}
            self.state.connectors[connector_id] = StoredConnector(
                connector_id, type, f"preloaded {n}", "", False, config, None, now, now, files_count=n
            )
            ids.append(connector_id)
        return ids

    # ------------------------------------------------------------------ hooks for what follows a change

    def on_sync_finished(self, connector: StoredConnector, sync: SyncRun) -> None:
        """Called once when a sync's end becomes visible (``connector`` already shows it): a successful
        sync's items become documents, created when the sync ended."""
        if sync.fail is None:
            self.document_routes.add_for_sync(connector, sync)

    def on_removed(self, connector_id: UUID) -> None:
        """Called once when a force-deleted connector is gone: its documents go with it."""
        self.document_routes.remove_connector(connector_id)

    # ------------------------------------------------------------------ lifecycle

    def app(self) -> web.Application:
        """The aiohttp application, for embedding in another server or a test client."""
        # No routes: the gateway middleware answers every request, as the real gateway does.
        return web.Application(middlewares=[self._gateway])

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        server_tls = self.tls.server_context() if self.tls is not None else None
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=server_tls)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.tls is not None:
            self.tls.cleanup()

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ the gateway: routing, auth, faults

    def error(self, status: int, message: str, code: str) -> web.Response:
        """An error answer in the API's documented shape, with a fresh request id."""
        return error_response(status, message, code, self._request_id())

    def _request_id(self) -> str:
        self._request_seq += 1
        return f"emu-{self._request_seq:08d}"

    def _route(self, request: web.Request) -> tuple[str, Handler, str | None] | None:
        path = request.path.rstrip("/")
        for method, pattern, name, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and request.method == method:
                return name, handler, (match.group(1) if pattern.groups else None)
        return None

    @web.middleware
    async def _gateway(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        response = await self._answer(request)
        if REQUEST_ID_HEADER not in response.headers:  # the gateway names every answer, successes too
            response.headers[REQUEST_ID_HEADER] = self._request_id()
        return response

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        found = self._route(request)
        self.state.requests[found[0] if found else "unknown"] += 1
        if found is None:
            return web.json_response({"message": "Missing Authentication Token"}, status=403)
        route, operation, raw_id = found
        if request.headers.get("X-API-KEY") != self.api_key:
            return self.error(401, "Unauthorized - Invalid or missing API key", "UNAUTHORIZED")
        if self.rate_limit is not None:
            wait = self.rate_limit.admit(self.api_key)
            if wait is not None:
                refused = self.error(429, "Too Many Requests", "RATE_LIMIT_EXCEEDED")
                refused.headers["Retry-After"] = f"{wait:g}"
                return refused
        fault = self._faults.draw(route)
        if fault is not None:
            self.state.faults_injected[fault.kind] += 1
        if fault is not None and fault.before_processing:
            return await self._unprocessed(request, fault)
        response = await operation(request, raw_id)
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
        return fault_response(fault, self._request_id())

    async def _unprocessed(self, request: web.Request, fault: Fault) -> web.StreamResponse:
        """A fault that strikes before the operation: a refusal, or a gateway failing on the way in."""
        if fault.kind == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if fault.kind == "stall":
            await asyncio.sleep(fault.stall)
            return self.error(504, "Endpoint request timed out", "GATEWAY_TIMEOUT")
        return fault_response(fault, self._request_id())
