"""The retry policy: what is retried for which operation (create never twice), backoff, Retry-After, and
cancellation."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses as AioResponses

from bigdata_connectors import (
    APIConnectionError,
    APIStatusError,
    BigdataClient,
    InternalServerError,
    RateLimitError,
)
from tests.conftest import (
    API_KEY,
    BASE,
    CID,
    CONNECTORS,
    FakeTime,
    connector_json,
    requests_to,
)

ONE = f"{CONNECTORS}/{CID}"

RETRYABLE = [408, 429, 500, 502, 503, 504]

NEVER = [400, 401, 403, 404, 409, 422]


def _register(mock_api: AioResponses, op: str, status: int, times: int) -> str:
    url = {"list": CONNECTORS, "get": ONE, "update": ONE, "delete": ONE, "sync": f"{ONE}/sync", "create": CONNECTORS}[
        op
    ]
    method = {"list": "get", "get": "get", "update": "put", "delete": "delete", "sync": "post", "create": "post"}[op]
    ok: dict[str, Any] = {"results": []} if op == "list" else connector_json()
    if op == "sync":
        ok = {"connector_id": CID, "status": "accepted"}
    register = getattr(mock_api, method)
    for _ in range(times):
        register(url, status=status, payload={"message": "boom"})
    register(url, payload=ok)
    if op == "update":
        mock_api.get(ONE, payload=connector_json())  # the read before the PUT
    return url


async def _run(client: BigdataClient, op: str) -> Any:
    c = client.connectors
    if op == "list":
        return await c.list()
    if op == "get":
        return await c.get(CID)
    if op == "update":
        return await c.update(CID, label="x")
    if op == "delete":
        return await c.delete(CID)
    if op == "sync":
        return await c.trigger_sync(CID)
    return await c.create(type="email", label="x", config=None)


METHOD = {"list": "GET", "get": "GET", "update": "PUT", "delete": "DELETE", "sync": "POST", "create": "POST"}


def _connect_error() -> aiohttp.ClientConnectorError:
    return aiohttp.ClientConnectorError(
        aiohttp.client_reqrep.ConnectionKey("api.example.test", 443, True, True, None, None, None),
        ConnectionRefusedError(111, "refused"),
    )


@pytest.mark.parametrize("status", RETRYABLE)
@pytest.mark.parametrize("op", ["list", "get", "update", "delete", "sync"])
async def test_idempotent_operations_retry_transient_statuses(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime, op: str, status: int
) -> None:
    url = _register(mock_api, op, status, times=2)
    await _run(client, op)
    assert len(requests_to(mock_api, METHOD[op], url)) == 3
    assert len(fake_time.sleeps) == 2


@pytest.mark.parametrize("status", NEVER)
@pytest.mark.parametrize("op", ["list", "get", "update", "delete", "sync", "create"])
async def test_client_errors_are_never_retried(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime, op: str, status: int
) -> None:
    url = _register(mock_api, op, status, times=1)
    with pytest.raises(APIStatusError) as info:
        await _run(client, op)
    assert info.value.status_code == status
    assert len(requests_to(mock_api, METHOD[op], url)) == 1
    assert fake_time.sleeps == []


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
async def test_create_is_never_sent_twice_after_a_5xx_or_408(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime, status: int
) -> None:
    _register(mock_api, "create", status, times=1)
    with pytest.raises(APIStatusError):
        await _run(client, "create")
    assert len(requests_to(mock_api, "POST", CONNECTORS)) == 1


async def test_create_retries_429(client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime) -> None:
    _register(mock_api, "create", 429, times=2)
    await _run(client, "create")
    assert len(requests_to(mock_api, "POST", CONNECTORS)) == 3


@pytest.mark.parametrize(
    "exc",
    [
        aiohttp.ServerDisconnectedError(),
        TimeoutError(),
        aiohttp.ClientOSError(104, "reset"),
        aiohttp.ClientPayloadError("cut"),
    ],
)
async def test_create_is_never_sent_twice_after_an_ambiguous_failure(
    client: BigdataClient, mock_api: AioResponses, exc: Exception
) -> None:
    mock_api.post(CONNECTORS, exception=exc)
    mock_api.post(CONNECTORS, payload=connector_json())
    with pytest.raises(APIConnectionError) as info:
        await _run(client, "create")
    assert info.value.request_sent is True
    assert len(requests_to(mock_api, "POST", CONNECTORS)) == 1


async def test_create_retries_when_the_request_never_left(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.post(CONNECTORS, exception=_connect_error())
    mock_api.post(CONNECTORS, exception=aiohttp.ConnectionTimeoutError())
    mock_api.post(CONNECTORS, payload=connector_json())
    created = await _run(client, "create")
    assert created.label
    assert len(requests_to(mock_api, "POST", CONNECTORS)) == 3


async def test_retries_stop_after_max_retries(fake_time: FakeTime, mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, status=503, repeat=True)
    async with BigdataClient(API_KEY, base_url=BASE, max_retries=2, sleep=fake_time.sleep) as client:
        with pytest.raises(InternalServerError):
            await client.connectors.list()
    assert len(requests_to(mock_api, "GET", CONNECTORS)) == 3


async def test_max_retries_zero_disables_retries(fake_time: FakeTime, mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, status=503, repeat=True)
    async with BigdataClient(API_KEY, base_url=BASE, max_retries=0, sleep=fake_time.sleep) as client:
        with pytest.raises(InternalServerError):
            await client.connectors.list()
    assert len(requests_to(mock_api, "GET", CONNECTORS)) == 1
    assert fake_time.sleeps == []


async def test_backoff_grows_exponentially_with_cap(fake_time: FakeTime, mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, status=502, repeat=True)
    async with BigdataClient(API_KEY, base_url=BASE, max_retries=6, sleep=fake_time.sleep) as client:
        with pytest.raises(InternalServerError):
            await client.connectors.list()
    sleeps = fake_time.sleeps
    assert len(sleeps) == 6
    for n, slept in enumerate(sleeps):
        base = min(0.5 * 2**n, 8.0)
        assert base <= slept <= min(base + 0.5, 8.0)
    assert sleeps[-1] == 8.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
    ],
)
async def test_retry_after_forms_are_honoured(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime, headers: dict[str, str], expected: float
) -> None:
    mock_api.get(CONNECTORS, status=429, headers=headers)
    mock_api.get(CONNECTORS, payload={"results": []})
    await client.connectors.list()
    assert fake_time.sleeps == [expected]


async def test_retry_after_http_date(client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime) -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    mock_api.get(CONNECTORS, status=503, headers={"Retry-After": format_datetime(when, usegmt=True)})
    mock_api.get(CONNECTORS, payload={"results": []})
    await client.connectors.list()
    (slept,) = fake_time.sleeps
    assert 27 <= slept <= 30


async def test_retry_after_beyond_cap_raises_at_once(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    mock_api.get(CONNECTORS, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimitError) as info:
        await client.connectors.list()
    assert info.value.retry_after == 3600
    assert "exceeds" in str(info.value)
    assert fake_time.sleeps == []
    assert len(requests_to(mock_api, "GET", CONNECTORS)) == 1


async def test_retry_logs_warning_and_debug_lines(
    client: BigdataClient, mock_api: AioResponses, caplog: pytest.LogCaptureFixture
) -> None:
    mock_api.get(CONNECTORS, status=503)
    mock_api.get(CONNECTORS, payload={"results": []})
    with caplog.at_level(logging.DEBUG, logger="bigdata_connectors"):
        await client.connectors.list()
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bigdata_connectors"]
    assert lines[0][0] == "DEBUG"
    assert "GET /contents/v1/connectors -> 503" in lines[0][1]
    assert "(attempt 1)" in lines[0][1]
    assert lines[1][0] == "WARNING"
    assert "retrying in" in lines[1][1]
    assert "-> 200" in lines[2][1]
    assert "(attempt 2)" in lines[2][1]


async def test_cancel_during_retry_sleep_returns_promptly(mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, status=503, headers={"Retry-After": "30"}, repeat=True)
    async with BigdataClient(API_KEY, base_url=BASE) as client:  # the real asyncio.sleep
        task = asyncio.create_task(client.connectors.list())
        for _ in range(50):
            await asyncio.sleep(0)
            if requests_to(mock_api, "GET", CONNECTORS):
                break
        await asyncio.sleep(0.01)
        assert not task.done()
        task.cancel()
        async with asyncio.timeout(1):
            with pytest.raises(asyncio.CancelledError):
                await task
    assert len(requests_to(mock_api, "GET", CONNECTORS)) == 1
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []


async def test_cancellation_is_not_retried(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, exception=asyncio.CancelledError())
    with pytest.raises(asyncio.CancelledError):
        await client.connectors.list()
    assert len(requests_to(mock_api, "GET", CONNECTORS)) == 1


async def test_long_retry_after_on_a_later_attempt_raises_at_once(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    mock_api.get(CONNECTORS, status=503)
    mock_api.get(CONNECTORS, status=429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimitError, match="exceeds the 60s") as info:
        await client.connectors.list()
    assert info.value.retry_after == 120
    assert len(fake_time.sleeps) == 1
    assert len(requests_to(mock_api, "GET", CONNECTORS)) == 2


@pytest.mark.parametrize("value", ["-5", "nan", "inf", "Wed, 21 Oct 2015 07:28:00 GMT"])
async def test_bad_retry_after_falls_back_to_backoff(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime, value: str
) -> None:
    mock_api.get(CONNECTORS, status=503, headers={"Retry-After": value})
    mock_api.get(CONNECTORS, payload={"results": []})
    await client.connectors.list()
    (slept,) = fake_time.sleeps
    assert 0.5 <= slept <= 1.0  # the first backoff step, not "at once"
