"""trace_configs pass-through, proved with OpenTelemetry's aiohttp client instrumentation against the emulator."""

from __future__ import annotations

import pytest
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bigdata_connectors import BigdataClient, ConfigurationError
from bigdata_connectors.testing import Emulator
from bigdata_connectors.tracing import SENSITIVE_HEADERS, name_span_by_route, route_of
from tests.conftest import API_KEY, FakeTime


def _provider() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


async def test_a_span_per_attempt_naming_method_and_route_without_the_key(
    bigdata_emulator: Emulator, fake_time: FakeTime
) -> None:
    bigdata_emulator.api_key = API_KEY
    (cid,) = bigdata_emulator.preload(1)
    provider, exporter = _provider()
    trace = create_trace_config(
        request_hook=name_span_by_route,
        tracer_provider=provider,
        captured_request_headers=[".*"],  # even capturing every header, the key is redacted
        sensitive_headers=SENSITIVE_HEADERS,
    )
    bigdata_emulator.script("get", ["503"])
    async with BigdataClient(
        API_KEY, base_url=bigdata_emulator.base_url, trace_configs=[trace], sleep=fake_time.sleep
    ) as client:
        await client.connectors.get(cid)  # a 503, then a retry
        await client.connectors.trigger_sync(cid, date_limit="2026-01-01")
    spans = exporter.get_finished_spans()
    assert [span.name for span in spans] == [
        "GET /contents/v1/connectors/{connector_id}",
        "GET /contents/v1/connectors/{connector_id}",
        "POST /contents/v1/connectors/{connector_id}/sync",
    ]
    statuses = [dict(span.attributes or {}).get("http.status_code") for span in spans]
    assert statuses == [503, 200, 200]
    for span in spans:
        attributes = dict(span.attributes or {})
        assert attributes.get("http.method") in ("GET", "POST")
        assert str(bigdata_emulator.port) in str(attributes.get("http.url"))
        for value in attributes.values():
            assert API_KEY not in str(value)
        captured = [k for k in attributes if "x_api_key" in k or "x-api-key" in k]
        assert captured, attributes  # the header was captured ... but only redacted
        assert all(str(attributes[k]) != API_KEY for k in captured)


def test_route_of() -> None:
    assert route_of("/contents/v1/connectors") == "/contents/v1/connectors"
    assert route_of("/contents/v1/connectors/019a9612-bfad-758c-884e-37dd8c6ad2cb/sync") == (
        "/contents/v1/connectors/{connector_id}/sync"
    )


def test_trace_configs_must_be_trace_configs() -> None:
    with pytest.raises(ConfigurationError, match="trace_configs"):
        BigdataClient(API_KEY, trace_configs=["not a trace config"])  # type: ignore[list-item]
