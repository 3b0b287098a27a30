"""An emulator serving from a thread and event loop of its own, for code under test that runs its own loop (the
command line, one per command; the blocking client, on its loop thread; schemathesis's synchronous calls)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from bigdata_connectors.testing import Emulator

__all__ = ["ThreadedEmulator"]

T = TypeVar("T")


class ThreadedEmulator:
    """``emulator`` served from its own thread and event loop; ``call`` runs a function on that loop. ``start`` /
    ``stop``, or ``with``."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="emulator", daemon=True)

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.emulator.start(), self.loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.emulator.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def __enter__(self) -> Emulator:
        self.start()
        return self.emulator

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        async def on_loop() -> T:
            return func(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(on_loop(), self.loop).result(10)

    @property
    def base_url(self) -> str:
        return self.emulator.base_url
