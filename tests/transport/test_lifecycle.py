"""The session's life: closing (calls in flight, queued, sleeping), the pool gate (queueing is not time on the
wire), one event loop per client, borrowed sessions, and views sharing all of it."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aioresponses import aioresponses as AioResponses

from bigdata_connectors import (
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BigdataClient,
    ClientClosedError,
    EventLoopError,
    InternalServerError,
)
from bigdata_connectors._transport import USER_AGENT
from tests.conftest import (
    API_KEY,
    BASE,
    CID,
    CONNECTORS,
    connector_json,
    requests_to,
)
from tests.loopback import Loopback, ok_json

ONE = f"{CONNECTORS}/{CID}"


async def test_closed_client_raises(mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, payload={"results": []})
    async with BigdataClient(API_KEY, base_url=BASE) as client:
        await client.connectors.list()
    assert client.closed
    with pytest.raises(ClientClosedError):
        await client.connectors.list()


async def test_aclose_without_requests_and_twice() -> None:
    client = BigdataClient(API_KEY, base_url=BASE)
    await client.aclose()
    await client.aclose()


async def test_borrowed_session_is_not_closed_and_gets_headers(mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, payload={"results": []})
    async with aiohttp.ClientSession() as session:
        async with BigdataClient(API_KEY, base_url=BASE, session=session) as client:
            await client.connectors.list()
        assert not session.closed
        (call,) = requests_to(mock_api, "GET", CONNECTORS)
        assert call.kwargs["headers"]["X-API-KEY"] == API_KEY
        assert call.kwargs["headers"]["User-Agent"] == USER_AGENT


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
