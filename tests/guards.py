"""Two guards over every test, on pytest's public hooks (``pytest_runtest_setup`` / ``_teardown`` wrappers):

- **No secret leaves.** From a test's setup to the end of its teardown: every ``BigdataError`` created, every
  exception a test catches with ``pytest.raises`` (pydantic's and aiohttp's included), and every log record (the
  SDK's logger at DEBUG) is searched for the canary secrets, over each exception's whole chain (``str``, ``repr``,
  ``args``, attributes, ``.errors()``, ``__cause__``, ``__context__``, exception groups). A leak fails the test at
  teardown.
- **No aiohttp session left open.** Every ``aiohttp.ClientSession`` created during the test is held weakly; one
  still alive and not closed after the test's fixtures are torn down fails it, and so does aiohttp's own
  "Unclosed" report of one collected meanwhile. No ``gc.collect()`` per test: a session kept alive by a cycle is
  still alive, so still seen.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Generator, Iterator
from types import TracebackType
from typing import Any

import aiohttp
import pydantic
import pytest

from bigdata_connectors import BigdataError

__all__ = ["CANARIES", "secret_leaks"]

API_KEY = "test-key-CANARY-7f3a9c"  # canaries: never in a log record, a client repr, or an error's text
PASSWORD = "broker-pw-CANARY-91c2"
SESSION_ID = "sp-session-CANARY-4e7d"
PROXY_PASSWORD = "proxy-pw-CANARY-5d1e"
CANARIES = (API_KEY, PASSWORD, SESSION_ID, PROXY_PASSWORD)


def _texts(exc: BaseException) -> Iterator[tuple[str, str]]:
    """Every way an error tracker or a log could render one exception."""
    yield "str", str(exc)
    yield "repr", repr(exc)
    yield "args", repr(exc.args)
    yield "attributes", repr(getattr(exc, "__dict__", {}))
    yield "notes", repr(getattr(exc, "__notes__", ()))
    if isinstance(exc, pydantic.ValidationError):
        yield ".errors()", repr(exc.errors())
        yield ".json()", exc.json()


def secret_leaks(exc: BaseException) -> list[str]:
    """Where a canary appears in ``exc`` or anywhere in its chain (``__cause__``, ``__context__``,
    exception groups), in any rendering of ``_texts``."""
    found: list[str] = []
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for how, text in _texts(current):
            found += [f"{canary} in {how} of {type(current).__name__}" for canary in CANARIES if canary in text]
        stack += [e for e in (current.__cause__, current.__context__) if e is not None]
        if isinstance(current, BaseExceptionGroup):
            stack += list(current.exceptions)
    return found


class _RecordingRaises:
    """``pytest.raises(...)`` as a context manager, noting the exception that reached it."""

    def __init__(self, context: Any, seen: list[BaseException]) -> None:
        self._context, self._seen = context, seen

    def __enter__(self) -> Any:
        return self._context.__enter__()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> bool:
        if exc is not None:
            self._seen.append(exc)
        return bool(self._context.__exit__(kind, exc, tb))


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(f"{record.getMessage()} {record.exc_text or ''}")


class _Watch:
    """What one test created, caught and logged."""

    def __init__(self) -> None:
        self.exceptions: list[BaseException] = []
        self.sessions: weakref.WeakSet[aiohttp.ClientSession] = weakref.WeakSet()
        self.records = _Records()
        self._undo: list[Callable[[], None]] = []

    def start(self) -> None:
        exceptions, sessions = self.exceptions, self.sessions
        original_init = BigdataError.__init__
        original_raises = pytest.raises
        original_session_init = aiohttp.ClientSession.__init__

        def recording_init(self: BigdataError, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            exceptions.append(self)

        def recording_raises(*args: Any, **kwargs: Any) -> Any:
            result = original_raises(*args, **kwargs)
            if isinstance(result, pytest.ExceptionInfo):  # the form that calls a function
                exceptions.append(result.value)
                return result
            return _RecordingRaises(result, exceptions)

        def recording_session_init(self: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> None:
            original_session_init(self, *args, **kwargs)
            sessions.add(self)

        sdk = logging.getLogger("bigdata_connectors")
        level = sdk.level
        sdk.setLevel(logging.DEBUG)
        logging.getLogger().addHandler(self.records)
        self._undo = [
            _swap(BigdataError, "__init__", recording_init),
            _swap(pytest, "raises", recording_raises),
            _swap(aiohttp.ClientSession, "__init__", recording_session_init),
            lambda: sdk.setLevel(level),
            lambda: logging.getLogger().removeHandler(self.records),
        ]

    def stop(self) -> None:
        for undo in reversed(self._undo):
            undo()

    def problems(self) -> list[str]:
        found = [f"secret in a log record: {c}" for c in CANARIES for t in self.records.texts if c in t]
        found += [leak for exc in self.exceptions for leak in secret_leaks(exc)]
        found += [f"an aiohttp session left open: {s!r}" for s in list(self.sessions) if not s.closed]
        found += [t for t in self.records.texts if "Unclosed" in t]
        return found


def _swap(owner: object, name: str, replacement: object) -> Callable[[], None]:
    """Put ``replacement`` in place of ``owner.name``; return what puts the original back."""
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    return lambda: setattr(owner, name, original)


_WATCH = pytest.StashKey[_Watch]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    watch = _Watch()
    item.stash[_WATCH] = watch
    watch.start()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    watch = item.stash.get(_WATCH, None)
    try:
        result = yield
    finally:
        if watch is not None:
            watch.stop()
    if watch is not None:
        problems = watch.problems()
        assert not problems, problems
    return result
