"""``python -m bench._serve '<json>'``: the emulator for ``bench._server.emulator_process``, counting requests.

Time-dependent behaviour (sync durations, and the rate limit when the emulator enforces one) follows a clock
that runs ``time_scale`` times faster than the wall clock, so minutes of simulated traffic take seconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bench._server import STATS_PATH
from bigdata_connectors.testing import Emulator

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class CountingEmulator(Emulator):
    """The emulator, with every request's arrival time and answer status recorded for ``GET /_bench/stats``."""

    def __init__(self, clock: Callable[[], float], **kwargs: Any) -> None:
        super().__init__(clock=clock, **kwargs)
        self._now = clock
        self.arrivals: list[float] = []
        self.statuses: Counter[str] = Counter()

    def app(self) -> web.Application:
        app = super().app()
        app.middlewares.insert(0, self._count)
        return app

    @web.middleware
    async def _count(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == STATS_PATH:
            return web.json_response({"times": self.arrivals, "statuses": self.statuses})
        self.arrivals.append(self._now())
        try:
            response = await handler(request)
        except BaseException:
            self.statuses["no answer"] += 1
            raise
        self.statuses[str(response.status)] += 1
        return response


async def serve(spec: dict[str, Any]) -> None:
    scale = float(spec.get("time_scale", 1.0))
    origin = time.monotonic()

    def clock() -> float:
        return (time.monotonic() - origin) * scale

    duration = spec.get("sync_duration", 3.0)
    emulator = CountingEmulator(
        clock,
        api_key=spec["api_key"],
        port=spec["port"],
        sync_duration=tuple(duration) if isinstance(duration, list) else float(duration),
        seed=spec.get("seed", 0),
        **spec.get("emulator", {}),
    )
    emulator.preload(spec.get("preload", 0), type=spec.get("preload_type", "investment_research"))
    async with emulator:
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(json.loads(sys.argv[1])))
