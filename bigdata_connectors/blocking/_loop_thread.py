"""An asyncio event loop in a daemon thread, and the one way blocking code runs a coroutine on it.

``LoopThread.call(coro)`` runs ``coro`` as a task on the loop and blocks the calling thread until it ends,
then returns its result or raises its exception (the same object, chain and all) in the calling thread.
The calling thread waits on a queue of its own for that call, which also carries the call's callbacks:
a plain callback of the call (``relay``) runs in the calling thread, while the task awaits its return.

- **Interrupts**: anything raised in the calling thread while it waits (KeyboardInterrupt from Ctrl-C, a
  signal handler's exception) cancels the task, waits until it has really ended, then propagates. The main
  thread waits in slices of ``WAKE`` seconds so that an interrupt delivered without waking it
  (``_thread.interrupt_main()``, a signal the kernel gave another thread) is still seen. The loop thread leaves
  the signal mask alone: a blocked SIGINT or SIGTERM would be inherited by any process started from it.
- **Stopping**: ``stop()`` refuses new calls, then the loop thread cancels what is left (their callers get
  ClientClosedError), finalises async generators and the default executor, and closes the loop.
- **Fork**: in a child process the thread does not exist; every call raises EventLoopError at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import itertools
import os
import queue
import threading
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar, cast

from bigdata_connectors import ClientClosedError, EventLoopError

__all__ = ["CLOSED", "WAKE", "LoopThread", "Relay"]

T = TypeVar("T")
CallbackT = TypeVar("CallbackT", bound=Callable[[Any], Any] | None)

CLOSED = "this BigdataClient is closed; create a new one"
FORKED = (
    "this blocking BigdataClient was first used in another process: its event loop thread and connections "
    "stayed there when this process was forked. Create a new BigdataClient in this process"
)
OWN_THREAD = (
    "a blocking BigdataClient was called from its own event loop thread (from an async callback?): it would "
    "wait for itself. Use a plain (not async) callback: it runs in the thread that made the call"
)
WAKE = 0.1  # seconds: how late, at worst, the main thread sees an interrupt that did not wake it
_numbers = itertools.count(1)
_live: weakref.WeakSet[LoopThread] = weakref.WeakSet()


class _Callback:
    """A callback the task wants run in its caller's thread; ``future`` (on the loop) gets what it returns."""

    __slots__ = ("argument", "callback", "future")

    def __init__(self, callback: Callable[[Any], Any], argument: Any, future: asyncio.Future[Any]) -> None:
        self.callback, self.argument, self.future = callback, argument, future


class _Done:
    """How the call's coroutine ended: its value, or what it raised (cancellation included)."""

    __slots__ = ("error", "value")

    def __init__(self, value: Any, error: BaseException | None) -> None:
        self.value, self.error = value, error


async def _settled(awaitable: Awaitable[Any], calls: queue.SimpleQueue[Any]) -> None:
    """Await the call's coroutine and hand its outcome to the caller at once (not a loop turn later, as a
    done callback would). KeyboardInterrupt or SystemExit raised on the loop go to the caller, not the loop."""
    try:
        value = await awaitable
    except BaseException as error:
        calls.put(_Done(None, error))
        if isinstance(error, asyncio.CancelledError):
            raise
    else:
        calls.put(_Done(value, None))


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the task was cancelled meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class Relay:
    """Turns a call's plain callbacks into async ones that run the original in the calling thread."""

    __slots__ = ("_loop", "_queue")

    def __init__(self, loop: asyncio.AbstractEventLoop, calls: queue.SimpleQueue[Any]) -> None:
        self._loop, self._queue = loop, calls

    def __call__(self, callback: CallbackT) -> CallbackT:
        """``callback`` as the async core may call it: None stays None, a coroutine function runs on the loop
        thread as it is, and anything else runs in the calling thread (an awaitable it returns is then
        awaited on the loop)."""
        if callback is None or inspect.iscoroutinefunction(callback):
            return callback
        loop, calls, plain = self._loop, self._queue, callback

        async def in_caller(argument: Any) -> None:
            future = loop.create_future()
            calls.put(_Callback(plain, argument, future))
            result = await future
            if inspect.isawaitable(result):
                await result

        return in_caller  # type: ignore[return-value]  # same call shape; awaited by the core like any async callback


def _serve(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
    """The loop thread: run until ``stop()``, then cancel what is left and close the loop."""
    loop.call_soon(ready.set)
    try:
        while True:
            try:
                loop.run_forever()
                break
            except BaseException:  # a task outside any call raised SystemExit/KeyboardInterrupt: keep serving
                continue
    finally:
        try:
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()


class LoopThread:
    """An event loop running in a daemon thread of its own (see the module docstring)."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()  # orders submissions against stop(): none is left unrun
        self._refusal: str | None = None  # why calls are refused (closed, forked), or None
        ready = threading.Event()
        self._thread = threading.Thread(
            target=_serve, args=(self._loop, ready), name=f"bigdata-connectors-loop-{next(_numbers)}", daemon=True
        )
        self._thread.start()
        ready.wait()
        self._ident = self._thread.ident
        _live.add(self)

    @property
    def here(self) -> bool:
        """Whether the current thread is this loop's own."""
        return threading.get_ident() == self._ident

    def _refuse(self, awaitable: Awaitable[Any]) -> BaseException | None:
        if self._refusal is None and threading.get_ident() != self._ident:
            return None
        if inspect.iscoroutine(awaitable):
            awaitable.close()  # never to run: no "coroutine was never awaited" warning
        if self._refusal is FORKED:
            return EventLoopError(FORKED)
        return ClientClosedError(CLOSED) if self._refusal is not None else EventLoopError(OWN_THREAD)

    def call(self, awaitable: Awaitable[T]) -> T:
        """Run ``awaitable`` (a coroutine) on the loop; block until it ends; return or raise what it did.

        Raises ClientClosedError (stopped, or stopped during the call), EventLoopError (after a fork, or from
        the loop thread itself), and whatever the coroutine or an interrupt raises.
        """
        return self._call(awaitable, None)

    def run(self, start: Callable[[Relay], Awaitable[T]]) -> T:
        """``call(start(relay))``, where ``relay(callback)`` makes a plain callback run in this thread."""
        calls: queue.SimpleQueue[Any] = queue.SimpleQueue()
        return self._call(start(Relay(self._loop, calls)), calls)

    def _call(self, awaitable: Awaitable[T], calls: queue.SimpleQueue[Any] | None) -> T:
        refused = self._refuse(awaitable)
        if refused is not None:
            raise refused
        if calls is None:
            calls = queue.SimpleQueue()
        started: list[asyncio.Task[None]] = []
        context = contextvars.copy_context()  # the caller's context variables (a tracing span) go with the call
        with self._lock:
            refused = self._refuse(awaitable)
            if refused is not None:
                raise refused
            coroutine = cast("Coroutine[Any, Any, T]", awaitable)
            self._loop.call_soon_threadsafe(_start, self._loop, coroutine, context, calls, started)
        try:
            done = self._wait(calls)
        except BaseException:
            self._cancel(started, calls)
            raise
        if done.error is None:
            return done.value  # type: ignore[no-any-return]  # what the coroutine returned
        if isinstance(done.error, asyncio.CancelledError):  # not by this caller: stop() cancelled what was left
            raise ClientClosedError(CLOSED + " (it was closed while this call was running)")
        raise done.error

    def _wait(self, calls: queue.SimpleQueue[Any]) -> _Done:
        """How the call ended, running its callbacks here meanwhile."""
        while True:
            item = _next(calls)
            if type(item) is not _Callback:
                return item  # type: ignore[no-any-return]  # the queue holds callbacks, then the outcome
            try:
                result, error = item.callback(item.argument), None
            except Exception as err:  # the core sees it raised by the callback, as with the async client
                result, error = None, err
            # RuntimeError: the loop closed meanwhile; the task was cancelled and is in the queue.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(_settle, item.future, result, error)

    def _cancel(self, started: list[asyncio.Task[Any]], calls: queue.SimpleQueue[Any]) -> None:
        """Cancel the call's task and wait until it has ended (callbacks it still asks for are refused)."""
        try:
            self._loop.call_soon_threadsafe(_cancel, started)
        except RuntimeError:  # the loop is closed: the task is over
            return
        while True:
            item = _next(calls)
            if type(item) is not _Callback:
                return
            try:
                self._loop.call_soon_threadsafe(item.future.cancel)
            except RuntimeError:
                return

    @property
    def forked(self) -> bool:
        return self._refusal is FORKED

    def stop(self, timeout: float | None = None, *, last: Coroutine[Any, Any, Any] | None = None) -> None:
        """Refuse new calls, run ``last`` (if given: closing the client), cancel what is left, close the loop.
        Waits up to ``timeout`` seconds (None: as long as it takes) for the thread to end; from the loop thread
        itself it waits for nothing. After a fork (or a second time) does nothing; ``last`` is then closed."""
        with self._lock:
            first = self._refusal is None
            if first:
                self._refusal = CLOSED
                self._loop.call_soon_threadsafe(_finish, self._loop, last)
        if not first:
            if last is not None:
                last.close()
            return
        if threading.get_ident() != self._ident:
            self._thread.join(timeout)

    def _forked(self) -> None:
        self._refusal = FORKED
        self._lock = threading.Lock()  # it may have been held by another thread at the fork


def _next(calls: queue.SimpleQueue[Any]) -> Any:
    """The next item of a call's queue. Signal handlers (KeyboardInterrupt) run only in the main thread, and an
    interrupt does not always wake it: there it waits in slices of ``WAKE`` seconds."""
    if threading.current_thread() is not threading.main_thread():
        return calls.get()
    while True:
        try:
            return calls.get(timeout=WAKE)
        except queue.Empty:
            continue


def _start(
    loop: asyncio.AbstractEventLoop,
    awaitable: Coroutine[Any, Any, Any],
    context: contextvars.Context,
    calls: queue.SimpleQueue[Any],
    started: list[asyncio.Task[Any]],
) -> None:
    started.append(loop.create_task(_settled(awaitable, calls), context=context))


def _finish(loop: asyncio.AbstractEventLoop, last: Coroutine[Any, Any, Any] | None) -> None:
    """Run ``last`` to its end, then stop the loop (``_serve`` then cancels what is left)."""
    if last is None:
        loop.stop()
        return

    def done(task: asyncio.Task[Any]) -> None:
        if not task.cancelled():
            task.exception()  # retrieved: an error closing at exit is not worth a log line nobody asked for
        loop.stop()

    loop.create_task(last).add_done_callback(done)


def _cancel(started: list[asyncio.Task[Any]]) -> None:
    for task in started:
        task.cancel()


def _after_fork_in_child() -> None:
    for loop_thread in list(_live):
        loop_thread._forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
