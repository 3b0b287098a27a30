"""Shared test setup: aioresponses compatibility, a leak guard, and common factories."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Any
from unittest import mock

import aiohttp
import aioresponses.compat
import aioresponses.core
import pydantic
import pytest
from _pytest._code.code import ExceptionInfo
from aioresponses import aioresponses as AioResponses
from yarl import URL

from bigdata_connectors import BigdataClient, BigdataError
from tests.loopback import Loopback

API_KEY = "test-key-CANARY-7f3a9c"  # canaries: never in a log record, a client repr, or an error's text
PASSWORD = "broker-pw-CANARY-91c2"
SESSION_ID = "sp-session-CANARY-4e7d"
PROXY_PASSWORD = "proxy-pw-CANARY-5d1e"
CANARIES = (API_KEY, PASSWORD, SESSION_ID, PROXY_PASSWORD)
BASE = "https://api.example.test"
CONNECTORS = f"{BASE}/contents/v1/connectors"
CID = "019a9612-bfad-758c-884e-37dd8c6ad2cb"


def connector_json(**overrides: Any) -> dict[str, Any]:
    """A Connector body as the API sends it (email by default)."""
    body: dict[str, Any] = {
        "connector_id": CID,
        "user_id": "user_id_001",
        "org_id": "org_id_001",
        "share_with_org": True,
        "label": "Broker Research - Daily Reports",
        "type": "email",
        "description": "Collects daily reports",
        "config": {"allowed_emails": ["user@example.com"], "email_hash": "a1b2", "email": "a1b2@bigdata.com"},
        "created_at": "2026-02-11T11:01:09.574095Z",
        "updated_at": "2026-02-11T11:01:09.574102Z",
        "archived": False,
    }
    body.update(overrides)
    return body


# ---------------------------------------------------------------- aioresponses x aiohttp 3.14


def _aioresponses_is_broken() -> bool:
    try:
        aioresponses.core.RequestMatch("http://probe.test")._build_response(
            URL("http://probe.test"), body=b"x" * 70_000
        )
    except (TypeError, AssertionError):
        return True
    return False


@pytest.fixture(scope="session", autouse=True)
def aioresponses_compat() -> Iterator[None]:
    """Work around pnuckowski/aioresponses#289: 0.7.9 builds ClientResponse without the
    ``stream_writer`` argument aiohttp 3.14 requires, and its 64 KiB stream limit trips on larger
    mocked bodies (both fixed upstream in PR #292, unreleased). Feature-detected: once an
    aioresponses that builds responses is installed, this does nothing. Remove it then.
    """
    if not _aioresponses_is_broken():
        yield
        return

    class _CompatResponse(aiohttp.ClientResponse):
        def __init__(self, method: str, url: URL, **kwargs: Any) -> None:
            kwargs.setdefault("stream_writer", mock.Mock(output_size=0))
            super().__init__(method, url, **kwargs)

    def _stream_reader(loop: Any = None) -> aiohttp.StreamReader:
        protocol = mock.Mock(_reading_paused=False)
        return aiohttp.StreamReader(protocol, limit=2**24, loop=loop)

    with (
        mock.patch.object(aioresponses.core, "ClientResponse", _CompatResponse),
        mock.patch.object(aioresponses.core, "stream_reader_factory", _stream_reader),
        mock.patch.object(aioresponses.compat, "stream_reader_factory", _stream_reader),
    ):
        yield


# ---------------------------------------------------------------- leak guard


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(autouse=True)
def no_unclosed_sessions() -> Iterator[None]:
    """Fail a test that leaves an aiohttp session or connector unclosed.

    aiohttp reports those through the event loop's exception handler (logged by ``asyncio``) from
    ``__del__``; collecting garbage here makes them surface inside the test that caused them.
    """
    handler = _Collect()
    logging.getLogger("asyncio").addHandler(handler)
    try:
        yield
        gc.collect()
    finally:
        logging.getLogger("asyncio").removeHandler(handler)
    leaks = [m for m in handler.messages if "Unclosed" in m]
    assert not leaks, leaks


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


@pytest.fixture(autouse=True)
def no_secret_leaks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No canary secret (API key, broker password, SharePoint session id) in any log record, in any
    BigdataError created, or in any exception a test catches with ``pytest.raises`` (pydantic's and
    aiohttp's included), checked over each one's whole chain: str, repr, args, attributes,
    ``.errors()``, ``__cause__`` and ``__context__``."""
    created: list[BaseException] = []
    original_init = BigdataError.__init__

    def recording_init(self: BigdataError, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        created.append(self)

    monkeypatch.setattr(BigdataError, "__init__", recording_init)
    original_fill = ExceptionInfo.fill_unfilled

    def recording_fill(self: ExceptionInfo[Any], exc_info: tuple[type[Any], Any, TracebackType]) -> None:
        created.append(exc_info[1])
        original_fill(self, exc_info)

    monkeypatch.setattr(ExceptionInfo, "fill_unfilled", recording_fill)
    records: list[str] = []

    class _All(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(f"{record.getMessage()} {record.exc_text or ''}")

    handler, sdk_logger = _All(logging.DEBUG), logging.getLogger("bigdata_connectors")
    previous_level = sdk_logger.level
    sdk_logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)
        sdk_logger.setLevel(previous_level)
    for canary in CANARIES:
        assert not [r for r in records if canary in r], f"secret in a log record: {canary}"
    leaks = [leak for err in created for leak in secret_leaks(err)]
    assert not leaks, leaks


# ---------------------------------------------------------------- common fixtures


@pytest.fixture
async def server() -> AsyncIterator[Loopback]:
    loopback = Loopback()
    await loopback.start()
    try:
        yield loopback
    finally:
        await loopback.stop()


@pytest.fixture
def mock_api() -> Iterator[AioResponses]:
    with AioResponses() as mocked:
        yield mocked


class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def client(fake_time: FakeTime) -> AsyncIterator[BigdataClient]:
    async with BigdataClient(API_KEY, base_url=BASE, sleep=fake_time.sleep, clock=fake_time.clock) as c:
        yield c


def requests_to(mocked: AioResponses, method: str, url: str) -> list[Any]:
    """The calls aioresponses recorded for ``method url`` (query string included in ``url``)."""
    return list(mocked.requests.get((method, URL(url)), []))
