"""Issue 21, the edges a second review found, against real loopback servers and the emulator: a proxy token echoed
back, secret-named fields in answers read through the client, a document list that would never end, span names
of content ids, and the emulator's answer to a deeply nested body."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bigdata_connectors import APIStatusError, BigdataClient, MalformedResponseError
from bigdata_connectors.testing import Emulator
from bigdata_connectors.tracing import name_span_by_route, route_of
from tests.conftest import API_KEY, CID, PASSWORD, PROXY_PASSWORD, SESSION_ID, FakeTime, connector_json
from tests.echoes import seen_by_user
from tests.loopback import Loopback

PROXY_ENV = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(autouse=True)
def clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_ENV:
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------- item 4: a proxy token is a secret


@pytest.mark.parametrize("userinfo", [PROXY_PASSWORD, f"{PROXY_PASSWORD}:"])
async def test_a_proxy_token_echoed_by_the_proxy_is_never_shown(
    server: Loopback, caplog: pytest.LogCaptureFixture, userinfo: str
) -> None:
    """``http://TOKEN@proxy``: the proxy refuses (407) and hands the token back, clear and as the Basic value."""
    caplog.set_level(logging.DEBUG, logger="bigdata_connectors")
    basic = base64.b64encode(f"{PROXY_PASSWORD}:".encode()).decode()

    async def refusing_proxy(request: web.Request) -> web.Response:
        sent = request.headers.get("Proxy-Authorization", "")
        token = base64.b64decode(sent.removeprefix("Basic ")).decode().rstrip(":")
        body = {"message": f"token {token} refused", "seen": sent, "token": token}
        return web.json_response(body, status=407, headers={"X-Seen": sent, "X-Token": token})

    server.handler = refusing_proxy
    proxy = server.url.replace("http://", f"http://{userinfo}@")
    async with BigdataClient(API_KEY, base_url="http://127.0.0.1:9", proxy=proxy, sleep=FakeTime().sleep) as client:
        with pytest.raises(APIStatusError) as info:
            await client.connectors.list()
    assert info.value.status_code == 407
    assert info.value.body == {"message": "token *** refused", "seen": "Basic ***", "token": "***"}
    for secret in (PROXY_PASSWORD, basic):
        assert seen_by_user(secret, errors=[info.value], records=caplog.records) == []


# ---------------------------------------------------------------- item 2: through the client


async def test_secret_named_fields_read_through_the_client_are_masked(server: Loopback) -> None:
    leaky = [
        connector_json(type="investment_research", config={"user_id": "me", "user_password": PASSWORD}),
        connector_json(type="sharepoint", config={"session_id": SESSION_ID}),
        connector_json(type="onedrive", config={"drive": {"password": PASSWORD, "keys": [{"session_id": SESSION_ID}]}}),
    ]

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"results": leaky} if request.path.endswith("/connectors") else leaky[0])

    server.handler = answer
    async with BigdataClient(API_KEY, base_url=server.url) as client:
        listed = await client.connectors.list()
        one = await client.connectors.get(CID)
        raw = await client.connectors.with_raw_response.get(CID)
    shown = [repr(listed), repr(one), one.model_dump_json(), *(c.model_dump_json() for c in listed), repr(raw.parse())]
    for secret in (PASSWORD, SESSION_ID):
        assert seen_by_user(secret, texts=shown) == []
    assert json.loads(one.model_dump_json())["config"]["user_password"] == "***"
    assert json.loads(listed[2].model_dump_json())["config"]["drive"] == {
        "password": "***",
        "keys": [{"session_id": "***"}],
    }


# ---------------------------------------------------------------- item 5: documents.list always ends


def _documents(first: int, count: int) -> dict[str, Any]:
    created = "2026-01-01T00:00:00Z"
    return {
        "results": [
            {"id": f"{i:032X}", "status": "completed", "created_at": created} for i in range(first, first + count)
        ]
    }


async def _read_all(client: BigdataClient, seen: list[str] | None = None) -> None:
    async for document in client.documents.list(connector=CID, page_size=10):
        if seen is not None:
            seen.append(document.id)


async def test_a_server_that_ignores_page_ends_the_listing_with_malformed_response(server: Loopback) -> None:
    pages: list[str] = []

    async def same_page(request: web.Request) -> web.Response:
        pages.append(request.query["page"])
        return web.json_response(_documents(0, 10) if len(pages) < 50 else {"results": []})  # stops the old loop

    server.handler = same_page
    seen: list[str] = []
    async with BigdataClient(API_KEY, base_url=server.url) as client:
        with pytest.raises(MalformedResponseError, match=r"page 2 is full .* none not already listed"):
            await _read_all(client, seen)
    assert pages == ["1", "2"]
    assert len(seen) == 10  # the first page was read, once


async def test_a_listing_stops_after_max_pages(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    from bigdata_connectors._transport import pages as paging

    monkeypatch.setattr(paging, "MAX_PAGES", 5, raising=False)
    served: list[int] = []

    async def fresh_page_forever(request: web.Request) -> web.Response:
        page = int(request.query["page"])
        served.append(page)
        return web.json_response(_documents(page * 10, 10) if page < 50 else {"results": []})

    server.handler = fresh_page_forever
    async with BigdataClient(API_KEY, base_url=server.url) as client:
        with pytest.raises(MalformedResponseError, match="at most 5 pages"):
            await _read_all(client)
    assert served == [1, 2, 3, 4, 5]


# ---------------------------------------------------------------- item 8: span names


def test_a_content_id_is_not_called_a_connector_id() -> None:
    assert route_of("/contents/v1/documents/7FA511999C3984CB75005890B15A7096") == "/contents/v1/documents/{content_id}"
    assert route_of("/contents/v1/documents/7fa511999c3984cb75005890b15a7096") == "/contents/v1/documents/{content_id}"
    assert route_of(f"/contents/v1/connectors/{CID}/sync") == "/contents/v1/connectors/{connector_id}/sync"
    assert route_of(f"/contents/v1/connectors/{CID.replace('-', '')}") == "/contents/v1/connectors/{connector_id}"
    assert route_of(f"/contents/v2/other/{CID}") == "/contents/v2/other/{id}"
    assert route_of("/contents/v1/documents") == "/contents/v1/documents"


async def test_the_span_of_a_document_read_names_its_content_id(bigdata_emulator: Emulator) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace = create_trace_config(request_hook=name_span_by_route, tracer_provider=provider)
    async with BigdataClient(
        bigdata_emulator.api_key, base_url=bigdata_emulator.base_url, trace_configs=[trace], max_retries=0
    ) as client:
        with contextlib.suppress(APIStatusError):  # the emulator holds no such document: the span is named anyway
            await client.documents.get("7FA511999C3984CB75005890B15A7096")
    assert [span.name for span in exporter.get_finished_spans()] == ["GET /contents/v1/documents/{content_id}"]


# ---------------------------------------------------------------- item 9: the emulator and a deeply nested body


@pytest.mark.parametrize("route", ["", f"/{CID}", f"/{CID}/sync"])
async def test_the_emulator_answers_a_deeply_nested_body_with_400(bigdata_emulator: Emulator, route: str) -> None:
    (cid,) = bigdata_emulator.preload(1)
    url = f"{bigdata_emulator.base_url}/contents/v1/connectors{route.replace(CID, str(cid))}"
    method = "PUT" if route == f"/{CID}" else "POST"
    body = "[" * 100_000 + "]" * 100_000
    headers = {"X-API-KEY": bigdata_emulator.api_key, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session, session.request(method, url, data=body, headers=headers) as resp:
        assert resp.status == 400, await resp.text()
        answer = await resp.json()
    assert "nested too deeply" in answer["message"]
