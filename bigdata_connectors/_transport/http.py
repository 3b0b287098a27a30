"""The HTTP layer: the only module that talks to aiohttp, and the only place that retries.

One ``HTTPTransport`` per client (and one per ``with_options`` view, sharing its client's session). It owns (or
borrows) one ``aiohttp.ClientSession``, sends the API key, applies the per-attempt timeout, hands every answer to
``wire`` (model or typed error), and retries by the rules of ``retry.RetryPolicy``: ``request`` is the one retry
loop, a plain loop that consults the policy only after a failure.

Lifecycle rules (DESIGN.md, "Session, pool and lifecycle"):

- Loop binding, the pool gate (queueing outside the attempt's ``timeout``) and closing live in
  ``lifecycle.Lifecycle``, shared by a client and its views.
- Closing the client (or the borrowed session) ends in-flight, queued and sleeping calls with
  ``ClientClosedError``, never retried.
- A borrowed session's defaults do not change the SDK's rules: each request sets its own status handling,
  redirects, timeout, headers and (no) middlewares.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Mapping
from typing import Literal, TypeVar, overload

import aiohttp
from pydantic import BaseModel

from bigdata_connectors._config import ClientConfig
from bigdata_connectors._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    EventLoopError,
    NotFoundError,
)
from bigdata_connectors._redact import Redactor, scrubbed_cause
from bigdata_connectors._transport.lifecycle import CLOSED, Lifecycle
from bigdata_connectors._transport.ratelimit import Budget, build_limiter
from bigdata_connectors._transport.raw import RECORDER, request_id_of
from bigdata_connectors._transport.retry import RetryPolicy, may_have_acted
from bigdata_connectors._transport.session import build_session, proxy_headers
from bigdata_connectors._transport.wire import (
    ERROR_BODY_LIMIT,
    Call,
    Params,
    answer_error,
    connection_error,
    encode,
    fits,
    parse_model,
    read_body,
    too_large,
)
from bigdata_connectors._types import Clock, Sleep
from bigdata_connectors._version import __version__

__all__ = ["USER_AGENT", "HTTPTransport", "Params"]

logger = logging.getLogger("bigdata_connectors")

ModelT = TypeVar("ModelT", bound=BaseModel)

_PYTHON = "{}.{}.{}".format(*sys.version_info[:3])
USER_AGENT = f"bigdata-connectors/{__version__} python/{_PYTHON} aiohttp/{aiohttp.__version__}"
_SESSION_DEFAULT = aiohttp.helpers.sentinel  # aiohttp's own "not given": use the session's timeout


_SESSION_CLOSED = "the aiohttp session this BigdataClient borrowed was closed"


class HTTPTransport:
    """Sends requests to the API; see the module docstring.

    ``redactor`` knows every secret the client holds (the API key and proxy credentials from the start); a
    request's own secrets (passwords, session ids) are added for that request only.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        session: aiohttp.ClientSession | None,
        sleep: Sleep,
        clock: Clock,
        parent: HTTPTransport | None = None,
    ) -> None:
        self._config = config
        self.sleep = sleep
        self.clock = clock
        self._policy = RetryPolicy(max_retries=config.max_retries, clock=clock)
        # A view (``parent`` given) sends through its parent's session and shares its redactor, lifecycle and
        # limiter: the same loop, the same pool gate, one request budget, closed when the parent closes.
        self._parent = parent
        self._life: Lifecycle
        self.redactor: Redactor
        self._budget: Budget | None
        if parent is not None:
            self.redactor = parent.redactor
            self.redactor.register(config.api_key)
            self._life = parent._life
            self._budget = parent._budget
        else:
            self.redactor = Redactor(config.secrets)
            self._life = Lifecycle(
                max_connections=config.max_connections, pool_timeout=config.pool_timeout, sleep=sleep, clock=clock
            )
            limiter = build_limiter(config.rate_limit)
            self._budget = Budget(limiter) if limiter is not None else None
        self._borrowed: aiohttp.ClientSession | None = session if parent is None else parent._borrowed
        self._session: aiohttp.ClientSession | None = session
        # Our own session, when it carries every header a request needs (no proxy credentials to add per request).
        self._plain: aiohttp.ClientSession | None = None
        self._closed = False
        self._auth_headers = {"X-API-KEY": config.api_key, "User-Agent": USER_AGENT}
        self._timeout = aiohttp.ClientTimeout(total=config.timeout)
        self._proxy_headers = proxy_headers(config)
        # aiohttp sends proxy_headers only with a CONNECT (an https:// API); a plain http:// request goes to the proxy
        # as it is, so the proxy's credentials must ride on it (as they would with curl or requests).
        self._forwarded = self._proxy_headers if config.base_url.startswith("http://") else None
        # aiohttp copies a session's default headers into the CONNECT it sends a proxy, in clear: with a proxy
        # the key must not be a session default, so it goes with each request (inside the TLS tunnel) instead.
        self._key_per_request = config.proxy is not None

    def view(self, config: ClientConfig) -> HTTPTransport:
        """A transport with ``config``'s timeout and retries, sending through this one's session (see ``parent``)."""
        root = self._parent or self
        return HTTPTransport(config, session=None, sleep=root.sleep, clock=root.clock, parent=root)

    def __repr__(self) -> str:
        return f"HTTPTransport(base_url={self._config.base_url!r})"

    @property
    def closed(self) -> bool:
        return self._closed or self._life.closed

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError(CLOSED)
        if self._parent is not None:
            return self._parent._get_session()
        borrowed = self._borrowed
        self._life.bind(borrowed.connector.limit if borrowed is not None and borrowed.connector is not None else None)
        if self._session is None:
            # Created lazily, inside the running event loop, on the first request.
            defaults = {"User-Agent": USER_AGENT} if self._key_per_request else self._auth_headers
            self._session = build_session(self._config, defaults, self._timeout)
            if not self._key_per_request and self._proxy_headers is None:
                self._plain = self._session  # it alone says everything a body-less request needs
        elif borrowed is not None and self._session.closed:  # our own closes only through aclose()
            raise ClientClosedError(_SESSION_CLOSED)
        return self._session

    async def aclose(self) -> None:
        """Close the session if this transport created it; a borrowed session is left open. Calls in
        flight, queued or sleeping between retries end with ClientClosedError. A view closes only itself."""
        self._closed = True
        if self._parent is not None:
            return
        self._life.close()
        session, self._session, self._plain = self._session, None, None
        if session is not None and session is not self._borrowed:
            if self._life.loop is not None and self._life.loop is not asyncio.get_running_loop():
                raise EventLoopError("this BigdataClient belongs to another event loop: close it there")
            await session.close()

    @overload
    async def request(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        *,
        body: BaseModel | None = ...,
        params: Params | None = ...,
        idempotent: bool = ...,
        deadline: float | None = ...,
        allow_empty: Literal[False] = ...,
        gone_is_done: bool = ...,
        on_headers: Callable[[Mapping[str, str]], None] | None = ...,
        retry: bool = ...,
    ) -> ModelT: ...
    @overload
    async def request(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        *,
        body: BaseModel | None = ...,
        params: Params | None = ...,
        idempotent: bool = ...,
        deadline: float | None = ...,
        allow_empty: bool,
        gone_is_done: bool = ...,
        on_headers: Callable[[Mapping[str, str]], None] | None = ...,
        retry: bool = ...,
    ) -> ModelT | None: ...

    async def request(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        *,
        body: BaseModel | None = None,
        params: Params | None = None,
        idempotent: bool = True,
        deadline: float | None = None,
        allow_empty: bool = False,
        gone_is_done: bool = False,
        on_headers: Callable[[Mapping[str, str]], None] | None = None,
        retry: bool = True,
    ) -> ModelT | None:
        """Send ``method path`` (relative to base_url), return the body as ``model``.

        ``idempotent=False`` (create) restricts retries to failures where nothing can have been
        created. ``deadline`` (seconds on the transport's monotonic ``clock``) bounds every attempt,
        queueing for a connection and sleep. ``allow_empty`` accepts a 202/204 or empty 2xx body as None.
        ``gone_is_done`` (a force delete): a 404 on a retry, after an attempt that may have reached the
        server, means that attempt did the work and lost its answer; it returns None. ``on_headers`` is
        called with the successful answer's headers (e.g. to read its ``Date``). ``retry=False`` makes exactly one
        attempt (a wait's last look, after its deadline).
        Raises APIStatusError subclasses, APIConnectionError, APITimeoutError, ResponseValidationError
        (and its MalformedResponseError, ResponseTooLargeError), ClientClosedError, EventLoopError.
        """
        session = self._get_session()
        if body is None:
            call = Call(method, path, model, None, params, deadline, allow_empty, self.redactor, on_headers)
        else:
            data, secrets = encode(body)
            call = Call(
                method, path, model, data, params, deadline, allow_empty, self.redactor.including(secrets), on_headers
            )
        attempt, reached = 1, False
        while True:
            try:
                return await self._attempt(session, call, attempt)  # type: ignore[return-value]
            except NotFoundError:
                if not (gone_is_done and reached):
                    raise
                # An earlier attempt reached the server and lost its answer: it did the delete.
                logger.info("%s %s -> 404 on attempt %d: an earlier attempt did it", method, path, attempt)
                return None
            except (APIStatusError, APIConnectionError) as err:
                if not retry:
                    raise
                delay = self._policy.delay(err, attempt=attempt, idempotent=idempotent, deadline=deadline)
                if delay is None:
                    raise
                reached = reached or may_have_acted(err)
            await self._life.sleep(delay)
            attempt += 1
            session = self._get_session()

    async def _attempt(self, session: aiohttp.ClientSession, call: Call, attempt: int) -> BaseModel | None:
        budget = self._budget
        if budget is not None and not budget.try_take():
            # Every attempt counts (calls, polls, retries share one budget). Waiting here is not time on the
            # wire: it comes before the attempt's timeout starts and before the deadline check.
            await budget.take()
        # An owned session already applies the client's timeout; a per-request one is needed only for a
        # borrowed session (or a view's) or under a deadline.
        timeout = None if self._owns(session) else self._timeout
        if call.deadline is not None:
            remaining = call.deadline - self.clock()
            if remaining <= 0:
                raise APITimeoutError(
                    "the overall deadline passed before this attempt", method=call.method, path=call.path
                )
            if remaining < self._config.timeout:
                timeout = aiohttp.ClientTimeout(total=remaining)
        life = self._life
        if not life.try_enter():  # the common case takes a free place without a coroutine
            await life.enter(call.deadline, method=call.method, path=call.path)
        method, path, limit = call.method, call.path, self._config.max_response_size
        url = self._config.base_url + path
        if session is self._plain and call.data is None and call.params is None and timeout is None:
            # The common case: our own session carries the key, headers, timeout and status rules; saying them
            # again per request costs aiohttp's argument handling about 7,000 instructions (docs/benchmarks.md).
            exchange = session.request(method, url, allow_redirects=False)
        else:
            exchange = session.request(
                method,
                url,
                data=call.data,
                params=call.params,
                timeout=timeout if timeout is not None else _SESSION_DEFAULT,
                allow_redirects=False,
                headers=self._request_headers(session, call.data),
                proxy_headers=self._proxy_headers,
                raise_for_status=False,  # a borrowed session's default must not pre-empt our status rules
                middlewares=(),  # nor its middlewares (a retrying one could send a create twice)
            )
        started = self.clock()
        failure: BaseException | None = None
        try:
            async with exchange as resp:
                status, headers, reason = resp.status, resp.headers, resp.reason or ""
                ok = 200 <= status < 300
                if ok and fits(resp, limit):
                    raw, truncated = await resp.read(), False  # the common case: one read, no extra coroutine
                else:
                    raw, truncated = await read_body(resp, limit if ok else ERROR_BODY_LIMIT, preview=not ok)
        except (aiohttp.ClientError, TimeoutError, RuntimeError) as err:
            failure = err  # handled below, outside this block, so aiohttp's exception is not our __context__
        finally:
            life.leave()
        if failure is not None:
            raise self._lost(session, call, failure, attempt, started, timeout)
        recorder = RECORDER.get()
        if recorder is not None:  # what the caller reads as RawResponse.headers: secrets taken out first
            recorder(method, path, status, call.redactor.headers(headers), self.clock() - started)
        if logger.isEnabledFor(logging.DEBUG):
            request_id = request_id_of(headers)  # the server's text: redacted, control characters escaped
            logger.debug(
                "%s %s -> %d in %.3fs (attempt %d) request_id=%s",
                method,
                path,
                status,
                self.clock() - started,
                attempt,
                None if request_id is None else call.redactor.text(request_id).encode("unicode_escape").decode(),
            )
        if ok:
            if truncated:
                raise too_large(status, limit, method, path)
            parsed = parse_model(call.model, raw, status, method, path, call.allow_empty, call.redactor)
            if call.on_headers is not None:
                call.on_headers(headers)
            return parsed
        raise answer_error(status, headers, reason, raw, call.method, call.path, call.redactor, cut=truncated)

    def _lost(
        self,
        session: aiohttp.ClientSession,
        call: Call,
        err: BaseException,
        attempt: int,
        started: float,
        timeout: aiohttp.ClientTimeout | None,
    ) -> BaseException:
        """Our error for an attempt that ended without a usable answer, its cause scrubbed of secrets."""
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = self.clock() - started
            logger.debug(
                "%s %s -> %s in %.3fs (attempt %d)", call.method, call.path, type(err).__name__, elapsed, attempt
            )
        cause = scrubbed_cause(err, call.redactor)
        error: BaseException
        if self.closed or session.closed:
            error = ClientClosedError(CLOSED if self.closed else _SESSION_CLOSED)
        elif isinstance(err, RuntimeError):
            raise err  # not aiohttp's: a bug to surface as is
        else:
            error = connection_error(err, call.method, call.path, (timeout or self._timeout).total, call.redactor)
        error.__cause__ = cause
        return error

    def _owns(self, session: aiohttp.ClientSession) -> bool:
        """Whether ``session`` was built by this transport (so it carries its key, headers and timeout)."""
        return self._parent is None and session is not self._borrowed

    def _request_headers(self, session: aiohttp.ClientSession, data: bytes | None) -> Mapping[str, str] | None:
        """Per-request headers: none beyond Content-Type for an owned session (it carries the key); for
        a borrowed one, the key, User-Agent, and no compression if it would not inflate it."""
        if self._owns(session) and not self._key_per_request:
            return _JSON_HEADERS if data is not None else None
        headers = dict(self._auth_headers)
        if self._forwarded is not None:
            headers.update(self._forwarded)
        if data is not None:
            headers["Content-Type"] = "application/json"
        if not session.auto_decompress:
            headers["Accept-Encoding"] = "identity"  # it would hand us compressed bytes
        return headers


_JSON_HEADERS = {"Content-Type": "application/json"}
