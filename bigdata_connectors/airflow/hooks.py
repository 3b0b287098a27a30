"""``BigdataHook``: a ``BigdataClient`` from an Airflow connection of type ``bigdata``.

The connection's password is the API key; its host, when set, the base URL (``https://api.bigdata.com``
otherwise). A host without a scheme means ``https://``; a port, when set, is added to it.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from airflow.sdk import BaseHook, Connection

from bigdata_connectors import BigdataClient, BigdataError, ConfigurationError
from bigdata_connectors.airflow._provider import CONN_TYPE

DEFAULT_CONN_ID = "bigdata_default"


def base_url_of(conn: Connection) -> str | None:
    """The base URL a connection names, or None for the SDK's default. Raises ConfigurationError for
    a host that cannot be a base URL (a path, a query, credentials) — the client checks the rest."""
    host = (conn.host or "").strip().rstrip("/")
    if not host:
        return None
    url = host if "://" in host else f"https://{host}"
    if conn.port:
        scheme, rest = url.split("://", 1)
        if ":" in rest.rsplit("]", 1)[-1]:
            raise ConfigurationError(f"connection {conn.conn_id!r}: the port is given both in host and port")
        url = f"{scheme}://{rest}:{conn.port}"
    return url


def client_from_connection(conn: Connection, **client_kwargs: Any) -> BigdataClient:
    """A new BigdataClient for ``conn`` (the caller closes it). ``client_kwargs`` go to BigdataClient
    (``timeout``, ``max_retries``, ...). Raises ConfigurationError when the connection has no password
    (the API key) or names an unusable base URL; the message never contains the key."""
    if not (conn.password or "").strip():
        raise ConfigurationError(
            f"connection {conn.conn_id!r} has no password: put the Bigdata.com API key in the password field"
        )
    return BigdataClient(conn.password, base_url=base_url_of(conn), **client_kwargs)


class BigdataHook(BaseHook):
    """Builds ``BigdataClient`` objects from the Airflow connection ``bigdata_conn_id``.

    ``hook.get_conn()`` (in a task) and ``await hook.aget_conn()`` (in a trigger: the connection lookup
    does not block the event loop) return a new client each call; close it (``async with``).
    ``client_kwargs`` (``timeout`` seconds per attempt, ``max_retries``, ...) go to every client made.
    """

    conn_name_attr: ClassVar[str] = "bigdata_conn_id"
    default_conn_name: ClassVar[str] = DEFAULT_CONN_ID
    conn_type: ClassVar[str] = CONN_TYPE
    hook_name: ClassVar[str] = "Bigdata.com"

    def __init__(self, bigdata_conn_id: str = DEFAULT_CONN_ID, **client_kwargs: Any) -> None:
        super().__init__()
        self.bigdata_conn_id = bigdata_conn_id
        self.client_kwargs = client_kwargs

    def get_conn(self) -> BigdataClient:
        """A new client for the connection (looked up now). Raises AirflowNotFoundException for an
        unknown connection id, ConfigurationError for an unusable one."""
        return client_from_connection(self.get_connection(self.bigdata_conn_id), **self.client_kwargs)

    async def aget_conn(self) -> BigdataClient:
        """As ``get_conn``, with the connection looked up without blocking the event loop."""
        return client_from_connection(await self.aget_connection(self.bigdata_conn_id), **self.client_kwargs)

    def test_connection(self) -> tuple[bool, str]:
        """The UI's "Test" button: ``GET /contents/v1/connectors`` with the connection's key."""

        async def probe() -> int:
            async with self.get_conn() as client:
                return len(await client.connectors.list())

        try:
            count = asyncio.run(probe())
        except BigdataError as err:
            return False, str(err)
        return True, f"Connected: {count} connector(s) visible with this key"
