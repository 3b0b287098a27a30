"""Per-call options, raw responses, BIGDATA_LOG and settings checked at construction (against the emulator)."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bigdata_connectors import (
    APITimeoutError,
    BigdataClient,
    ClientClosedError,
    ConfigurationError,
    Connector,
    ConnectorSyncResponse,
    InternalServerError,
    NotFoundError,
    RawResponse,
)
from bigdata_connectors._transport.logs import _StderrHandler
from bigdata_connectors.testing import Emulator, Fault
from tests.conftest import API_KEY, PROXY_PASSWORD, FakeTime

# ---------------------------------------------------------------- settings checked at construction


@pytest.mark.parametrize("rate_limit", [0, -1, math.nan, math.inf, True, "300", -0.5])
def test_bad_rate_limit_is_refused(rate_limit: Any) -> None:
    with pytest.raises(ConfigurationError, match="rate_limit"):
        BigdataClient(API_KEY, base_url="https://api.example.test", rate_limit=rate_limit)


@pytest.mark.parametrize(
    "proxy", ["not a url", "ftp://proxy.corp:21", "proxy.corp:3128", "http://", "http://proxy.corp:99999", 3128]
)
def test_bad_proxy_is_refused(proxy: Any) -> None:
    with pytest.raises(ConfigurationError, match="proxy"):
        BigdataClient(API_KEY, base_url="https://api.example.test", proxy=proxy)


def test_proxy_password_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError) as info:
        BigdataClient(API_KEY, proxy=f"socks5://me:{PROXY_PASSWORD}@proxy.corp:1080")
    assert PROXY_PASSWORD not in str(info.value)
    assert "me:***@proxy.corp" in str(info.value)
    monkeypatch.setenv("HTTPS_PROXY", f"gopher://me:{PROXY_PASSWORD}@proxy.corp:1080")
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY") as info:
        BigdataClient(API_KEY)
    assert PROXY_PASSWORD not in str(info.value)
    monkeypatch.delenv("HTTPS_PROXY")
    client = BigdataClient(API_KEY, proxy=f"http://me:{PROXY_PASSWORD}@proxy.corp:3128")
    for text in (repr(client), repr(client._config), repr(client._http)):
        assert PROXY_PASSWORD not in text


@pytest.mark.parametrize("ssl", ["/no/such/ca.pem", 123, b"/bytes/path"])
def test_bad_ssl_is_refused(ssl: Any) -> None:
    with pytest.raises(ConfigurationError, match="ssl"):
        BigdataClient(API_KEY, ssl=ssl)


def test_a_file_that_is_not_a_ca_bundle_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(ConfigurationError, match="cannot load CA bundle"):
        BigdataClient(API_KEY, ssl=bogus)


def test_trust_env_must_be_a_bool() -> None:
    with pytest.raises(ConfigurationError, match="trust_env"):
        BigdataClient(API_KEY, trust_env="yes")  # type: ignore[arg-type]


def test_borrowed_session_refuses_network_settings() -> None:
    import aiohttp

    with pytest.raises(ConfigurationError, match=r"your aiohttp\.ClientSession"):
        BigdataClient(API_KEY, session=object.__new__(aiohttp.ClientSession), proxy="http://proxy.corp:3128")


def test_bad_bigdata_log_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIGDATA_LOG", "loud")
    with pytest.raises(ConfigurationError, match="BIGDATA_LOG"):
        BigdataClient(API_KEY)


def test_defaults() -> None:
    client = BigdataClient(API_KEY)
    assert client._config.rate_limit == 300
    assert client._config.trust_env is True
    assert BigdataClient(API_KEY, rate_limit=None)._http._budget is None


# ---------------------------------------------------------------- with_options


async def test_with_options_is_a_view_sharing_session_and_limiter(bigdata_emulator: Emulator) -> None:
    bigdata_emulator.preload(1)
    async with BigdataClient(API_KEY, base_url=bigdata_emulator.base_url) as client:
        bigdata_emulator.api_key = API_KEY
        view = client.with_options(timeout=5, max_retries=0)
        assert (view._config.timeout, view._config.max_retries) == (5, 0)
        assert (client._config.timeout, client._config.max_retries) == (30, 3)
        assert len(await view.connectors.list()) == 1
        assert view._http._get_session() is client._http._get_session()
        assert view._http._budget is client._http._budget
        assert view.documents._http is view._http
        assert client.with_options(timeout=1).with_options(max_retries=1)._http._parent is client._http
        await view.aclose()  # closes only the view
        assert not client._http._get_session().closed
        assert len(await client.connectors.list()) == 1
        with pytest.raises(ClientClosedError):
            await view.connectors.list()
        other = client.with_options(max_retries=1)
    with pytest.raises(ClientClosedError):  # closing the client ends its views
        await other.connectors.list()


@pytest.mark.parametrize("options", [{"timeout": 0}, {"timeout": math.nan}, {"max_retries": -1}])
def test_with_options_checks_values(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        BigdataClient(API_KEY).with_options(**options)


async def test_with_options_timeout_and_retries_apply_to_the_view_only(
    bigdata_emulator: Emulator, fake_time: FakeTime
) -> None:
    bigdata_emulator.api_key = API_KEY
    (cid,) = bigdata_emulator.preload(1)
    async with BigdataClient(API_KEY, base_url=bigdata_emulator.base_url, sleep=fake_time.sleep) as client:
        bigdata_emulator.script("get", [Fault("stall", stall=2.0)])
        with pytest.raises(APITimeoutError):
            await client.with_options(timeout=0.2, max_retries=0).connectors.get(cid)
        bigdata_emulator.script("get", ["503"])
        with pytest.raises(InternalServerError):
            await client.with_options(max_retries=0).connectors.get(cid)
        bigdata_emulator.script("get", ["503"])
        assert isinstance(await client.connectors.get(cid), Connector)  # the client still retries
    assert bigdata_emulator.requests["get"] == 4


# ---------------------------------------------------------------- with_raw_response


async def test_raw_response_for_every_operation(bigdata_emulator: Emulator) -> None:
    bigdata_emulator.api_key = API_KEY
    (ir,) = bigdata_emulator.preload(1)
    async with BigdataClient(API_KEY, base_url=bigdata_emulator.base_url) as client:
        raw = client.connectors.with_raw_response
        created = await raw.create(type="email", label="raw", config=None)
        connector = created.parse()
        assert isinstance(connector, Connector)
        listed = await raw.list()
        got = await raw.get(connector.connector_id)
        updated = await raw.update(connector.connector_id, label="renamed")
        synced = await raw.trigger_sync(ir, date_limit="2026-01-01")
        archived = await raw.delete(connector.connector_id)
        forced = await raw.delete(ir, force=True)
    for answer in (created, listed, got, updated, synced, archived, forced):
        assert isinstance(answer, RawResponse)
        assert (answer.request_id or "").startswith("emu-")
        assert answer.elapsed > 0
        assert "Content-Length" in answer.headers or answer.status_code == 202
        assert API_KEY not in repr(answer)
    assert [a.status_code for a in (created, listed, got, updated, synced, archived, forced)] == [200] * 6 + [202]
    assert len(listed.parse()) == 2
    assert got.parse().connector_id == connector.connector_id
    assert (updated.method, updated.parse().label) == ("PUT", "renamed")  # update's GET then PUT: the PUT
    assert isinstance(synced.parse(), ConnectorSyncResponse)
    assert getattr(archived.parse(), "archived", None) is True
    assert forced.parse() is None
    assert len({a.request_id for a in (created, listed, got, updated, synced, archived, forced)}) == 7


async def test_raw_response_of_a_document(bigdata_emulator: Emulator) -> None:
    bigdata_emulator.api_key = API_KEY
    bigdata_emulator.sync_items = 2
    (ir,) = bigdata_emulator.preload(1)
    async with BigdataClient(API_KEY, base_url=bigdata_emulator.base_url, rate_limit=None) as client:
        await client.connectors.sync_and_wait(ir, date_limit="2026-01-01", poll_interval=0.02, wait_for_documents=True)
        first, *_ = [d async for d in client.documents.list(connector=ir)]
        raw = await client.documents.with_raw_response.get(first.id)
        with pytest.raises(ValueError, match="32"):
            await client.documents.with_raw_response.get("not-a-content-id")
    assert raw.status_code == 200
    assert (raw.request_id or "").startswith("emu-")
    assert raw.parse().id == first.id
    assert raw.path.endswith(first.id)


async def test_raw_response_raises_like_the_plain_call(bigdata_emulator: Emulator) -> None:
    bigdata_emulator.api_key = API_KEY
    async with BigdataClient(API_KEY, base_url=bigdata_emulator.base_url) as client:
        with pytest.raises(NotFoundError) as info:
            await client.connectors.with_raw_response.get("019a9612-bfad-758c-884e-37dd8c6ad2cb")
        with pytest.raises(ValueError, match="UUID"):
            await client.connectors.with_raw_response.get("nope")
    assert info.value.request_id is not None


async def test_raw_response_of_a_retried_call_is_the_last_attempt(
    bigdata_emulator: Emulator, fake_time: FakeTime
) -> None:
    bigdata_emulator.api_key = API_KEY
    bigdata_emulator.script("list", ["503", "429"])
    async with BigdataClient(API_KEY, base_url=bigdata_emulator.base_url, sleep=fake_time.sleep) as client:
        raw = await client.connectors.with_raw_response.list()
    assert raw.status_code == 200
    assert bigdata_emulator.requests["list"] == 3


# ---------------------------------------------------------------- BIGDATA_LOG


@pytest.fixture
def restore_sdk_logger() -> Iterator[None]:
    logger = logging.getLogger("bigdata_connectors")
    level = logger.level
    yield
    logger.handlers[:] = [h for h in logger.handlers if not isinstance(h, _StderrHandler)]
    logger.setLevel(level)


@pytest.mark.usefixtures("restore_sdk_logger")
async def test_bigdata_log_debug_sends_records_to_stderr(
    bigdata_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bigdata_emulator.api_key = API_KEY
    monkeypatch.setenv("BIGDATA_LOG", "DEBUG")
    async with BigdataClient(API_KEY, base_url=bigdata_emulator.base_url) as client:
        await client.connectors.create(type="email", label="logged", config={"allowed_emails": ["a@b.example"]})
        BigdataClient(API_KEY, base_url=bigdata_emulator.base_url)  # a second client adds no second handler
        await client.connectors.list()
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "bigdata_connectors" in line]
    assert len(lines) == 2, err
    assert "DEBUG bigdata_connectors: POST /contents/v1/connectors -> 200" in lines[0]
    assert "request_id=emu-" in lines[0]
    assert API_KEY not in err
    assert "a@b.example" not in err  # no bodies
    assert "X-API-KEY" not in err  # no headers


@pytest.mark.usefixtures("restore_sdk_logger")
async def test_bigdata_log_info_hides_debug_lines(
    bigdata_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bigdata_emulator.api_key = API_KEY
    monkeypatch.setenv("BIGDATA_LOG", "info")
    bigdata_emulator.script("list", ["503"])
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with BigdataClient(API_KEY, base_url=bigdata_emulator.base_url, sleep=sleep) as client:
        await client.connectors.list()
    err = capsys.readouterr().err
    assert "WARNING bigdata_connectors: retrying in" in err
    assert "DEBUG" not in err
