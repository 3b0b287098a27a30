"""Answers are bounded: a cap on the body (counted decompressed), bounded memory against a gzip bomb, error bodies
kept only as a preview."""

from __future__ import annotations

import gzip
import json

import pytest
from aiohttp import web

from bigdata_connectors import (
    BadRequestError,
    BigdataClient,
    ResponseTooLargeError,
)
from tests.conftest import (
    API_KEY,
    connector_json,
)
from tests.loopback import Loopback


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
