"""The client against mocked HTTP (aioresponses): wire format, errors, retries, lifecycle, secrets."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from uuid import UUID

import aiohttp
import pydantic
import pytest
from aioresponses import aioresponses as AioResponses
from pydantic import SecretStr

from bigdata_connectors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BigdataClient,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    EmailConnectorConfig,
    InternalServerError,
    InvestmentResearchConnectorConfig,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
    __version__,
)
from bigdata_connectors._transport import USER_AGENT
from tests.conftest import API_KEY, BASE, CID, CONNECTORS, PASSWORD, FakeTime, connector_json, requests_to

ONE = f"{CONNECTORS}/{CID}"


def sent_json(mocked: AioResponses, method: str, url: str, index: int = 0) -> Any:
    data = requests_to(mocked, method, url)[index].kwargs["data"]
    return json.loads(data) if data is not None else None


# ---------------------------------------------------------------- the six operations on the wire


async def test_list_sends_get_with_key_and_user_agent(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, payload={"results": [connector_json(), connector_json(type="sharepoint", config={})]})
    result = await client.connectors.list()
    assert [c.type for c in result] == ["email", "sharepoint"]
    (call,) = requests_to(mock_api, "GET", CONNECTORS)
    assert call.kwargs["allow_redirects"] is False
    assert call.kwargs["data"] is None


async def test_owned_session_sends_auth_headers() -> None:
    async with BigdataClient(API_KEY, base_url=BASE) as client:
        session = client._http._get_session()
        assert session.headers["X-API-KEY"] == API_KEY
        assert session.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith(f"bigdata-connectors/{__version__} python/")
    assert f"aiohttp/{aiohttp.__version__}" in USER_AGENT


async def test_get_accepts_str_and_uuid(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(ONE, payload=connector_json(), repeat=True)
    by_str = await client.connectors.get(CID)
    by_uuid = await client.connectors.get(UUID(CID))
    assert by_str == by_uuid
    assert by_str.connector_id == UUID(CID)
    assert len(requests_to(mock_api, "GET", ONE)) == 2


@pytest.mark.parametrize("bad", ["../tags", "abc", "", f"{CID}/sync", "019a9612"])
async def test_non_uuid_ids_fail_before_the_network(client: BigdataClient, mock_api: AioResponses, bad: str) -> None:
    with pytest.raises(ValueError, match="UUID"):
        await client.connectors.get(bad)
    with pytest.raises(ValueError, match="UUID"):
        await client.connectors.delete(bad)
    assert mock_api.requests == {}


async def test_create_email_sends_documented_json(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.post(CONNECTORS, payload=connector_json())
    created = await client.connectors.create(
        type="email", label="Daily", config=EmailConnectorConfig(allowed_emails=["a@b.c"]), description="d"
    )
    assert created.label == "Broker Research - Daily Reports"
    assert sent_json(mock_api, "POST", CONNECTORS) == {
        "type": "email",
        "label": "Daily",
        "config": {"allowed_emails": ["a@b.c"]},
        "share_with_org": False,
        "description": "d",
    }
    assert requests_to(mock_api, "POST", CONNECTORS)[0].kwargs["headers"]["Content-Type"] == "application/json"


async def test_create_sends_null_config_explicitly(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.post(CONNECTORS, payload=connector_json())
    await client.connectors.create(type="email", label="x", config=None)
    assert sent_json(mock_api, "POST", CONNECTORS) == {
        "type": "email",
        "label": "x",
        "config": None,
        "share_with_org": False,
    }


async def test_create_investment_research_sends_real_password(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.post(CONNECTORS, payload=connector_json(type="investment_research", config={"user_id": "me@b.com"}))
    config = InvestmentResearchConnectorConfig(user_id="me@b.com", user_password=SecretStr(PASSWORD))
    created = await client.connectors.create(type="investment_research", label="Broker", config=config)
    assert sent_json(mock_api, "POST", CONNECTORS)["config"] == {"user_id": "me@b.com", "user_password": PASSWORD}
    assert PASSWORD not in repr(config)
    assert created.config is not None
    assert PASSWORD not in repr(created)


async def test_create_accepts_plain_mapping_config(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.post(CONNECTORS, payload=connector_json(type="sharepoint", config={}))
    await client.connectors.create(type="sharepoint", label="SP", config={"session_id": "s-1"})
    assert sent_json(mock_api, "POST", CONNECTORS)["config"] == {"session_id": "s-1"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"type": "investment_research", "label": "x", "config": {"allowed_emails": []}},
        {"type": "google_drive", "label": "x", "config": {}},
        {"type": "email", "label": "x", "config": {"allowed_email": []}},
    ],
)
async def test_invalid_create_fails_before_the_network(
    client: BigdataClient, mock_api: AioResponses, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(pydantic.ValidationError):
        await client.connectors.create(**kwargs)
    assert mock_api.requests == {}


async def test_update_keeps_what_you_do_not_pass(client: BigdataClient, mock_api: AioResponses) -> None:
    current = connector_json(share_with_org=True, description="keep me", config={"allowed_emails": ["a@b.c"]})
    mock_api.get(ONE, payload=current)
    mock_api.put(ONE, payload={**current, "label": "new"})
    updated = await client.connectors.update(CID, label="new")
    assert updated.label == "new"
    assert sent_json(mock_api, "PUT", ONE) == {
        "label": "new",
        "description": "keep me",
        "share_with_org": True,
        "config": {"allowed_emails": ["a@b.c"]},  # no email_hash was read
    }


async def test_update_config_of_email_connector(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(ONE, payload=connector_json())
    mock_api.put(ONE, payload=connector_json())
    await client.connectors.update(CID, config={"allowed_emails": ["new@b.c"]}, share_with_org=False)
    body = sent_json(mock_api, "PUT", ONE)
    assert body["config"] == {"allowed_emails": ["new@b.c"], "email_hash": "a1b2"}  # the hash as read
    assert body["share_with_org"] is False


async def test_update_investment_research_sends_null_config(client: BigdataClient, mock_api: AioResponses) -> None:
    current = connector_json(type="investment_research", config={"user_id": "me"}, description=None)
    mock_api.get(ONE, payload=current)
    mock_api.put(ONE, payload=current)
    await client.connectors.update(CID, description="new")
    assert sent_json(mock_api, "PUT", ONE) == {
        "label": current["label"],
        "description": "new",
        "share_with_org": True,
        "config": None,
    }


async def test_update_rejects_broker_config_before_any_request(client: BigdataClient, mock_api: AioResponses) -> None:
    with pytest.raises(pydantic.ValidationError):
        await client.connectors.update(CID, config={"user_id": "me", "user_password": PASSWORD})
    assert mock_api.requests == {}


async def test_update_rejects_config_on_investment_research_before_put(
    client: BigdataClient, mock_api: AioResponses
) -> None:
    mock_api.get(ONE, payload=connector_json(type="investment_research", config={"user_id": "me"}))
    with pytest.raises(ValueError, match="fixed at creation"):
        await client.connectors.update(CID, config={"allowed_emails": []})
    assert requests_to(mock_api, "PUT", ONE) == []


async def test_delete_archives(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.delete(ONE, payload=connector_json(archived=True))
    archived = await client.connectors.delete(CID)
    assert archived is not None
    assert archived.archived is True
    assert requests_to(mock_api, "DELETE", ONE)[0].kwargs["params"] is None


@pytest.mark.parametrize(
    ("status", "payload", "expect_connector"),
    [(200, connector_json(archived=True), True), (202, None, False), (204, None, False), (200, None, False)],
)
async def test_force_delete_accepts_documented_answers(
    client: BigdataClient, mock_api: AioResponses, status: int, payload: Any, expect_connector: bool
) -> None:
    url = f"{ONE}?force_delete=true"
    if payload is None:
        mock_api.delete(url, status=status, body=b"")
    else:
        mock_api.delete(url, status=status, payload=payload)
    result = await client.connectors.delete(CID, force=True)
    assert (result is not None) is expect_connector
    assert requests_to(mock_api, "DELETE", url)[0].kwargs["params"] == {"force_delete": "true"}


async def test_trigger_sync_bodies(client: BigdataClient, mock_api: AioResponses) -> None:
    url = f"{ONE}/sync"
    mock_api.post(url, payload={"connector_id": CID, "date_limit": "2026-01-01", "status": "accepted"})
    mock_api.post(url, payload={"connector_id": CID, "status": "accepted"})
    ack = await client.connectors.trigger_sync(CID, date_limit="2026-01-01")
    assert ack.status == "accepted"
    await client.connectors.trigger_sync(CID)
    assert sent_json(mock_api, "POST", url, 0) == {"date_limit": "2026-01-01"}
    assert sent_json(mock_api, "POST", url, 1) == {}
    with pytest.raises(ValueError, match="ISO date"):
        await client.connectors.trigger_sync(CID, date_limit="01/01/2026")


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
        (302, APIStatusError),
    ],
)
async def test_status_maps_to_class_with_attributes(
    fake_time: FakeTime, mock_api: AioResponses, status: int, cls: type[APIStatusError]
) -> None:
    body = {"statusCode": status, "message": "Connector not found", "errorCode": "E_X", "requestId": "req-123"}
    headers = {"X-API-KEY": API_KEY, "Set-Cookie": "s=1", "x-amzn-RequestId": "amzn-1", "Location": "https://evil.test"}
    mock_api.get(ONE, status=status, payload=body, headers=headers)
    async with BigdataClient(API_KEY, base_url=BASE, max_retries=0, sleep=fake_time.sleep) as client:
        with pytest.raises(cls) as info:
            await client.connectors.get(CID)
    err = info.value
    assert type(err) is cls
    assert (err.status_code, err.message, err.error_code, err.request_id) == (
        status,
        "Connector not found",
        "E_X",
        "req-123",
    )
    assert err.body == body
    assert err.method == "GET"
    assert err.path == f"/contents/v1/connectors/{CID}"
    assert "X-API-KEY" not in err.headers
    assert "Set-Cookie" not in err.headers
    assert err.headers["x-amzn-RequestId"] == "amzn-1"
    text = str(err)
    assert "\n" not in text
    assert text.startswith(f"{status} Connector not found")
    assert "req-123" in text


async def test_request_id_falls_back_to_gateway_header(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(ONE, status=404, payload={"message": "nope"}, headers={"x-amzn-RequestId": "amzn-7"})
    with pytest.raises(NotFoundError) as info:
        await client.connectors.get(CID)
    assert info.value.request_id == "amzn-7"


async def test_missing_authentication_token_says_no_such_route(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, status=403, payload={"message": "Missing Authentication Token"})
    with pytest.raises(PermissionDeniedError, match="no such route; check base_url"):
        await client.connectors.list()


async def test_html_firewall_page_is_a_readable_error(client: BigdataClient, mock_api: AioResponses) -> None:
    page = "<html><head><title>Request blocked</title></head><body>" + "x" * 5000 + "</body></html>"
    mock_api.get(CONNECTORS, status=403, body=page, content_type="text/html")
    with pytest.raises(PermissionDeniedError) as info:
        await client.connectors.list()
    text = str(info.value)
    assert "HTML page" in text
    assert len(text) < 400
    assert text.endswith("...")
    assert isinstance(info.value.body, str)


@pytest.mark.parametrize("body", [b"not json", b'{"results": [{"label": 1}]}', b"<html>ok</html>"])
async def test_bad_2xx_body_is_response_validation_error_never_retried(
    client: BigdataClient, mock_api: AioResponses, body: bytes
) -> None:
    mock_api.get(CONNECTORS, status=200, body=body, repeat=True)
    with pytest.raises(ResponseValidationError) as info:
        await client.connectors.list()
    assert info.value.status_code == 200
    assert isinstance(info.value.__cause__, pydantic.ValidationError)
    assert len(requests_to(mock_api, "GET", CONNECTORS)) == 1


async def test_connection_error_has_cause(client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime) -> None:
    mock_api.get(CONNECTORS, exception=aiohttp.ServerDisconnectedError(), repeat=True)
    with pytest.raises(APIConnectionError) as info:
        await client.connectors.list()
    assert isinstance(info.value.__cause__, aiohttp.ServerDisconnectedError)
    assert info.value.request_sent is True
    assert len(requests_to(mock_api, "GET", CONNECTORS)) == 4
    assert len(fake_time.sleeps) == 3


async def test_timeout_is_api_timeout_and_builtin_timeout(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, exception=TimeoutError(), repeat=True)
    with pytest.raises(TimeoutError) as info:
        await client.connectors.list()
    assert isinstance(info.value, APITimeoutError)


# ---------------------------------------------------------------- retries

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


def _connect_error() -> aiohttp.ClientConnectorError:
    return aiohttp.ClientConnectorError(
        aiohttp.client_reqrep.ConnectionKey("api.example.test", 443, True, True, None, None, None),
        ConnectionRefusedError(111, "refused"),
    )


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


# ---------------------------------------------------------------- configuration and lifecycle


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIGDATA_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="BIGDATA_API_KEY"):
        BigdataClient()


def test_environment_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIGDATA_API_KEY", API_KEY)
    monkeypatch.setenv("BIGDATA_BASE_URL", "http://127.0.0.1:8787/")
    client = BigdataClient()
    assert client.base_url == "http://127.0.0.1:8787"
    monkeypatch.delenv("BIGDATA_BASE_URL")
    assert BigdataClient().base_url == "https://api.bigdata.com"
    assert BigdataClient(base_url="https://other.test").base_url == "https://other.test"


@pytest.mark.parametrize("url", ["http://api.bigdata.com", "http://10.0.0.5:8080", "ftp://x", "api.bigdata.com"])
def test_unsafe_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        BigdataClient(API_KEY, base_url=url)


@pytest.mark.parametrize("url", ["http://localhost:8787", "http://127.0.0.1:1", "http://[::1]:8787"])
def test_loopback_http_is_allowed(url: str) -> None:
    assert BigdataClient(API_KEY, base_url=url).base_url == url


def test_repr_hides_the_key() -> None:
    client = BigdataClient(API_KEY, base_url=BASE)
    assert API_KEY not in repr(client)
    assert API_KEY not in repr(client._http)
    assert API_KEY not in repr(client._config)


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


async def test_large_mocked_body(client: BigdataClient, mock_api: AioResponses) -> None:
    many = [connector_json(label="x" * 200) for _ in range(400)]
    mock_api.get(CONNECTORS, payload={"results": many})
    assert len(await client.connectors.list()) == 400


@pytest.mark.parametrize("form", [CID.upper(), "{" + CID + "}", CID.replace("-", ""), f"urn:uuid:{CID}"])
async def test_other_uuid_spellings_are_normalised(client: BigdataClient, mock_api: AioResponses, form: str) -> None:
    mock_api.get(ONE, payload=connector_json())
    await client.connectors.get(form)
    assert len(requests_to(mock_api, "GET", ONE)) == 1


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
