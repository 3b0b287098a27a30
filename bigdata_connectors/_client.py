"""``BigdataClient``: configuration, the HTTP session's lifecycle, and ``client.connectors``."""

from __future__ import annotations

import asyncio
import time
from types import TracebackType

import aiohttp

from bigdata_connectors._config import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_POOL_TIMEOUT,
    DEFAULT_TIMEOUT,
    ClientConfig,
)
from bigdata_connectors._errors import ConfigurationError
from bigdata_connectors._http import HTTPTransport
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
    ) -> None:
        self._config = ClientConfig.from_env(
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
        for name, value in (("sleep", sleep), ("clock", clock)):
            if value is not None and not callable(value):
                raise ConfigurationError(f"{name} must be callable, got {type(value).__name__}")
        self._http = HTTPTransport(
            self._config, session=session, sleep=sleep or asyncio.sleep, clock=clock or time.monotonic
        )
        self.connectors = ConnectorsService(self._http)
        self.documents = DocumentsService(self._http)

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def closed(self) -> bool:
        return self._http.closed

    def __repr__(self) -> str:
        return f"BigdataClient(base_url={self._config.base_url!r}, api_key='***')"

    async def aclose(self) -> None:
        """Close the HTTP session (unless it was borrowed). Calls made afterwards raise ClientClosedError."""
        await self._http.aclose()

    async def __aenter__(self) -> BigdataClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
