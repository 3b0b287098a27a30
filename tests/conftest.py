"""Shared test setup: the guards (tests/guards.py), aioresponses compatibility, and common factories."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from typing import Any
from unittest import mock

import aiohttp
import aioresponses.compat
import aioresponses.core
import pytest
from aioresponses import aioresponses as AioResponses
from yarl import URL

from bigdata_connectors import BigdataClient
from tests.guards import API_KEY, CANARIES, PASSWORD, PROXY_PASSWORD, SESSION_ID, secret_leaks
from tests.loopback import Loopback

__all__ = [  # what tests import from here (the canaries are the guards')
    "API_KEY",
    "BASE",
    "CANARIES",
    "CID",
    "CONNECTORS",
    "PASSWORD",
    "PROXY_PASSWORD",
    "SESSION_ID",
    "FakeTime",
    "connector_json",
    "requests_to",
    "secret_leaks",
]

# The guards (tests/guards.py, loaded by `-p tests.guards` in pyproject.toml) run over every test: no canary
# secret anywhere, no aiohttp session left open.
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


@pytest.fixture(autouse=True)
def seeded_jitter(request: pytest.FixtureRequest) -> None:
    """The poll loop's and the retries' jitter draw from ``random``: seeded from the test's id, each test sees
    the same intervals on every run, so a test that depends on them fails always or never."""
    random.seed(request.node.nodeid)


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
