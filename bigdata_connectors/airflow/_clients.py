"""One ``BigdataClient`` per connection per event loop, shared by the triggers running on that loop.

A triggerer runs every trigger of its process on one event loop. Were each trigger to build its own client,
each would have its own connection pool and its own rate limiter (300 requests a minute by default), and a
thousand deferred syncs would poll the API far past the vendor's limit between them. Here the first trigger
of a connection looks the connection up and builds the client; the others borrow it (one pool, one
limiter); the last one to finish, however it finishes (an event, an error, a cancellation by the
triggerer), closes it. The key is (event loop, connection id): a client belongs to the loop that made it,
so ``dag.test()`` (a new loop per trigger) and an in-worker wait (``asyncio.run``) get their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bigdata_connectors import BigdataClient
from bigdata_connectors.airflow.hooks import aget_connection, client_from_connection

__all__ = ["borrowers", "client_from_connection", "shared_client"]

log = logging.getLogger(__name__)


@dataclass
class _Shared:
    loop: asyncio.AbstractEventLoop
    client: BigdataClient | None = None
    users: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


_SHARED: dict[tuple[int, str], _Shared] = {}


def _entry(conn_id: str) -> tuple[tuple[int, str], _Shared]:
    loop = asyncio.get_running_loop()
    key = (id(loop), conn_id)
    entry = _SHARED.get(key)
    if entry is None or entry.loop is not loop:  # a closed loop's id may be reused by a new one
        entry = _SHARED[key] = _Shared(loop)
    return key, entry


@asynccontextmanager
async def shared_client(conn_id: str) -> AsyncIterator[BigdataClient]:
    """``async with shared_client(conn_id) as client:`` borrows this loop's client for ``conn_id``, building
    it (connection looked up without blocking the loop) for the first borrower, closing it after the last.

    Raises what the lookup raises (AirflowNotFoundException, ConfigurationError); a failed lookup leaves
    nothing behind, and the next borrower tries again."""
    key, entry = _entry(conn_id)
    entry.users += 1  # counted before any await: a borrower still looking the connection up keeps it open
    try:
        async with entry.lock:
            if entry.client is None:
                entry.client = client_from_connection(await aget_connection(conn_id))
                log.info("Bigdata connection %r: one client for the triggers of this process", conn_id)
        yield entry.client
    finally:
        entry.users -= 1
        if entry.users == 0:
            if _SHARED.get(key) is entry:
                del _SHARED[key]
            if entry.client is not None:
                client, entry.client = entry.client, None
                await client.aclose()


def borrowers(conn_id: str) -> int:
    """How many triggers on the running loop borrow the client of ``conn_id`` now (0: none open)."""
    entry = _SHARED.get((id(asyncio.get_running_loop()), conn_id))
    return entry.users if entry is not None else 0
