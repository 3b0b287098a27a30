"""Every answer ends as a typed error: the status table, request ids, the gateway's and firewalls' answers,
bodies that do not parse, no answer at all."""

from __future__ import annotations

import aiohttp
import pydantic
import pytest
from aioresponses import aioresponses as AioResponses

from bigdata_connectors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BigdataClient,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
)
from tests.conftest import (
    API_KEY,
    BASE,
    CID,
    CONNECTORS,
    FakeTime,
    requests_to,
)

ONE = f"{CONNECTORS}/{CID}"


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


@pytest.mark.parametrize("status", [200, 400, 503])
async def test_deeply_nested_body_is_a_typed_error(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime, status: int
) -> None:
    mock_api.get(CONNECTORS, status=status, body=b"[" * 100_000 + b"]" * 100_000, repeat=True)
    with pytest.raises((ResponseValidationError, BadRequestError, InternalServerError)):
        await client.connectors.list()
