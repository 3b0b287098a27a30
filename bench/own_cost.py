"""The SDK's own cost per ``get()``: the network replaced by an in-process stub, so only Python runs.

Both sides, the SDK's ``get()`` and the fair baseline (b) (``session.get`` -> read -> status check ->
``Connector.model_validate_json``), call ``aiohttp.ClientSession.request``/``get`` on a session whose methods
hand back the same canned answer without any I/O: nothing suspends, no event-loop turn, no syscall. What is left
is each side's Python, so the difference per call is what the SDK's layers add (call, transport, lifecycle,
pool gate, body checks, parse) with none of the machine noise that end-to-end runs carry. Set against (b)'s
end-to-end CPU per call (``bench.overhead``), it says how much of the SDK's ratio is its own code.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from bench._server import API_KEY
from bench.overhead import sdk_client
from bigdata_connectors import Connector

CONNECTOR_ID = "019a9612-bfad-758c-884e-37dd8c6ad2cb"
BODY = (
    b'{"connector_id":"019a9612-bfad-758c-884e-37dd8c6ad2cb","user_id":"u","org_id":"o","share_with_org":false,'
    b'"label":"Broker research","description":"","type":"investment_research","config":{"user_id":"me@broker.com"},'
    b'"last_sync_at":"2026-11-23T09:00:00Z","last_sync_status":"SUCCESS","last_sync_count":12,'
    b'"created_at":"2026-02-11T11:01:09Z","updated_at":"2026-02-11T11:01:09Z","archived":false}'
)


class _Answer:
    """What the SDK and (b) read of an aiohttp response: status, reason, headers, the body."""

    status = 200
    reason = "OK"

    def __init__(self) -> None:
        self.headers = CIMultiDictProxy(
            CIMultiDict({"Content-Type": "application/json", "Content-Length": str(len(BODY))})
        )
        self.content_length = len(BODY)

    async def read(self) -> bytes:
        return BODY

    def raise_for_status(self) -> None:
        return None


class _Exchange:
    """``async with session.request(...) as resp``: enters at once with the canned answer."""

    def __init__(self, answer: _Answer) -> None:
        self._answer = answer

    async def __aenter__(self) -> _Answer:
        return self._answer

    async def __aexit__(self, *exc: object) -> None:
        return None


def _stub(session: aiohttp.ClientSession) -> None:
    exchange = _Exchange(_Answer())

    def request(*args: Any, **kwargs: Any) -> _Exchange:
        return exchange

    session.request = request  # type: ignore[method-assign,assignment]
    session.get = request  # type: ignore[method-assign,assignment]


async def _cpu_per_call(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    for _ in range(200):
        await call()  # warm: validators built, caches filled
    start = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - start) / calls


async def own_cost(calls: int, reps: int) -> tuple[float, float]:
    """Median CPU microseconds per call of the SDK's ``get()`` and of (b), both on the stub, runs alternated."""
    client = sdk_client("http://127.0.0.1:9", 1)
    session = aiohttp.ClientSession(headers={"X-API-KEY": API_KEY})
    try:
        _stub(client._http._get_session())  # the client's own session, created on first use in this loop
        _stub(session)
        url = f"http://127.0.0.1:9/contents/v1/connectors/{CONNECTOR_ID}"

        async def sdk() -> Connector:
            return await client.connectors.get(CONNECTOR_ID)

        async def fair() -> Connector:
            async with session.get(url) as resp:
                body = await resp.read()
                resp.raise_for_status()
            return Connector.model_validate_json(body)

        runs: dict[str, list[float]] = {"sdk": [], "fair": []}
        for _ in range(reps):
            runs["sdk"].append(await _cpu_per_call(sdk, calls))
            runs["fair"].append(await _cpu_per_call(fair, calls))
    finally:
        await client.aclose()
        await session.close()
    return statistics.median(runs["sdk"]) * 1e6, statistics.median(runs["fair"]) * 1e6
