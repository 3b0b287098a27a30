"""Helpers for tracing the SDK's requests (no tracing library is imported here).

Pass aiohttp ``TraceConfig`` objects to ``BigdataClient(trace_configs=[...])``; each attempt (retries
included) is one aiohttp request, so one span. With OpenTelemetry's aiohttp client instrumentation::

    from opentelemetry.instrumentation.aiohttp_client import create_trace_config
    from bigdata_connectors.tracing import SENSITIVE_HEADERS, name_span_by_route

    trace = create_trace_config(request_hook=name_span_by_route, sensitive_headers=SENSITIVE_HEADERS)
    client = BigdataClient(trace_configs=[trace])

Spans are then named ``GET /contents/v1/connectors/{connector_id}`` or ``GET /contents/v1/documents/{content_id}``:
the method and the route, with ids folded into placeholders named for what they are (a connector id is a UUID, a
document's content id 32 hex digits; an id anywhere else is ``{id}``), so span names stay few. The key travels in a
header, never in the URL.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["SENSITIVE_HEADERS", "name_span_by_route", "route_of"]

# Headers whose values a tracing library must redact if it captures headers at all.
SENSITIVE_HEADERS = ["X-API-KEY", "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"]

_HEX_ID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}(?=/|$)"
_CONNECTOR_ID = re.compile(r"(?<=/connectors/)" + _HEX_ID)
_CONTENT_ID = re.compile(r"(?<=/documents/)[0-9a-fA-F]{32}(?=/|$)")
_OTHER_ID = re.compile(r"(?<=/)" + _HEX_ID)


def route_of(path: str) -> str:
    """The route template of a request path: ``/contents/v1/connectors/{connector_id}/sync``,
    ``/contents/v1/documents/{content_id}``; any other UUID or 32-hex segment becomes ``{id}``."""
    path = _CONNECTOR_ID.sub("{connector_id}", path)
    path = _CONTENT_ID.sub("{content_id}", path)
    return _OTHER_ID.sub("{id}", path)


def name_span_by_route(span: Any, params: Any) -> None:
    """An OpenTelemetry aiohttp ``request_hook``: name the span ``METHOD /route/{connector_id}``."""
    if span is None or not span.is_recording():
        return
    span.update_name(f"{params.method} {route_of(params.url.path)}")
