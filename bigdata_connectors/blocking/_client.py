"""The blocking ``BigdataClient``: the async client, run on an event loop thread of its own."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Final

import aiohttp

from bigdata_connectors import BigdataClient as AsyncBigdataClient
from bigdata_connectors import ConfigurationError
from bigdata_connectors.blocking._connectors import ConnectorsService
from bigdata_connectors.blocking._documents import DocumentsService
from bigdata_connectors.blocking._runtime import Runtime
from bigdata_connectors.blocking._types import Clock, Sleep, SSLOption, defaults_of

__all__ = ["BigdataClient"]

_INIT: Final = defaults_of(AsyncBigdataClient.__init__)
_OPTIONS: Final = defaults_of(AsyncBigdataClient.with_options)
_NO_SESSION = (
    "session= cannot be used with the blocking BigdataClient: an aiohttp session belongs to the event loop that "
    "made it, and this client runs the async client on an event loop of its own, in a background thread. Leave "
    "it out: max_connections=, proxy=, ssl= and trace_configs= configure the client's own session"
)


class BigdataClient:
    """Blocking client of the Bigdata.com Connectors API: ``bigdata_connectors.BigdataClient`` without ``await``.

    Every argument is the async client's, with the same defaults and environment variables (``api_key`` falls
    back to ``BIGDATA_API_KEY``, ``base_url`` to ``BIGDATA_BASE_URL``; ``timeout`` is seconds per attempt,
    ``pool_timeout`` seconds, ``max_response_size`` bytes, ``rate_limit`` requests per 60 seconds), except that
    ``session`` must stay None: a borrowed aiohttp session belongs to another event loop. ``sleep`` (async)
    and ``clock`` (monotonic seconds) are the async client's and run on the loop thread.

    One async client runs on one event loop in a daemon thread of this client's own (started by the first
    call), with one aiohttp session whose connections every call reuses. Any number of threads may share the
    client. It works inside a running event loop too (a notebook cell, an async app's sync helper), blocking
    that loop for the call. Plain callbacks run in the thread that made the call. Ctrl-C during a call
    cancels it on the loop thread and raises KeyboardInterrupt; the client stays usable. After ``os.fork()``
    a client already used in the parent raises EventLoopError in the child: create one there.

    Use it as ``with BigdataClient() as client:``, or call ``client.close()``. An unclosed client is closed
    when collected, or at interpreter exit. Raises ConfigurationError when there is no API key, the base URL
    is unsafe or invalid, a setting has the wrong type or range, or ``session`` is given.
    """

    def __init__(
        self,
        api_key: str | None = _INIT["api_key"],
        *,
        base_url: str | None = _INIT["base_url"],
        timeout: float = _INIT["timeout"],
        max_retries: int = _INIT["max_retries"],
        session: aiohttp.ClientSession | None = _INIT["session"],
        max_connections: int = _INIT["max_connections"],
        sleep: Sleep | None = _INIT["sleep"],
        clock: Clock | None = _INIT["clock"],
        max_response_size: int = _INIT["max_response_size"],
        pool_timeout: float | None = _INIT["pool_timeout"],
        proxy: str | None = _INIT["proxy"],
        trust_env: bool = _INIT["trust_env"],
        ssl: SSLOption = _INIT["ssl"],
        rate_limit: float | None = _INIT["rate_limit"],
        trace_configs: Sequence[aiohttp.TraceConfig] | None = _INIT["trace_configs"],
    ) -> None:
        if session is not None:
            raise ConfigurationError(_NO_SESSION)
        client = AsyncBigdataClient(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_connections=max_connections,
            sleep=sleep,
            clock=clock,
            max_response_size=max_response_size,
            pool_timeout=pool_timeout,
            proxy=proxy,
            trust_env=trust_env,
            ssl=ssl,
            rate_limit=rate_limit,
            trace_configs=trace_configs,
        )
        self._bind(Runtime(client), client)

    def _bind(self, runtime: Runtime, client: AsyncBigdataClient) -> None:
        self._runtime = runtime
        self._async = client
        self.connectors = ConnectorsService(runtime, client.connectors)
        self.documents = DocumentsService(runtime, client.documents)

    def with_options(
        self, *, timeout: float | None = _OPTIONS["timeout"], max_retries: int | None = _OPTIONS["max_retries"]
    ) -> BigdataClient:
        """A view of this client with another per-attempt ``timeout`` (seconds) and/or ``max_retries``.

        The view shares this client's loop thread, session, connection pool and rate limiter, so it costs
        nothing to make: ``client.with_options(timeout=5).connectors.get(id)``. Closing the view closes only
        the view; closing this client ends the view too. Raises ConfigurationError for an invalid value.
        """
        view = object.__new__(BigdataClient)
        view._bind(self._runtime, self._async.with_options(timeout=timeout, max_retries=max_retries))
        return view

    @property
    def base_url(self) -> str:
        return self._async.base_url

    @property
    def closed(self) -> bool:
        """True once this client (or, for a view, the view or its client) is closed."""
        return self._runtime.closed or self._async.closed

    def __repr__(self) -> str:
        return repr(self._async)

    def close(self) -> None:
        """Close the HTTP session on the loop thread, then stop and join that thread. Idempotent. Calls made
        afterwards raise ClientClosedError; calls still running in other threads end with it. On a
        ``with_options`` view this closes only the view."""
        if self._runtime.closed:
            return
        if self._async is self._runtime.client:
            self._runtime.close()
        else:
            self._runtime.call(self._async.aclose())

    def __enter__(self) -> BigdataClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
