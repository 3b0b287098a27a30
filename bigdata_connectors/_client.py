"""``BigdataClient``: configuration, the HTTP session's lifecycle, and ``client.connectors``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from types import TracebackType

import aiohttp

from bigdata_connectors._config import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_POOL_TIMEOUT,
    DEFAULT_RATE_LIMIT,
    DEFAULT_TIMEOUT,
    ClientConfig,
    SSLOption,
    log_level_from_env,
)
from bigdata_connectors._errors import ConfigurationError
from bigdata_connectors._transport import HTTPTransport, enable_stderr_logging
from bigdata_connectors._types import Clock, Sleep
from bigdata_connectors.connectors import ConnectorsService
from bigdata_connectors.documents import DocumentsService

__all__ = ["BigdataClient"]


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
    ``.netrc`` is never read. ``ssl`` is ``"system"`` (the operating system's trust store, through the
    ``[truststore]`` extra), an ``ssl.SSLContext``, or the path of a PEM CA bundle to trust instead of the
    default store; when not given, ``BIGDATA_SSL`` (``system`` or a path) is read. ``rate_limit`` caps requests (calls, polls and retries) at that many in
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

    connectors: ConnectorsService
    documents: DocumentsService

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
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError(f"session must be an aiohttp.ClientSession, got {type(session).__name__}")
        for name, value in (("sleep", sleep), ("clock", clock)):
            if value is not None and not callable(value):
                raise ConfigurationError(f"{name} must be callable, got {type(value).__name__}")
        config = ClientConfig.build(
            api_key,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_connections=max_connections,
            max_response_size=max_response_size,
            pool_timeout=pool_timeout,
            proxy=proxy,
            trust_env=trust_env,
            ssl=ssl,
            rate_limit=rate_limit,
            trace_configs=trace_configs,
            borrowed_session=session is not None,
        )
        level = log_level_from_env()
        if level is not None:
            enable_stderr_logging(level)
        self._attach(
            config,
            HTTPTransport(config, session=session, sleep=sleep or asyncio.sleep, clock=clock or time.monotonic),
        )

    def _attach(self, config: ClientConfig, transport: HTTPTransport) -> None:
        """Wire a client (or a view) to its config and transport: the one place both paths meet."""
        self._config = config
        self._http = transport
        self.connectors = ConnectorsService(transport)
        self.documents = DocumentsService(transport)

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> BigdataClient:
        """A view of this client with another per-attempt ``timeout`` (seconds) and/or ``max_retries``.

        The view shares this client's session, connection pool, event loop and rate limiter, so it costs
        nothing to make, per call if you like: ``await client.with_options(timeout=5).connectors.get(id)``.
        Closing the view closes nothing (it owns nothing); closing this client ends the view too.
        Raises ConfigurationError for an invalid value, as the constructor does.
        """
        config = self._config.with_options(timeout=timeout, max_retries=max_retries)
        view = BigdataClient.__new__(BigdataClient)
        view._attach(config, self._http.view(config))
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
