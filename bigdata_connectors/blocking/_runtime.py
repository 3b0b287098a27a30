"""What one blocking client, its views and everything they hand out share: the async client and its loop thread.

Every blocking object (client, view, service, sync handle, document iterator) holds the ``Runtime``; nothing
on the loop thread does. So when the last of them is gone (or at interpreter exit) the runtime's finalizer
closes the async client on its loop and stops the thread, and an unclosed client neither hangs nor warns.

The loop thread starts with the first call, not with the client: a client built before a ``fork`` and first
used in the child starts its thread there. One used before the fork refuses in the child (EventLoopError):
its connections belong to the parent. The child never touches the parent's loop or sockets; it keeps the
copied async client referenced so that nothing of the parent's is closed (or reported unclosed) from here.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bigdata_connectors import BigdataClient as AsyncBigdataClient
from bigdata_connectors import ClientClosedError
from bigdata_connectors.blocking._loop_thread import CLOSED, LoopThread, Relay

__all__ = ["RELEASE_TIMEOUT", "Runtime"]

T = TypeVar("T")

RELEASE_TIMEOUT = 5.0  # seconds closing may take when a client is collected or the interpreter exits
_left_by_parent: list[AsyncBigdataClient] = []  # in a forked child: never closed here, never collected


class _Parts:
    """The finalizer's share: everything but the runtime itself (a reference to it would keep it alive)."""

    __slots__ = ("__weakref__", "client", "closed", "lock", "thread")

    def __init__(self, client: AsyncBigdataClient) -> None:
        self.client = client
        self.thread: LoopThread | None = None
        self.closed = False
        self.lock = threading.Lock()
        _every.add(self)


_every: weakref.WeakSet[_Parts] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for parts in list(_every):
        parts.lock = threading.Lock()  # another thread may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Runtime:
    """The async root client and the loop thread it runs on, shared by a blocking client and its views."""

    __slots__ = ("__weakref__", "_finalizer", "_parts")

    def __init__(self, client: AsyncBigdataClient) -> None:
        self._parts = _Parts(client)
        self._finalizer = weakref.finalize(self, _release, self._parts)

    @property
    def closed(self) -> bool:
        return self._parts.closed

    @property
    def client(self) -> AsyncBigdataClient:
        """The async root client (views of it are made with its ``with_options``)."""
        return self._parts.client

    def _thread(self, awaitable: Awaitable[Any] | None) -> LoopThread:
        parts = self._parts
        with parts.lock:
            if parts.closed:
                if awaitable is not None and hasattr(awaitable, "close"):
                    awaitable.close()
                raise ClientClosedError(CLOSED)
            if parts.thread is None:
                parts.thread = LoopThread()
            return parts.thread

    def call(self, awaitable: Awaitable[T]) -> T:
        """Run the coroutine on the loop thread and wait for it here; see ``LoopThread.call``."""
        thread = self._parts.thread
        if thread is None:
            thread = self._thread(awaitable)
        return thread.call(awaitable)

    def run(self, start: Callable[[Relay], Awaitable[T]]) -> T:
        """``call`` with plain callbacks relayed to this thread; see ``LoopThread.run``."""
        thread = self._parts.thread
        if thread is None:
            thread = self._thread(None)
        return thread.run(start)

    def close(self) -> None:
        """Close the async client on its loop, then stop and join the loop thread. Idempotent. Calls made
        afterwards raise ClientClosedError; calls still running end with ClientClosedError."""
        parts = self._parts
        with parts.lock:
            if parts.closed:
                return
            parts.closed = True
            thread = parts.thread
        self._finalizer.detach()
        if thread is None or thread.forked:
            return
        if thread.here:  # from an async callback: the loop cannot wait for itself; it closes, then stops
            thread.stop(last=parts.client.aclose())
            return
        try:
            thread.call(parts.client.aclose())
        finally:
            thread.stop()


def _release(parts: _Parts) -> None:
    """The finalizer: the runtime was collected, or the interpreter is exiting, without ``close()``."""
    with parts.lock:
        already, parts.closed = parts.closed, True
        thread = parts.thread
    if already or thread is None:
        return
    if thread.forked:
        _left_by_parent.append(parts.client)
        return
    thread.stop(RELEASE_TIMEOUT, last=parts.client.aclose())
