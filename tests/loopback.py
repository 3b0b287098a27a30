"""Small servers of our own on loopback, for answers the emulator does not give: a catch-all aiohttp.web handler a
test sets (``Loopback``, the ``server`` fixture), or raw asyncio for answers that break HTTP (``raw_server``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

__all__ = ["Handler", "Loopback", "ok_json", "raw_server"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Loopback:
    """A tiny aiohttp.web server on 127.0.0.1 whose one catch-all handler a test sets."""

    def __init__(self) -> None:
        self.handler: Handler | None = None
        self.hits = 0
        self.arrived = asyncio.Event()  # set by the first request
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        self.arrived.set()
        assert self.handler is not None
        return await self.handler(request)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def raw_server(answer: bytes) -> tuple[asyncio.Server, str, list[int]]:
    """A server that answers every request with ``answer`` as is (to break HTTP on purpose)."""
    hits: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            hits.append(1)
            writer.write(answer)
            await writer.drain()
        finally:
            writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    return srv, f"http://127.0.0.1:{port}", hits


def ok_json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)
