"""Issue 21, item 7: a duration past what a wait's deadline (a ``datetime``) can hold, or not finite, is refused with
a ValueError naming the parameter, at the public entry, before anything is sent (it was ``OverflowError: date
value out of range`` after the first request, or a wait that never ended)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from bigdata_connectors import BigdataClient
from tests.conftest import API_KEY, CID, connector_json
from tests.loopback import Loopback

TOO_LONG = [1e12, 1e300, math.inf, math.nan, 4e9]  # 4e9 s is 127 years: past the 100 the SDK allows


@pytest.fixture
async def api(server: Loopback) -> Loopback:
    """A connector whose sync has just succeeded: an old SDK that went ahead would return at once, not hang."""

    async def handler(request: web.Request) -> web.Response:
        if request.method == "POST":
            return web.json_response({"connector_id": CID, "status": "accepted"})
        done = datetime.now(UTC).isoformat()
        return web.json_response(
            connector_json(type="sharepoint", config={}, last_sync_at=done, last_sync_status="SUCCESS")
        )

    server.handler = handler
    return server


@pytest.mark.parametrize("timeout", TOO_LONG)
async def test_start_sync_refuses_a_timeout_no_deadline_can_hold(api: Loopback, timeout: float) -> None:
    async with BigdataClient(API_KEY, base_url=api.url) as client:
        with pytest.raises(ValueError, match="timeout"):
            await client.connectors.start_sync(CID, timeout=timeout)
    assert api.hits == 0


@pytest.mark.parametrize(
    ("argument", "value"),
    [("timeout", t) for t in TOO_LONG] + [("poll_interval", math.inf), ("max_poll_interval", 1e12)],
)
@pytest.mark.parametrize("entry", ["sync_and_wait", "wait_for_sync", "sync_many"])
async def test_the_waits_refuse_a_duration_no_deadline_can_hold(
    api: Loopback, entry: str, argument: str, value: float
) -> None:
    kwargs: dict[str, Any] = {argument: value}
    if argument == "poll_interval":
        kwargs["max_poll_interval"] = math.inf
    async with BigdataClient(API_KEY, base_url=api.url) as client:
        call = client.connectors.sync_many([CID], **kwargs) if entry == "sync_many" else None
        call = call or getattr(client.connectors, entry)(CID, **kwargs)
        with pytest.raises(ValueError, match=argument):
            await call
    assert api.hits == 0


@pytest.mark.parametrize(("argument", "value"), [("timeout", t) for t in TOO_LONG] + [("documents_settle", 1e12)])
async def test_handle_wait_refuses_a_duration_no_deadline_can_hold(api: Loopback, argument: str, value: float) -> None:
    kwargs: dict[str, Any] = {argument: value}
    async with BigdataClient(API_KEY, base_url=api.url) as client:
        handle = client.connectors.attach_sync(CID)
        with pytest.raises(ValueError, match=argument):
            await handle.wait(**kwargs)
    assert api.hits == 0


async def test_a_long_but_holdable_timeout_still_works(api: Loopback) -> None:
    async with BigdataClient(API_KEY, base_url=api.url) as client:
        handle = await client.connectors.start_sync(CID, timeout=3e9)  # 95 years
        assert handle.deadline is not None
        assert handle.deadline.year > 2100
        connector = await handle.wait(timeout=3e9)
    assert connector.last_sync_status == "SUCCESS"
