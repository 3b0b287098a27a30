"""Corporate networks against real parts: proxy.py (CONNECT, Basic auth) in front of the emulator over TLS
with a CA minted at test time (trustme), reached with proxy= and with trust_env + HTTPS_PROXY."""

from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bigdata_connectors import APIConnectionError, BigdataClient, Connector, TLSError
from bigdata_connectors.testing import Emulator
from tests.conftest import API_KEY, PROXY_PASSWORD
from tests.proxies import PROXY_USER, Tap, forward_proxy

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


# ------------------------------------------------------------------ an https:// proxy, and an http:// API


@pytest.fixture(scope="module")
def tls_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """proxy.py speaking TLS itself, with a certificate from a CA of its own; yields its port and that CA's file."""
    import trustme

    folder = tmp_path_factory.mktemp("proxy-tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    cert.private_key_pem.write_to_path(str(folder / "key.pem"))
    ca.cert_pem.write_to_path(str(folder / "proxy-ca.pem"))
    with forward_proxy(PROXY_PASSWORD, tls=(str(folder / "cert.pem"), str(folder / "key.pem"))) as port:
        yield port, folder / "proxy-ca.pem"


def _bundle(*cas: Path) -> Path:
    bundle = cas[0].with_name("bundle.pem")
    bundle.write_text("".join(ca.read_text() for ca in cas))
    return bundle


async def test_through_an_https_proxy_trusting_both_cas(tls_emulator: Emulator, tls_proxy: tuple[int, Path]) -> None:
    """TLS to the proxy, then TLS to the API inside the tunnel; ``ssl=`` is the trust for both, so a bundle of
    the proxy's CA and the API's (as a corporate CA bundle would be)."""
    port, proxy_ca = tls_proxy
    bundle = _bundle(proxy_ca, Path(tls_emulator.ca_path))
    proxy = f"https://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}"
    async with BigdataClient(API_KEY, base_url=tls_emulator.base_url, proxy=proxy, ssl=str(bundle)) as client:
        assert len(await client.connectors.list()) == 1
    async with BigdataClient(API_KEY, base_url=tls_emulator.base_url, proxy=proxy, ssl=tls_emulator.ca_path) as client:
        with pytest.raises(TLSError) as refused:  # the proxy's certificate is checked too
            await client.connectors.list()
    assert PROXY_PASSWORD not in repr(refused.value) + str(refused.value)


async def test_an_http_api_through_an_authenticating_proxy(proxy_port: int) -> None:
    """A plain http:// base URL goes to the proxy without CONNECT: the proxy's credentials must ride on each
    request (aiohttp sends proxy headers only with a CONNECT; this answered 407 before)."""
    async with Emulator(api_key=API_KEY, seed=0) as emu, Tap(proxy_port) as relay:
        emu.preload(1)
        async with BigdataClient(API_KEY, base_url=emu.base_url, proxy=relay.url(PROXY_PASSWORD)) as client:
            assert len(await client.connectors.list()) == 1
            assert (await client.connectors.get(emu.preload(1)[0])).label
        seen = bytes(relay.received)
        assert seen.startswith(f"GET {emu.base_url}/contents/v1/connectors HTTP/1.1\r\n".encode()), seen[:80]
        assert seen.count(b"Proxy-Authorization: Basic ") == 2  # on each request, for the proxy
        assert PROXY_PASSWORD.encode() not in seen  # base64, never the clear password


async def test_the_proxy_token_is_a_secret_too(proxy_port: int) -> None:
    """The Basic token (base64 of user:password) decodes to the password: messages mask it like the password."""
    import base64

    token = base64.b64encode(f"{PROXY_USER}:{PROXY_PASSWORD}".encode()).decode()
    proxy = f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{proxy_port}"
    async with BigdataClient(API_KEY, base_url="http://127.0.0.1:9", proxy=proxy) as client:
        masked = client._http.redactor.text(f"Proxy-Authorization: Basic {token} ({PROXY_PASSWORD})")
    assert token not in masked
    assert PROXY_PASSWORD not in masked


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed when the block ends: nothing listens there


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_nothing_listening_says_connection_refused_and_where(scheme: str) -> None:
    """aiohttp's own text ("Cannot connect to host ... ssl:default [...]") names a TLS setting when nothing is
    listening: the error says what happened and where, in the operating system's words."""
    port = _closed_port()
    async with BigdataClient(API_KEY, base_url=f"{scheme}://127.0.0.1:{port}", max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.connectors.list()
    assert not isinstance(info.value, TLSError)
    assert info.value.request_sent is False
    assert (
        str(info.value)
        == f"GET /contents/v1/connectors: could not connect to the API at 127.0.0.1:{port}: Connection refused"
    )
    assert "ssl:default" not in str(info.value)


async def test_a_name_that_does_not_resolve_says_so() -> None:
    async with BigdataClient(API_KEY, base_url="https://no-such-host.invalid", max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.connectors.list()
    assert "no-such-host.invalid:443: the host name did not resolve" in str(info.value)
    assert "ssl:default" not in str(info.value)
