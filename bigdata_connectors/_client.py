"""``BigdataClient``: configuration, the HTTP session's lifecycle, and ``client.connectors``."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Sequence
from types import TracebackType

import aiohttp

from bigdata_connectors._config import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_POOL_TIMEOUT,
    DEFAULT_TIMEOUT,
    ClientConfig,
    log_level_from_env,
)
from bigdata_connectors._errors import ConfigurationError
from bigdata_connectors._http import HTTPTransport
from bigdata_connectors._network import DEFAULT_RATE_LIMIT, NetworkConfig, SSLOption
from bigdata_connectors._retry import Clock, Sleep
from bigdata_connectors.connectors import ConnectorsService
from bigdata_connectors.documents import DocumentsService


class BigdataClient:
    """Async client of the Bigdata.com Connectors API.

    ``api_key`` falls back to ``BIGDATA_API_KEY``; ``base_url`` to ``BIGDATA_BASE_URL``, then
    ``https://api.bigdata.com`` (plain ``http://`` only for loopback hosts). ``timeout`` is seconds
    per attempt; ``max_retries`` counts retries after the first attempt (0 disables them);
    ``max_connections`` bounds the connection pool: more concurrent calls queue for a connection
    (that wait is not part of ``timeout``), at most ``pool_timeout`` seconds (None: as long as it
    takes), then raise APITimeoutError with ``request_sent=False``. ``max_response_size`` caps one
    answer's body in bytes, counted decompressed (ResponseTooLargeError beyond). A ``session`` you pass
    is borrowed: used, never closed, and its defaults (raise_for_status, redirects, timeout,
    middlewares) do not apply to the SDK's requests. ``sleep`` and ``clock`` (monotonic seconds) can be
    replaced, e.g. by tests.

    Networks (README, "Corporate networks"): ``proxy`` is an ``http://`` or ``https://`` proxy URL, with
    ``user:password@`` if it needs them (a secret: shown nowhere). ``trust_env`` (default True) takes the
    proxy from ``HTTPS_PROXY``/``HTTP_PROXY`` minus ``NO_PROXY`` when ``proxy`` is not given, read once here;
    ``.netrc`` is never read. ``ssl`` is an ``ssl.SSLContext`` or the path of a PEM CA bundle to trust
    instead of the default store. ``rate_limit`` caps requests (calls, polls and retries) at that many in
    any 60 seconds, shared by every call of this client and its ``with_options`` views; None disables it.
    ``trace_configs`` (aiohttp.TraceConfig list) go to the session, e.g. OpenTelemetry's aiohttp
    instrumentation (see ``bigdata_connectors.tracing``). Proxy, ssl and trace_configs apply to the
    client's own session: with ``session=``, configure your session instead. ``BIGDATA_LOG=debug|info``
    sends the SDK's log records to stderr.

    A client belongs to the event loop it first runs on: using it from another raises EventLoopError.

    Use it as ``async with BigdataClient() as client:``, or call ``await client.aclose()``.
    Raises ConfigurationError when there is no API key, the base URL is unsafe or invalid, or a
    setting has the wrong type or range.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        session: aiohttp.ClientSession | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
        proxy: str | None = None,
        trust_env: bool = True,
        ssl: SSLOption = None,
        rate_limit: float | None = DEFAULT_RATE_LIMIT,
        trace_configs: Sequence[aiohttp.TraceConfig] | None = None,
    ) -> None:
        config = ClientConfig.from_env(
            api_key,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_connections=max_connections,
            max_response_size=max_response_size,
            pool_timeout=pool_timeout,
        )
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError(f"session must be an aiohttp.ClientSession, got {type(session).__name__}")
        network = NetworkConfig.build(
            config.base_url,
            proxy=proxy,
            trust_env=trust_env,
            ssl=ssl,
            rate_limit=rate_limit,
            trace_configs=trace_configs,
        )
        if session is not None and (proxy is not None or ssl is not None or network.trace_configs):
            raise ConfigurationError(
                "proxy, ssl and trace_configs configure the client's own session; with session=..., set them "
                "on your aiohttp.ClientSession (and its connector) instead"
            )
        if session is not None:
            network = dataclasses.replace(network, proxy=None, proxy_auth=None)  # the borrowed session decides
        self._config = dataclasses.replace(config, network=network)
        level = log_level_from_env()
        if level is not None:
            from bigdata_connectors._logs import enable_stderr_logging

            enable_stderr_logging(level)
        for name, value in (("sleep", sleep), ("clock", clock)):
            if value is not None and not callable(value):
                raise ConfigurationError(f"{name} must be callable, got {type(value).__name__}")
        self._http = HTTPTransport(
            self._config, session=session, sleep=sleep or asyncio.sleep, clock=clock or time.monotonic
        )
        self.connectors = ConnectorsService(self._http)
        self.documents = DocumentsService(self._http)

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> BigdataClient:
        """A view of this client with another per-attempt ``timeout`` (seconds) and/or ``max_retries``.

        The view shares this client's session, connection pool, event loop and rate limiter, so it costs
        nothing to make, per call if you like: ``await client.with_options(timeout=5).connectors.get(id)``.
        Closing the view closes nothing (it owns nothing); closing this client ends the view too.
        Raises ConfigurationError for an invalid value, as the constructor does.
        """
        config = self._config
        checked = ClientConfig.from_env(
            config.api_key,
            config.base_url,
            timeout=config.timeout if timeout is None else timeout,
            max_retries=config.max_retries if max_retries is None else max_retries,
            max_connections=config.max_connections,
            max_response_size=config.max_response_size,
            pool_timeout=config.pool_timeout,
        )
        root = self._http._parent or self._http
        view = object.__new__(BigdataClient)
        view._config = dataclasses.replace(checked, network=config.network)
        view._http = HTTPTransport(view._config, session=None, sleep=root.sleep, clock=root.clock, parent=root)
        view.connectors = ConnectorsService(view._http)
        view.documents = DocumentsService(view._http)
        return view

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def closed(self) -> bool:
        return self._http.closed

    def __repr__(self) -> str:
        return f"BigdataClient(base_url={self._config.base_url!r}, api_key='***')"

    async def aclose(self) -> None:
        """Close the HTTP session (unless it was borrowed). Calls made afterwards raise ClientClosedError.
        On a ``with_options`` view this closes only the view."""
        await self._http.aclose()

    async def __aenter__(self) -> BigdataClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
