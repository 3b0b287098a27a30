"""Builds the client's own ``aiohttp.ClientSession`` from its settings: pool, proxy, TLS trust, tracing.

Called by the transport once, lazily, inside the running event loop. The proxy was resolved when the
client was built (``_config``), so aiohttp's ``trust_env`` stays off: no per-request thread hop to read
the environment or ``.netrc``.
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from bigdata_connectors._config import ClientConfig

__all__ = ["build_session", "proxy_headers"]


def build_session(
    config: ClientConfig, headers: Mapping[str, str], timeout: aiohttp.ClientTimeout
) -> aiohttp.ClientSession:
    """A session sending ``headers`` with ``timeout``, through ``config``'s proxy and TLS trust.
    The proxy's credentials go with each request (``proxy_headers``)."""
    connector = aiohttp.TCPConnector(limit=config.max_connections, ssl=config.ssl if config.ssl is not None else True)
    return aiohttp.ClientSession(
        headers=headers,
        timeout=timeout,
        connector=connector,
        raise_for_status=False,
        proxy=config.proxy,
        trust_env=False,
        trace_configs=list(config.trace_configs) or None,
    )


def proxy_headers(config: ClientConfig) -> Mapping[str, str] | None:
    """``Proxy-Authorization`` for the proxy's credentials (sent to the proxy with CONNECT, never to the API),
    or None. aiohttp takes these per request (its session-level ``proxy_auth`` is deprecated)."""
    token = config.proxy_token()
    return None if token is None else {"Proxy-Authorization": f"Basic {token}"}
