"""Fault injection for the emulator: what a fault is, and which request gets one.

``script(route, [...])`` queues exact faults for the next requests of a route; ``inject(rate, kinds)``
draws faults at random from a seeded generator. 409, 422, 429 and "html" refuse a request before it is
processed; the others strike *after* the operation took effect, the worst case for a client.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

Route = Literal["list", "create", "get", "update", "delete", "sync", "list_documents", "get_document"]
# What ``inject`` strikes by default: the connector operations (``routes=`` adds or replaces them).
ROUTES: tuple[Route, ...] = ("list", "create", "get", "update", "delete", "sync")
FaultKind = Literal[
    "408", "409", "422", "429", "500", "502", "503", "504", "drop", "stall", "html", "not_json"
]  # fmt: skip
# What ``inject`` draws from by default: the transient faults a client must ride out.
FAULT_KINDS: tuple[FaultKind, ...] = ("429", "500", "502", "503", "504", "drop", "stall", "html", "not_json")


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault. ``kind``: an HTTP status ("408", "409", "422", "429", "5xx"), "drop" (close the connection
    without an answer), "stall" (answer only after ``stall`` seconds), "html" (a 403 firewall
    page) or "not_json" (a 200 whose body is not JSON). 409, 422, 429 and "html" refuse the request
    before it is processed; the others happen *after* the operation took effect, the worst case for a client
    (the connector was created, but the answer was lost). ``processed=False`` makes a 5xx, drop or stall
    strike on the way in, before the operation (a gateway failing before the backend saw the request);
    a stall that never reaches the backend ends with the gateway's 504."""

    kind: FaultKind
    retry_after: float | None = 1.0  # seconds, sent with 429 and 503
    stall: float = 60.0  # seconds
    processed: bool | None = None  # whether the operation takes effect first; None: as the kind usually does

    @property
    def before_processing(self) -> bool:
        if self.processed is not None:
            return not self.processed
        return self.kind in ("409", "422", "429", "html")


class FaultPlan:
    """Which request gets which fault: scripted per route first, then drawn at the injected rate."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._scripts: dict[str, deque[Fault | None]] = {}
        self._rate = 0.0
        self._kinds: Sequence[Fault] = ()
        self._routes: frozenset[str] = frozenset(ROUTES)

    def script(self, route: str, faults: Iterable[Fault | FaultKind | None]) -> None:
        queue = self._scripts.setdefault(route, deque())
        queue.extend(Fault(f) if isinstance(f, str) else f for f in faults)

    def inject(self, rate: float, kinds: Iterable[Fault | FaultKind], routes: Iterable[str]) -> None:
        self._rate = rate
        self._kinds = [Fault(k) if isinstance(k, str) else k for k in kinds]
        self._routes = frozenset(routes)

    def clear(self) -> None:
        self._scripts.clear()
        self._rate = 0.0

    def draw(self, route: str) -> Fault | None:
        queue = self._scripts.get(route)
        if queue:
            return queue.popleft()
        if self._rate and route in self._routes and self._rng.random() < self._rate:
            return self._rng.choice(list(self._kinds))
        return None


REQUEST_ID_HEADER = "x-amzn-RequestId"  # the API gateway's request id, on every answer


def error_response(status: int, message: str, code: str, request_id: str) -> web.Response:
    """An error in the Content API's documented shape."""
    body = {"statusCode": status, "message": message, "errorCode": code, "requestId": request_id}
    return web.json_response(body, status=status, headers={REQUEST_ID_HEADER: request_id})


def fault_response(fault: Fault, request_id: str) -> web.Response:
    """The answer a fault gives in place of (or after) the real one; not for "drop" and "stall"."""
    if fault.kind == "html":
        page = "<html><head><title>403 Forbidden</title></head><body><h1>Request blocked</h1></body></html>"
        return web.Response(status=403, text=page, content_type="text/html")
    if fault.kind == "not_json":
        return web.Response(status=200, text="<html>upstream ok</html>", content_type="text/html")
    status = int(fault.kind)
    response = error_response(status, f"injected {status}", "EMULATOR_FAULT", request_id)
    if status in (429, 503) and fault.retry_after is not None:
        response.headers["Retry-After"] = f"{fault.retry_after:g}"
    return response
