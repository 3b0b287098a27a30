"""The HTTP layer: the only module that talks to aiohttp, and the only place that retries.

One ``HTTPTransport`` per client. It owns (or borrows) one ``aiohttp.ClientSession``, sends the
API key, applies the per-attempt timeout, hands every answer to ``_wire`` (model or typed error), and
retries by the rules in ``_retry``. The first attempt runs without any retry machinery; only when it fails
retryably is a tenacity loop built, which takes that failure as its attempt 1.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Literal, TypeVar, overload

import aiohttp
from pydantic import BaseModel

from bigdata_connectors._config import MAX_RETRY_AFTER, ClientConfig
from bigdata_connectors._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    status_error,
)
from bigdata_connectors._retry import Clock, Sleep, build_retrying, is_retryable, parse_retry_after
from bigdata_connectors._version import __version__
from bigdata_connectors._wire import connection_error, encode_body, parse_model

__all__ = ["USER_AGENT", "HTTPTransport"]

logger = logging.getLogger("bigdata_connectors")

ModelT = TypeVar("ModelT", bound=BaseModel)

_PYTHON = "{}.{}.{}".format(*sys.version_info[:3])
USER_AGENT = f"bigdata-connectors/{__version__} python/{_PYTHON} aiohttp/{aiohttp.__version__}"
_SESSION_DEFAULT = aiohttp.helpers.sentinel  # aiohttp's own "not given": use the session's timeout


class HTTPTransport:
    """Sends requests to the API; see the module docstring."""

    def __init__(
        self, config: ClientConfig, *, session: aiohttp.ClientSession | None, sleep: Sleep, clock: Clock
    ) -> None:
        self._config = config
        self.sleep = sleep
        self.clock = clock
        self._borrowed = session
        self._session: aiohttp.ClientSession | None = session
        self._closed = False
        self._auth_headers = {"X-API-KEY": config.api_key, "User-Agent": USER_AGENT}
        self._timeout = aiohttp.ClientTimeout(total=config.timeout)

    def __repr__(self) -> str:
        return f"HTTPTransport(base_url={self._config.base_url!r})"

    @property
    def closed(self) -> bool:
        return self._closed

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this BigdataClient is closed; create a new one")
        if self._session is None:
            # Created lazily, inside the running event loop, on the first request.
            self._session = aiohttp.ClientSession(
                headers=self._auth_headers,
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=self._config.max_connections),
                raise_for_status=False,
            )
        return self._session

    async def aclose(self) -> None:
        """Close the session if this transport created it; a borrowed session is left open."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and session is not self._borrowed:
            await session.close()

    @overload
    async def request(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        *,
        body: BaseModel | None = ...,
        params: Mapping[str, str] | None = ...,
        idempotent: bool = ...,
        deadline: float | None = ...,
        allow_empty: Literal[False] = ...,
    ) -> ModelT: ...
    @overload
    async def request(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        *,
        body: BaseModel | None = ...,
        params: Mapping[str, str] | None = ...,
        idempotent: bool = ...,
        deadline: float | None = ...,
        allow_empty: bool,
    ) -> ModelT | None: ...

    async def request(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        *,
        body: BaseModel | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool = True,
        deadline: float | None = None,
        allow_empty: bool = False,
    ) -> ModelT | None:
        """Send ``method path`` (relative to base_url), return the body as ``model``.

        ``idempotent=False`` (create) restricts retries to failures where nothing can have been
        created. ``deadline`` (seconds on the transport's monotonic ``clock``) bounds every attempt and sleep.
        ``allow_empty`` accepts a 202/204 or empty 2xx body as None.
        Raises APIStatusError subclasses, APIConnectionError, APITimeoutError, ResponseValidationError.
        """
        data = encode_body(body) if body is not None else None
        session = self._get_session()
        try:
            return await self._attempt(session, method, path, model, data, params, 1, deadline, allow_empty)
        except (APIStatusError, APIConnectionError) as first:
            if self._config.max_retries == 0 or not is_retryable(first, idempotent=idempotent):
                raise
            failure = first

        attempt = 1

        async def again() -> ModelT | None:
            nonlocal attempt
            attempt += 1
            if attempt == 2:
                raise failure  # replay attempt 1's failure so tenacity decides (and waits) as for any other
            return await self._attempt(session, method, path, model, data, params, attempt - 1, deadline, allow_empty)

        retrying = build_retrying(
            max_retries=self._config.max_retries,
            idempotent=idempotent,
            sleep=self.sleep,
            deadline=deadline,
            clock=self.clock,
        )
        try:
            return await retrying(again)
        except (APIStatusError, APIConnectionError) as err:
            attempts = attempt - 1
            if (
                deadline is not None
                and attempts <= self._config.max_retries
                and is_retryable(err, idempotent=idempotent)
            ):
                err.deadline_exceeded = True
            raise

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        method: str,
        path: str,
        model: type[ModelT],
        data: bytes | None,
        params: Mapping[str, str] | None,
        attempt: int,
        deadline: float | None,
        allow_empty: bool,
    ) -> ModelT | None:
        # An owned session already applies the client's timeout; a per-request one is needed only for a
        # borrowed session or under a deadline.
        timeout = self._timeout if self._session is self._borrowed else None
        if deadline is not None:
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise APITimeoutError("the overall deadline passed before this attempt", method=method, path=path)
            if remaining < self._config.timeout:
                timeout = aiohttp.ClientTimeout(total=remaining)
        started = self.clock()
        try:
            async with session.request(
                method,
                self._config.base_url + path,
                data=data,
                params=params,
                headers=self._request_headers(data),
                timeout=timeout if timeout is not None else _SESSION_DEFAULT,
                allow_redirects=False,
            ) as resp:
                raw = await resp.read()
                status, headers, reason = resp.status, resp.headers, resp.reason or ""
        except (aiohttp.ClientError, TimeoutError) as err:
            lost = connection_error(err, method, path, (timeout or self._timeout).total)
            if logger.isEnabledFor(logging.DEBUG):
                elapsed = self.clock() - started
                logger.debug("%s %s -> %s in %.3fs (attempt %d)", method, path, type(err).__name__, elapsed, attempt)
            raise lost from err
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s -> %d in %.3fs (attempt %d)", method, path, status, self.clock() - started, attempt)
        if 200 <= status < 300:
            return parse_model(model, raw, status, method, path, allow_empty)
        retry_after = parse_retry_after(headers) if status in (429, 503) else None
        error = status_error(status, reason, raw, headers, method=method, path=path, retry_after=retry_after)
        if retry_after is not None and retry_after > MAX_RETRY_AFTER:
            error.message += f" (Retry-After {retry_after:.0f}s exceeds the {MAX_RETRY_AFTER:.0f}s this client waits)"
        raise error

    def _request_headers(self, data: bytes | None) -> Mapping[str, str] | None:
        if self._session is self._borrowed:
            return (
                {**self._auth_headers, "Content-Type": "application/json"} if data is not None else self._auth_headers
            )
        return _JSON_HEADERS if data is not None else None


_JSON_HEADERS = {"Content-Type": "application/json"}
