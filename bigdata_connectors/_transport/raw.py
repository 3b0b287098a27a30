"""``client.connectors.with_raw_response``: what came back, on success too.

``await client.connectors.with_raw_response.get(id)`` runs the same operation and returns a
``RawResponse``: the status, headers, request id and elapsed time of the answer, and ``parse()`` for
the model the plain call returns. The transport reports each answer to a recorder found in a context
variable, which only these calls set: the common path pays one context-variable read per attempt.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Generic, ParamSpec, TypeVar

__all__ = ["RECORDER", "RawResponse", "Recorder", "raw_operation", "request_id_of"]

T = TypeVar("T")
P = ParamSpec("P")

REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "apigw-requestid", "x-amz-apigw-id")


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The request id the gateway put in ``headers`` (case-insensitive mapping), if any."""
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


class Recorder:
    """Keeps the last answer the transport reports (the last attempt of the last request of one call)."""

    __slots__ = ("elapsed", "headers", "method", "path", "status")

    def __init__(self) -> None:
        self.status = 0
        self.headers: Mapping[str, str] = {}
        self.elapsed = 0.0
        self.method = ""
        self.path = ""

    def __call__(self, method: str, path: str, status: int, headers: Mapping[str, str], elapsed: float) -> None:
        self.method, self.path, self.status, self.headers, self.elapsed = method, path, status, headers, elapsed


RECORDER: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar("bigdata_raw_recorder", default=None)


@dataclass(frozen=True, slots=True, repr=False)
class RawResponse(Generic[T]):
    """One operation's answer. ``status_code``; ``headers`` (as received, case-insensitive); ``request_id``
    (the gateway's, for support tickets; None if it sent none); ``elapsed`` (seconds, the last request's
    final attempt, from sending to the body read); ``method`` and ``path`` of that request; ``parse()``
    returns what the plain call returns. For ``update`` (a GET then a PUT) these describe the PUT."""

    status_code: int
    headers: Mapping[str, str]
    elapsed: float
    method: str
    path: str
    _parsed: T

    @property
    def request_id(self) -> str | None:
        return request_id_of(self.headers)

    def parse(self) -> T:
        """The operation's result, as the plain call returns it (a model, a list of models, or None)."""
        return self._parsed

    def __repr__(self) -> str:
        return (
            f"RawResponse(status_code={self.status_code}, {self.method} {self.path}, "
            f"request_id={self.request_id!r}, elapsed={self.elapsed:.3f})"
        )


async def call_raw(operation: Callable[[], Awaitable[T]]) -> RawResponse[T]:
    """Run ``operation`` with a recorder in place; errors propagate as from the plain call."""
    recorder = Recorder()
    token = RECORDER.set(recorder)
    try:
        result = await operation()
    finally:
        RECORDER.reset(token)
    return RawResponse(recorder.status, recorder.headers, recorder.elapsed, recorder.method, recorder.path, result)


def raw_operation(operation: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """``operation`` with the same parameters, returning its RawResponse (typed: ``parse()`` gives ``T``)."""

    @functools.wraps(operation)
    async def raw(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        return await call_raw(lambda: operation(*args, **kwargs))

    return raw
