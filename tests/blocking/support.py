"""An emulator serving from a thread of its own (the blocking client runs its own loop thread), counting the TCP
connections it accepts, and a blocking client bound to it: the fixtures of the blocking and typing tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web

from bigdata_connectors.blocking import BigdataClient
from bigdata_connectors.testing import Emulator
from tests import threaded
from tests.conftest import API_KEY, PASSWORD

INVESTMENT = {"user_id": "analyst@broker.example", "user_password": PASSWORD}  # a canary: never in an error or log


class CountingEmulator(Emulator):
    """The emulator, also recording the client end (address, port) of every connection a request came on:
    distinct peers are distinct TCP connections."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.peers: set[tuple[str, int]] = set()

    def app(self) -> web.Application:
        app = super().app()
        app.middlewares.insert(0, self._count)  # outermost: the gateway answers without calling on
        return app

    @web.middleware
    async def _count(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport is not None else None
        if peer is not None:
            self.peers.add((str(peer[0]), int(peer[1])))
        return await handler(request)


class ThreadedEmulator(threaded.ThreadedEmulator):
    """A CountingEmulator (with the test key) serving from its own thread and event loop."""

    emulator: CountingEmulator

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(CountingEmulator(**{"api_key": API_KEY, "seed": 0, **kwargs}))

    @property
    def connections(self) -> int:
        return self.call(lambda: len(self.emulator.peers))

    def requests(self, route: str) -> int:
        return self.call(lambda: self.emulator.requests[route])


@pytest.fixture
def emulator() -> Iterator[ThreadedEmulator]:
    served = ThreadedEmulator()
    served.start()
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def client(emulator: ThreadedEmulator) -> Iterator[BigdataClient]:
    with BigdataClient(API_KEY, base_url=emulator.base_url, rate_limit=None) as blocking:
        yield blocking
