"""Secrets never leave: payload errors name the field and never a value, aiohttp's exceptions never carry the key,
echoed secrets are redacted from every part of an error, and the canary check itself sees a whole chain."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pydantic
import pytest
from aioresponses import aioresponses as AioResponses
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import SecretStr
from yarl import URL

from bigdata_connectors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    BigdataClient,
    InvestmentResearchConnectorConfig,
    MalformedResponseError,
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
from tests.loopback import raw_server

ONE = f"{CONNECTORS}/{CID}"


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


def test_the_canary_check_sees_every_part_of_a_chain() -> None:
    # tests/guards.py records what pytest.raises catches (tests/core/test_guards.py proves it fails a leaking test).
    assert pytest.raises.__name__ == "recording_raises"
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
