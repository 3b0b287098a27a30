"""Corporate networks against real parts: proxy.py (CONNECT, Basic auth) in front of the emulator over TLS
with a CA minted at test time (trustme), reached with proxy= and with trust_env + HTTPS_PROXY."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from bigdata_connectors import APIConnectionError, BigdataClient, Connector, TLSError
from bigdata_connectors.testing import Emulator
from tests.conftest import API_KEY, PROXY_PASSWORD
from tests.proxies import Tap, forward_proxy

PROXY_ENV = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(scope="module")
def proxy_port() -> Iterator[int]:
    with forward_proxy(PROXY_PASSWORD) as port:
        yield port


@pytest.fixture(autouse=True)
def clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest_asyncio.fixture
async def tls_emulator() -> AsyncIterator[Emulator]:
    async with Emulator(api_key=API_KEY, tls=True, seed=0) as emu:
        emu.preload(1)
        yield emu


@pytest_asyncio.fixture
async def tap(proxy_port: int) -> AsyncIterator[Tap]:
    async with Tap(proxy_port) as relay:
        yield relay


def assert_only_a_tunnel(tap: Tap, emu: Emulator) -> None:
    seen = bytes(tap.received)
    assert seen.startswith(f"CONNECT 127.0.0.1:{emu.port} HTTP/1.1\r\n".encode()), seen[:80]
    assert API_KEY.encode() not in seen  # the key travels inside TLS only
    assert b"/contents/v1/connectors" not in seen  # so do the paths
    assert PROXY_PASSWORD.encode() not in seen  # Basic auth is base64, never the clear password either


async def test_emulator_serves_tls_with_a_ca_it_hands_out(tls_emulator: Emulator) -> None:
    assert tls_emulator.base_url.startswith("https://127.0.0.1:")
    async with BigdataClient(API_KEY, base_url=tls_emulator.base_url, ssl=tls_emulator.ca_path) as client:
        assert len(await client.connectors.list()) == 1
    async with BigdataClient(API_KEY, base_url=tls_emulator.base_url, ssl=tls_emulator.client_ssl_context()) as c:
        assert len(await c.connectors.list()) == 1


async def test_through_the_proxy_with_proxy_argument(tls_emulator: Emulator, tap: Tap) -> None:
    client = BigdataClient(
        API_KEY, base_url=tls_emulator.base_url, ssl=tls_emulator.ca_path, proxy=tap.url(PROXY_PASSWORD)
    )
    assert PROXY_PASSWORD not in repr(client)
    async with client:
        created = await client.connectors.create(type="email", label="via proxy", config=None)
        assert isinstance(await client.connectors.get(created.connector_id), Connector)
    assert tls_emulator.created == 1
    assert tap.connections >= 1
    assert_only_a_tunnel(tap, tls_emulator)


async def test_through_the_proxy_from_https_proxy_env(
    tls_emulator: Emulator, tap: Tap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", tap.url(PROXY_PASSWORD))
    async with BigdataClient(API_KEY, base_url=tls_emulator.base_url, ssl=tls_emulator.ca_path) as client:
        assert len(await client.connectors.list()) == 1
    assert_only_a_tunnel(tap, tls_emulator)


async def test_trust_env_false_ignores_https_proxy(
    tls_emulator: Emulator, tap: Tap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", tap.url(PROXY_PASSWORD))
    client = BigdataClient(API_KEY, base_url=tls_emulator.base_url, ssl=tls_emulator.ca_path, trust_env=False)
    async with client:
        await client.connectors.list()
    assert tap.connections == 0


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*"])
async def test_no_proxy_bypasses_the_proxy(
    tls_emulator: Emulator, tap: Tap, monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    monkeypatch.setenv("https_proxy", tap.url(PROXY_PASSWORD))
    monkeypatch.setenv("NO_PROXY", no_proxy)
    async with BigdataClient(API_KEY, base_url=tls_emulator.base_url, ssl=tls_emulator.ca_path) as client:
        assert len(await client.connectors.list()) == 1
    assert tap.connections == 0
    assert tls_emulator.requests["list"] == 1


async def test_without_the_ca_the_call_fails_with_a_clear_tls_error_sent_once(tls_emulator: Emulator, tap: Tap) -> None:
    async with BigdataClient(API_KEY, base_url=tls_emulator.base_url, proxy=tap.url(PROXY_PASSWORD)) as client:
        with pytest.raises(TLSError) as info:
            await client.connectors.create(type="email", label="never", config=None)
    err = info.value
    assert isinstance(err, APIConnectionError)
    assert err.request_sent is False
    text = str(err)
    assert "certificate verification failed" in text
    assert "ssl=" in text
    assert "proxy" in text
    assert PROXY_PASSWORD not in text
    assert PROXY_PASSWORD not in repr(err)
    # Not retried: one tunnel, and nothing reached the emulator, let alone a second create.
    assert bytes(tap.received).count(b"CONNECT ") == 1
    assert tls_emulator.created == 0
    assert sum(tls_emulator.requests.values()) == 0


async def test_tls_error_is_not_retried_for_reads_either(tls_emulator: Emulator) -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with BigdataClient(API_KEY, base_url=tls_emulator.base_url, sleep=sleep) as client:
        with pytest.raises(TLSError):
            await client.connectors.list()
    assert sleeps == []


async def test_a_context_that_trusts_the_ca_works_too(tls_emulator: Emulator) -> None:
    context = ssl.create_default_context(cafile=tls_emulator.ca_path)
    async with BigdataClient(API_KEY, base_url=tls_emulator.base_url, ssl=context) as client:
        await client.connectors.list()


async def test_wrong_proxy_password_is_a_clear_error_without_the_password(tls_emulator: Emulator, tap: Tap) -> None:
    wrong = "wrong-" + PROXY_PASSWORD
    async with BigdataClient(
        API_KEY, base_url=tls_emulator.base_url, ssl=tls_emulator.ca_path, proxy=tap.url(wrong), max_retries=0
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.connectors.list()
    err = info.value
    assert "407" in str(err)
    assert err.request_sent is False
    chain: list[BaseException] = []
    current: BaseException | None = err
    while current is not None:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for link in chain:
        assert PROXY_PASSWORD not in str(link)
        assert PROXY_PASSWORD not in repr(link)
        assert "Proxy-Authorization" not in repr(vars(link)) if hasattr(link, "__dict__") else True


async def test_unreachable_proxy_is_a_connection_error_never_sent(tls_emulator: Emulator) -> None:
    async with BigdataClient(
        API_KEY,
        base_url=tls_emulator.base_url,
        ssl=tls_emulator.ca_path,
        proxy=f"http://proxyuser:{PROXY_PASSWORD}@127.0.0.1:1",
        max_retries=0,
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.connectors.create(type="email", label="x", config=None)
    assert info.value.request_sent is False
    assert "proxy" in str(info.value)
    assert PROXY_PASSWORD not in str(info.value)


def test_emulator_command_tls_prints_the_ca_to_trust() -> None:
    import asyncio
    import subprocess
    import sys

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bigdata_connectors.testing",
            "--tls",
            "--port",
            "0",
            "--api-key",
            API_KEY,
            "--preload",
            "1",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(5)]
        base_url = lines[0].rsplit(" ", 1)[1]
        assert base_url.startswith("https://127.0.0.1:")
        ca_path = lines[3].split(": ", 1)[1]

        async def use(ssl: str | None) -> int:
            async with BigdataClient(API_KEY, base_url=base_url, ssl=ssl) as api:
                return len(await api.connectors.list())

        assert asyncio.run(use(ca_path)) == 1
        with pytest.raises(TLSError):
            asyncio.run(use(None))
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
