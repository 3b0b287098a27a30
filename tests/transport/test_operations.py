"""The six operations on the wire: what each sends, what it accepts back, and the edges of each (ids, strict
request bodies, force delete retried, email_hash, odd configs, which list item failed)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import aiohttp
import pydantic
import pytest
from aioresponses import aioresponses as AioResponses
from pydantic import SecretStr

from bigdata_connectors import (
    BigdataClient,
    ConnectorUpdatePayload,
    EmailConnectorConfig,
    InvestmentResearchConnectorConfig,
    NotFoundError,
    ResponseValidationError,
    __version__,
)
from bigdata_connectors._transport import USER_AGENT
from tests.conftest import (
    API_KEY,
    BASE,
    CID,
    CONNECTORS,
    PASSWORD,
    connector_json,
    requests_to,
)

ONE = f"{CONNECTORS}/{CID}"


def sent_json(mocked: AioResponses, method: str, url: str, index: int = 0) -> Any:
    data = requests_to(mocked, method, url)[index].kwargs["data"]
    return json.loads(data) if data is not None else None


async def test_list_sends_get_with_key_and_user_agent(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(CONNECTORS, payload={"results": [connector_json(), connector_json(type="sharepoint", config={})]})
    result = await client.connectors.list()
    assert [c.type for c in result] == ["email", "sharepoint"]
    (call,) = requests_to(mock_api, "GET", CONNECTORS)
    assert call.kwargs["allow_redirects"] is False
    assert call.kwargs.get("data") is None


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
    assert requests_to(mock_api, "DELETE", ONE)[0].kwargs.get("params") is None


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


async def test_large_mocked_body(client: BigdataClient, mock_api: AioResponses) -> None:
    many = [connector_json(label="x" * 200) for _ in range(400)]
    mock_api.get(CONNECTORS, payload={"results": many})
    assert len(await client.connectors.list()) == 400


@pytest.mark.parametrize("form", [CID.upper(), "{" + CID + "}", CID.replace("-", ""), f"urn:uuid:{CID}"])
async def test_other_uuid_spellings_are_normalised(client: BigdataClient, mock_api: AioResponses, form: str) -> None:
    mock_api.get(ONE, payload=connector_json())
    await client.connectors.get(form)
    assert len(requests_to(mock_api, "GET", ONE)) == 1


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
