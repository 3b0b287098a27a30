"""Issue 9: secrets in no exception, bounded memory and time, settings, and the edges production hits.

Odd server behaviour runs on small servers of our own on loopback (aiohttp.web, or raw asyncio for
answers that break HTTP); the rest on aioresponses. The autouse canary check in conftest.py also runs
over every exception here, chain included.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pydantic
import pytest
from aiohttp import web
from aioresponses import aioresponses as AioResponses
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import SecretStr
from yarl import URL

from bigdata_connectors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BigdataClient,
    ClientClosedError,
    ConfigurationError,
    ConnectorUpdatePayload,
    EmailConnectorConfig,
    EventLoopError,
    InternalServerError,
    InvestmentResearchConnectorConfig,
    MalformedResponseError,
    NotFoundError,
    ResponseTooLargeError,
    ResponseValidationError,
    SharepointConnectorConfig,
    TransportError,
)
from bigdata_connectors._redact import Redactor
from tests.conftest import (
    API_KEY,
    BASE,
    CID,
    CONNECTORS,
    PASSWORD,
    SESSION_ID,
    FakeTime,
    connector_json,
    requests_to,
    secret_leaks,
)

ONE = f"{CONNECTORS}/{CID}"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Loopback:
    """A tiny aiohttp.web server on 127.0.0.1 whose one catch-all handler a test sets."""

    def __init__(self) -> None:
        self.handler: Handler | None = None
        self.hits = 0
        self.arrived = asyncio.Event()  # set by the first request
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        self.arrived.set()
        assert self.handler is not None
        return await self.handler(request)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[Loopback]:
    loopback = Loopback()
    await loopback.start()
    try:
        yield loopback
    finally:
        await loopback.stop()


async def raw_server(answer: bytes) -> tuple[asyncio.Server, str, list[int]]:
    """A server that answers every request with ``answer`` as is (to break HTTP on purpose)."""
    hits: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            hits.append(1)
            writer.write(answer)
            await writer.drain()
        finally:
            writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    return srv, f"http://127.0.0.1:{port}", hits


def ok_json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


# ---------------------------------------------------------------- 1. payload errors hold no secret


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"type": "investment_research", "config": {"user_password": PASSWORD}}, "user_id"),
        ({"type": "investment_research", "config": {"user_id": "me", "password": PASSWORD}}, "password"),
        ({"type": "investment_research", "config": {"user_id": "me", "user_pasword": PASSWORD}}, "user_pasword"),
        ({"type": "email", "config": {"user_id": "me", "user_password": PASSWORD}}, "user_password"),
        ({"type": "sharepoint", "config": {"user_id": "me", "user_password": PASSWORD}}, "session_id"),
        ({"type": "sharepoint", "config": {"session": SESSION_ID}}, "session"),
        (
            {
                "type": "email",
                "config": InvestmentResearchConnectorConfig(user_id="me", user_password=SecretStr(PASSWORD)),
            },
            "email",
        ),
        ({"type": "google_drive", "config": {"user_id": "me", "user_password": PASSWORD}}, "type"),
    ],
)
async def test_create_payload_errors_name_the_field_and_hold_no_secret(
    client: BigdataClient, mock_api: AioResponses, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValueError, match=field) as info:
        await client.connectors.create(label="x", **kwargs)
    err = info.value
    assert isinstance(err, pydantic.ValidationError)
    assert field in str(err)
    assert secret_leaks(err) == []
    assert err.__cause__ is None
    assert err.__context__ is None
    assert mock_api.requests == {}


@pytest.mark.parametrize(
    "config",
    [
        {"user_id": "me", "user_password": PASSWORD},
        {"allowed_emails": ["a@b.c"], "password": PASSWORD},
        {"session_id": SESSION_ID},
        InvestmentResearchConnectorConfig(user_id="me", user_password=SecretStr(PASSWORD)),
    ],
)
async def test_update_payload_errors_hold_no_secret(client: BigdataClient, mock_api: AioResponses, config: Any) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        await client.connectors.update(CID, config=config)
    assert secret_leaks(info.value) == []
    assert "config" in str(info.value) or "Extra inputs" in str(info.value) or "instance" in str(info.value)
    assert mock_api.requests == {}


def test_sharepoint_session_id_is_a_secret() -> None:
    config = SharepointConnectorConfig(session_id=SecretStr(SESSION_ID))
    assert SESSION_ID not in repr(config)
    assert SESSION_ID not in str(config.model_dump())


async def test_sharepoint_session_id_still_reaches_the_wire(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.post(CONNECTORS, payload=connector_json(type="sharepoint", config={}))
    await client.connectors.create(type="sharepoint", label="SP", config={"session_id": SESSION_ID})
    (call,) = requests_to(mock_api, "POST", CONNECTORS)
    assert json.loads(call.kwargs["data"])["config"] == {"session_id": SESSION_ID}


# ---------------------------------------------------------------- 2. the API key in aiohttp's exception


@pytest.mark.parametrize("create", [False, True])
async def test_malformed_answer_is_a_broken_answer_without_the_key_in_the_chain(create: bool) -> None:
    srv, url, hits = await raw_server(
        b"HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\nContent-Type: application/json\r\n\r\n{}"
    )
    try:
        async with BigdataClient(API_KEY, base_url=url, sleep=FakeTime().sleep) as client:
            call = (
                client.connectors.create(type="email", label="x", config=None) if create else client.connectors.list()
            )
            with pytest.raises(MalformedResponseError) as info:
                await call
    finally:
        srv.close()
        await srv.wait_closed()
    err = info.value
    assert isinstance(err, ResponseValidationError)
    assert not isinstance(err, APIConnectionError)
    assert isinstance(err.__cause__, TransportError)
    assert "ClientResponseError" in str(err.__cause__)
    assert "Content-Length" in str(err)
    assert err.__cause__.__cause__ is None
    assert err.__cause__.__context__ is None
    assert secret_leaks(err) == []
    assert len(hits) == 1  # never retried, a create above all


def test_scrubbed_cause_keeps_plain_aiohttp_errors_and_replaces_rich_ones() -> None:
    from bigdata_connectors._redact import scrubbed_cause

    redactor = Redactor([API_KEY])
    plain = aiohttp.ServerDisconnectedError()
    assert scrubbed_cause(plain, redactor) is plain
    headers = CIMultiDictProxy(CIMultiDict({"X-API-KEY": API_KEY}))
    info = aiohttp.RequestInfo(URL(BASE), "GET", headers, URL(BASE))
    rich = aiohttp.ClientResponseError(info, (), status=400, message="bad")
    assert API_KEY in repr(rich.request_info)
    replaced = scrubbed_cause(rich, redactor)
    assert isinstance(replaced, TransportError)
    assert secret_leaks(replaced) == []
    echoing = aiohttp.ClientPayloadError(f"cut near {API_KEY}")
    assert isinstance(scrubbed_cause(echoing, redactor), TransportError)
    assert API_KEY not in str(scrubbed_cause(echoing, redactor))


# ---------------------------------------------------------------- 3. echoed secrets are redacted


async def test_echoed_key_is_redacted_from_message_body_and_headers(
    client: BigdataClient, mock_api: AioResponses
) -> None:
    mock_api.get(
        CONNECTORS,
        status=401,
        payload={"message": f"invalid key {API_KEY}", "detail": {"key": API_KEY, API_KEY: 1}},
        headers={"X-Echo": f"key={API_KEY}", "X-Url-Echo": f"k={API_KEY.replace('-', '%2D')}"},
    )
    with pytest.raises(AuthenticationError) as info:
        await client.connectors.list()
    err = info.value
    assert err.message == "invalid key ***"
    assert err.body == {"message": "invalid key ***", "detail": {"key": "***", "***": 1}}
    assert err.headers["X-Echo"] == "key=***"
    assert API_KEY not in json.dumps(dict(err.headers))
    assert secret_leaks(err) == []


async def test_echoed_password_of_the_request_is_redacted(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.post(CONNECTORS, status=400, body=f'{{"message": "password {PASSWORD} rejected"}}'.encode())
    config = InvestmentResearchConnectorConfig(user_id="me", user_password=SecretStr(PASSWORD))
    with pytest.raises(BadRequestError) as info:
        await client.connectors.create(type="investment_research", label="x", config=config)
    assert info.value.message == "password *** rejected"
    assert secret_leaks(info.value) == []


async def test_echoed_secret_in_a_bad_2xx_is_redacted(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(ONE, status=200, body=json.dumps({"label": 1, "echo": API_KEY}).encode())
    with pytest.raises(ResponseValidationError) as info:
        await client.connectors.get(CID)
    assert API_KEY not in str(info.value.body)
    assert isinstance(info.value.__cause__, pydantic.ValidationError)
    assert secret_leaks(info.value) == []


def test_redactor_covers_encoded_spellings_and_registered_secrets() -> None:
    redactor = Redactor([API_KEY])
    redactor.register("proxy-user:proxy-pass")
    assert redactor.text(f"a {API_KEY} b") == "a *** b"
    assert redactor.text("auth proxy-user%3Aproxy-pass") == "auth ***"
    assert redactor.including([PASSWORD]).text(f"{PASSWORD}/{API_KEY}") == "***/***"
    assert redactor.text(PASSWORD) == PASSWORD  # a request's secrets do not stick to the client
    assert API_KEY not in repr(redactor)


# ---------------------------------------------------------------- 4. queueing for a connection is not "sent"


async def test_queueing_for_a_connection_is_not_a_timeout_on_the_wire(server: Loopback) -> None:
    async def slow_create(request: web.Request) -> web.Response:
        await asyncio.sleep(0.03)
        return ok_json(connector_json())

    server.handler = slow_create
    # 2 connections, 24 creates of 30 ms each: the last waits ~0.36 s in the queue, beyond a 0.2 s timeout.
    async with BigdataClient(API_KEY, base_url=server.url, max_connections=2, timeout=0.2) as client:
        results = await asyncio.gather(
            *(client.connectors.create(type="email", label=f"c{i}", config=None) for i in range(24)),
            return_exceptions=True,
        )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert server.hits == 24


async def test_pool_timeout_bounds_the_queue_and_says_nothing_was_sent(server: Loopback) -> None:
    release = asyncio.Event()

    async def held(request: web.Request) -> web.Response:
        await release.wait()
        return ok_json({"results": []})

    server.handler = held
    async with BigdataClient(
        API_KEY, base_url=server.url, max_connections=1, pool_timeout=0.05, max_retries=0
    ) as client:
        first = asyncio.create_task(client.connectors.list())
        await asyncio.sleep(0.02)
        with pytest.raises(APITimeoutError) as info:
            await client.connectors.create(type="email", label="x", config=None)
        release.set()
        await first
    assert info.value.request_sent is False
    assert "never sent" in str(info.value)
    assert server.hits == 1


# ---------------------------------------------------------------- 5. answers are capped


async def test_large_answer_is_refused_past_the_cap(server: Loopback) -> None:
    big = b'{"results": [' + b" " * 3_000_000 + b"]}"

    async def large(request: web.Request) -> web.Response:
        return web.Response(body=big, content_type="application/json")

    server.handler = large
    async with BigdataClient(API_KEY, base_url=server.url, max_response_size=1_000_000) as client:
        with pytest.raises(ResponseTooLargeError) as info:
            await client.connectors.list()
    assert info.value.limit == 1_000_000
    assert "max_response_size" in str(info.value)
    assert server.hits == 1  # not retried


@pytest.mark.parametrize("chunked", [False, True])
async def test_gzip_bomb_is_counted_decompressed(server: Loopback, chunked: bool) -> None:
    bomb = gzip.compress(b'{"results": [' + b" " * 20_000_000 + b"]}")
    assert len(bomb) < 100_000

    async def inflating(request: web.Request) -> web.StreamResponse:
        if not chunked:
            return web.Response(body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
        resp = web.StreamResponse(headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        await resp.write(bomb)
        await resp.write_eof()
        return resp

    server.handler = inflating
    async with BigdataClient(API_KEY, base_url=server.url, max_response_size=1_000_000) as client:
        with pytest.raises(ResponseTooLargeError):
            await client.connectors.list()


async def test_memory_stays_bounded_while_refusing_a_bomb(server: Loopback) -> None:
    import tracemalloc

    bomb = gzip.compress(b'{"results": [' + b" " * 60_000_000 + b"]}")

    async def inflating(request: web.Request) -> web.Response:
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})

    server.handler = inflating
    async with BigdataClient(API_KEY, base_url=server.url, max_response_size=2_000_000) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError):
                await client.connectors.list()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 20_000_000  # the 60 MB it would inflate to is never held


async def test_error_bodies_are_kept_only_as_a_bounded_preview(server: Loopback) -> None:
    async def huge_error(request: web.Request) -> web.Response:
        return web.Response(status=400, body=b"x" * 5_000_000, content_type="text/plain")

    server.handler = huge_error
    async with BigdataClient(API_KEY, base_url=server.url) as client:
        with pytest.raises(BadRequestError) as info:
            await client.connectors.list()
    assert isinstance(info.value.body, str)
    assert len(info.value.body) <= 64 * 1024


async def test_default_cap_takes_a_10000_connector_list(server: Loopback) -> None:
    body = json.dumps({"results": [connector_json(description="d" * 200) for _ in range(10_000)]}).encode()

    async def listing(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    server.handler = listing
    async with BigdataClient(API_KEY, base_url=server.url) as client:
        assert len(await client.connectors.list()) == 10_000


# ---------------------------------------------------------------- 6. any body ends as a typed error


@pytest.mark.parametrize("status", [200, 400, 503])
async def test_deeply_nested_body_is_a_typed_error(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime, status: int
) -> None:
    mock_api.get(CONNECTORS, status=status, body=b"[" * 100_000 + b"]" * 100_000, repeat=True)
    with pytest.raises((ResponseValidationError, BadRequestError, InternalServerError)):
        await client.connectors.list()


# ---------------------------------------------------------------- 7. a borrowed session's odd defaults


async def test_borrowed_session_defaults_do_not_change_the_rules(server: Loopback) -> None:
    async def answer(request: web.Request) -> web.Response:
        if request.path.endswith("/redirect"):
            return ok_json({"results": []})
        if request.headers.get("X-API-KEY") != API_KEY:
            return ok_json({"message": "bad key"}, status=401)
        if request.method == "DELETE":
            raise web.HTTPFound("/redirect")
        await asyncio.sleep(0.3)
        return ok_json({"results": []})

    server.handler = answer
    async with (
        aiohttp.ClientSession(
            raise_for_status=True, timeout=aiohttp.ClientTimeout(total=0.01), headers={"X-API-KEY": "other"}
        ) as session,
        BigdataClient(API_KEY, base_url=server.url, session=session, timeout=5) as client,
    ):
        assert await client.connectors.list() == []  # the session's 10 ms timeout does not apply
        with pytest.raises(aiohttp.ClientResponseError):
            # the session itself still raises for status (its own 10 ms timeout lifted here: a loaded CI box)
            await session.get(server.url + "/x", timeout=aiohttp.ClientTimeout(total=5))
        hits = server.hits
        with pytest.raises(APIStatusError) as info:
            await client.connectors.delete(CID)
        assert type(info.value) is APIStatusError
        assert info.value.status_code == 302
        assert server.hits == hits + 1  # the redirect was not followed
    async with (
        aiohttp.ClientSession(raise_for_status=True) as session,
        BigdataClient("wrong-key", base_url=server.url, session=session) as client,
    ):
        hits = server.hits
        with pytest.raises(AuthenticationError):
            await client.connectors.list()
        assert server.hits == hits + 1


async def test_borrowed_session_without_auto_decompress_still_reads_answers(server: Loopback) -> None:
    async def compressing(request: web.Request) -> web.Response:
        resp = ok_json({"results": [connector_json()]})
        resp.enable_compression()  # honours the request's Accept-Encoding
        return resp

    server.handler = compressing
    async with (
        aiohttp.ClientSession(auto_decompress=False) as session,
        BigdataClient(API_KEY, base_url=server.url, session=session) as client,
    ):
        assert len(await client.connectors.list()) == 1


async def test_borrowed_session_middlewares_cannot_resend(server: Loopback) -> None:
    async def fail(request: web.Request) -> web.Response:
        return ok_json({"message": "boom"}, status=500)

    async def resend(request: aiohttp.ClientRequest, handler: Any) -> aiohttp.ClientResponse:
        await handler(request)
        return await handler(request)  # type: ignore[no-any-return]

    server.handler = fail
    async with (
        aiohttp.ClientSession(middlewares=(resend,)) as session,
        BigdataClient(API_KEY, base_url=server.url, session=session, max_retries=0) as client,
    ):
        with pytest.raises(InternalServerError):
            await client.connectors.create(type="email", label="x", config=None)
    assert server.hits == 1


# ---------------------------------------------------------------- 8. closing with calls in flight


async def test_closing_ends_in_flight_calls_with_client_closed(server: Loopback) -> None:
    done = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await done.wait()
        return ok_json({"results": []})

    server.handler = slow
    client = BigdataClient(API_KEY, base_url=server.url)
    task = asyncio.create_task(client.connectors.list())
    await server.arrived.wait()
    await client.aclose()
    async with asyncio.timeout(2):
        with pytest.raises(ClientClosedError):
            await task
    done.set()
    assert server.hits == 1  # never retried


async def test_closing_the_borrowed_session_ends_calls_with_client_closed(server: Loopback) -> None:
    done = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await done.wait()
        return ok_json({"results": []})

    server.handler = slow
    session = aiohttp.ClientSession()
    async with BigdataClient(API_KEY, base_url=server.url, session=session) as client:
        task = asyncio.create_task(client.connectors.list())
        await server.arrived.wait()
        await session.close()
        async with asyncio.timeout(2):
            with pytest.raises(ClientClosedError):
                await task
        with pytest.raises(ClientClosedError, match="borrowed"):
            await client.connectors.list()
    done.set()
    assert server.hits == 1


async def test_closing_wakes_a_call_sleeping_before_a_retry(mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, status=503, headers={"Retry-After": "30"}, repeat=True)
    client = BigdataClient(API_KEY, base_url=BASE)  # the real asyncio.sleep
    task = asyncio.create_task(client.connectors.list())
    for _ in range(50):
        await asyncio.sleep(0)
        if requests_to(mock_api, "GET", CONNECTORS):
            break
    await asyncio.sleep(0.01)
    await client.aclose()
    async with asyncio.timeout(1):
        with pytest.raises(ClientClosedError):
            await task
    assert len(requests_to(mock_api, "GET", CONNECTORS)) == 1


# ---------------------------------------------------------------- 9. one client, one event loop


def test_a_client_belongs_to_its_first_event_loop() -> None:
    client = BigdataClient(API_KEY, base_url=BASE, max_retries=0)

    async def once() -> None:
        with AioResponses() as mocked:
            mocked.get(CONNECTORS, payload={"results": []})
            await client.connectors.list()

    async def again() -> None:
        with pytest.raises(EventLoopError, match="event loop"):
            await client.connectors.list()

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(once())
        asyncio.run(again())
        loop.run_until_complete(client.aclose())
    finally:
        loop.close()


# ---------------------------------------------------------------- 10. settings


BAD_SETTINGS: list[dict[str, Any]] = [
    {"max_retries": math.nan},
    {"max_retries": math.inf},
    {"max_retries": 1.5},
    {"max_retries": True},
    {"max_retries": -1},
    {"timeout": math.inf},
    {"timeout": math.nan},
    {"timeout": "5"},
    {"timeout": 0},
    {"timeout": True},
    {"max_connections": True},
    {"max_connections": 1.5},
    {"max_connections": math.nan},
    {"max_connections": 0},
    {"api_key": 123},
    {"api_key": f"{API_KEY}\r\nX-Evil: 1"},
    {"base_url": "https://api.example.test:99999"},
    {"base_url": "https://api example.test"},
    {"base_url": "https://api.example.test:port"},
    {"base_url": 42},
    {"max_response_size": 0},
    {"max_response_size": 1.5},
    {"pool_timeout": -1},
    {"pool_timeout": math.nan},
    {"session": "not a session"},
    {"sleep": 5},
]


def test_every_setting_is_checked_at_construction() -> None:
    for kwargs in BAD_SETTINGS:
        settings: dict[str, Any] = {"api_key": API_KEY, "base_url": BASE, **kwargs}
        with pytest.raises(ConfigurationError) as info:
            BigdataClient(**settings)
        assert secret_leaks(info.value) == [], kwargs
        assert next(iter(kwargs)) in str(info.value) or "API key" in str(info.value) or "base_url" in str(info.value)


@pytest.mark.parametrize(
    "url",
    ["https://api.example.test:8443", "https://[::1]:443", "https://my_service.internal", "https://bücher.example"],
)
def test_valid_base_urls_pass(url: str) -> None:
    assert BigdataClient(API_KEY, base_url=url).base_url == url


# ---------------------------------------------------------------- 11. a bad Retry-After


@pytest.mark.parametrize("value", ["-5", "nan", "inf", "Wed, 21 Oct 2015 07:28:00 GMT"])
async def test_bad_retry_after_falls_back_to_backoff(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime, value: str
) -> None:
    mock_api.get(CONNECTORS, status=503, headers={"Retry-After": value})
    mock_api.get(CONNECTORS, payload={"results": []})
    await client.connectors.list()
    (slept,) = fake_time.sleeps
    assert 0.5 <= slept <= 1.0  # the first backoff step, not "at once"


# ---------------------------------------------------------------- 13. strict request models


@pytest.mark.parametrize("value", ["yes", "true", 1, "1"])
async def test_request_models_are_strict(client: BigdataClient, mock_api: AioResponses, value: Any) -> None:
    with pytest.raises(pydantic.ValidationError, match="share_with_org"):
        await client.connectors.create(type="email", label="x", config=None, share_with_org=value)
    with pytest.raises(pydantic.ValidationError, match="share_with_org"):
        await client.connectors.update(CID, share_with_org=value)
    with pytest.raises(pydantic.ValidationError):
        ConnectorUpdatePayload(label="x", share_with_org=value)
    with pytest.raises(pydantic.ValidationError):
        EmailConnectorConfig(allowed_emails="a@b.c")  # type: ignore[arg-type]
    assert mock_api.requests == {}


# ---------------------------------------------------------------- 17. a retried force delete


async def test_retried_force_delete_that_finds_it_gone_returns_none(
    client: BigdataClient, mock_api: AioResponses
) -> None:
    url = f"{ONE}?force_delete=true"
    mock_api.delete(url, exception=TimeoutError())  # the first attempt deleted it, its answer was lost
    mock_api.delete(url, status=404, payload={"message": "Connector not found"})
    assert await client.connectors.delete(CID, force=True) is None
    assert len(requests_to(mock_api, "DELETE", url)) == 2


async def test_force_delete_404_on_the_first_attempt_still_raises(
    client: BigdataClient, mock_api: AioResponses
) -> None:
    url = f"{ONE}?force_delete=true"
    mock_api.delete(url, status=404, payload={"message": "Connector not found"})
    with pytest.raises(NotFoundError):
        await client.connectors.delete(CID, force=True)


async def test_force_delete_after_a_refusal_then_404_raises(client: BigdataClient, mock_api: AioResponses) -> None:
    url = f"{ONE}?force_delete=true"
    mock_api.delete(url, status=429, headers={"Retry-After": "0"})  # refused: it did nothing
    mock_api.delete(url, status=404, payload={"message": "Connector not found"})
    with pytest.raises(NotFoundError):
        await client.connectors.delete(CID, force=True)


async def test_archive_retried_after_a_404_is_not_hidden(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.delete(ONE, exception=TimeoutError())
    mock_api.delete(ONE, status=404, payload={"message": "Connector not found"})
    with pytest.raises(NotFoundError):
        await client.connectors.delete(CID)


# ---------------------------------------------------------------- 18. which list item failed


async def test_list_error_names_the_item_its_id_and_the_field(client: BigdataClient, mock_api: AioResponses) -> None:
    broken = connector_json(connector_id="019a9612-bfad-758c-884e-37dd8c6ad2ff")
    del broken["created_at"]
    mock_api.get(CONNECTORS, payload={"results": [connector_json(), broken]})
    with pytest.raises(ResponseValidationError) as info:
        await client.connectors.list()
    text = str(info.value)
    assert "item 1 of results" in text
    assert "019a9612-bfad-758c-884e-37dd8c6ad2ff" in text
    assert "created_at" in text
    assert "Field required" in text


# ---------------------------------------------------------------- 19. email_hash on update


async def test_email_update_sends_back_the_hash_it_read(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(ONE, payload=connector_json())
    mock_api.put(ONE, payload=connector_json())
    await client.connectors.update(CID, label="new")
    (call,) = requests_to(mock_api, "PUT", ONE)
    assert json.loads(call.kwargs["data"])["config"] == {"allowed_emails": ["user@example.com"], "email_hash": "a1b2"}


async def test_email_create_sends_no_hash(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.post(CONNECTORS, payload=connector_json())
    await client.connectors.create(type="email", label="x", config={"allowed_emails": ["a@b.c"]})
    (call,) = requests_to(mock_api, "POST", CONNECTORS)
    assert json.loads(call.kwargs["data"])["config"] == {"allowed_emails": ["a@b.c"]}


# ---------------------------------------------------------------- 20. an odd config stays readable


@pytest.mark.parametrize(
    ("type_", "config"),
    [
        ("investment_research", {}),
        ("investment_research", {"username": "me"}),
        ("investment_research", {"user_id": 42}),
        ("email", {"allowed_emails": "not-a-list"}),
    ],
)
async def test_odd_config_is_kept_as_a_mapping(
    client: BigdataClient, mock_api: AioResponses, type_: str, config: dict[str, Any]
) -> None:
    mock_api.get(CONNECTORS, payload={"results": [connector_json(), connector_json(type=type_, config=config)]})
    connectors = await client.connectors.list()
    assert connectors[1].config == config
    assert isinstance(connectors[1].config, dict)


# ---------------------------------------------------------------- 21. wording


@pytest.mark.parametrize("status", [200, 204])
async def test_empty_answer_to_an_archive_says_empty(
    client: BigdataClient, mock_api: AioResponses, status: int
) -> None:
    mock_api.delete(ONE, status=status, body=b"")
    with pytest.raises(ResponseValidationError, match="empty") as info:
        await client.connectors.delete(CID)
    assert "not JSON" not in str(info.value)


@pytest.mark.parametrize("type_", ["sharepoint", "investment_research", "dropbox"])
async def test_update_config_refusal_names_the_actual_type(
    client: BigdataClient, mock_api: AioResponses, type_: str
) -> None:
    mock_api.get(ONE, payload=connector_json(type=type_, config={}))
    with pytest.raises(ValueError, match=repr(type_)) as info:
        await client.connectors.update(CID, config={"allowed_emails": []})
    if type_ != "investment_research":
        assert "investment_research" not in str(info.value)
    assert requests_to(mock_api, "PUT", ONE) == []


# ---------------------------------------------------------------- views share loop binding, gate and closing


async def test_a_view_shares_the_loop_binding_the_gate_and_closing(server: Loopback) -> None:
    from bigdata_connectors._config import ClientConfig
    from bigdata_connectors._transport import HTTPTransport

    seen_keys: list[str | None] = []
    release = asyncio.Event()

    async def held(request: web.Request) -> web.Response:
        seen_keys.append(request.headers.get("X-API-KEY"))
        await release.wait()
        return ok_json({"results": []})

    server.handler = held
    config = ClientConfig.build(API_KEY, server.url, timeout=5, max_retries=0, max_connections=1)
    parent = HTTPTransport(config, session=None, sleep=asyncio.sleep, clock=asyncio.get_running_loop().time)
    view_config = ClientConfig.build("view-key-CANARY-x", server.url, timeout=5, max_retries=0, max_connections=1)
    view = parent.view(view_config)
    from bigdata_connectors._generated.models import ConnectorList

    first = asyncio.create_task(parent.request("GET", "/contents/v1/connectors", ConnectorList))
    await server.arrived.wait()
    queued = asyncio.create_task(view.request("GET", "/contents/v1/connectors", ConnectorList))
    await asyncio.sleep(0.05)
    assert server.hits == 1  # the view waits for the parent's one connection
    await parent.aclose()
    release.set()
    for task in (first, queued):
        with pytest.raises(ClientClosedError):
            await task
    assert view.closed
    assert "view-key-CANARY-x" not in view.redactor.text("view-key-CANARY-x")  # registered with the parent's


# ---------------------------------------------------------------- the canary check itself


def test_the_canary_check_sees_every_part_of_a_chain() -> None:
    from _pytest._code.code import ExceptionInfo

    # The autouse fixture records what pytest.raises catches: if a pytest upgrade moved that hook, say so here.
    assert ExceptionInfo.fill_unfilled.__name__ == "recording_fill"
    inner = KeyError(API_KEY)
    outer = RuntimeError("clean")
    outer.__context__ = inner
    assert secret_leaks(outer) == [f"{API_KEY} in str of KeyError", f"{API_KEY} in repr of KeyError",
                                   f"{API_KEY} in args of KeyError"]  # fmt: skip
    carrier = RuntimeError("clean")
    carrier.body = {"echo": PASSWORD}  # type: ignore[attr-defined]
    assert secret_leaks(carrier) == [f"{PASSWORD} in attributes of RuntimeError"]
    hidden = pydantic.ValidationError.from_exception_data(
        "X", [{"type": "missing", "loc": ("a",), "input": {"pw": SESSION_ID}}], hide_input=True
    )
    assert SESSION_ID not in str(hidden)
    assert secret_leaks(hidden) == [
        f"{SESSION_ID} in .errors() of ValidationError",
        f"{SESSION_ID} in .json() of ValidationError",
    ]
    group = ExceptionGroup("many", [ValueError(API_KEY)])
    assert secret_leaks(group)
