"""``BigdataHook``: a ``BigdataClient`` from an Airflow connection of type ``bigdata``.

The connection's password is the API key; its host, when set, the base URL (``https://api.bigdata.com``
otherwise). A host without a scheme means ``https://``; a port, when set, is added to it. Its extras may
name ``web_app_url``, the vendor's web app, for the task's link to the connector, and ``ssl``: ``"system"`` to
verify the API's certificate against the operating system's trust store (where a bank installs its TLS-inspecting
proxy's root; extra ``[truststore]``), or the path of a PEM CA bundle on the workers and the triggerer. Without it,
``BIGDATA_SSL`` in their environment decides, as for any client.

Connections are found wherever Airflow keeps them (database, environment, secrets backends), in a worker,
a triggerer, ``airflow dags test`` and ``dag.test()``: see ``get_connection`` / ``aget_connection``.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar
from urllib.parse import urlsplit

from airflow.sdk import BaseHook, Connection

from bigdata_connectors import BigdataClient, BigdataError, ConfigurationError
from bigdata_connectors.airflow._compat import AirflowNotFoundException
from bigdata_connectors.airflow._provider import CONN_TYPE

DEFAULT_CONN_ID = "bigdata_default"
# The vendor's web app, where a connector has its page. An assumption (DESIGN.md, "Airflow"): the vendor
# documents no URL scheme for it; a deployment sets the connection extra ``web_app_url`` to override it.
DEFAULT_WEB_APP_URL = "https://app.bigdata.com"


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


def web_app_url_of(conn: Connection | None) -> str:
    """The web app's base URL: the connection's extra ``web_app_url``, else ``DEFAULT_WEB_APP_URL``.
    Raises ConfigurationError for anything but a plain ``http(s)://host[/path]`` (no credentials, query
    or fragment: a link is shown to everyone who can see the task)."""
    extras: dict[str, Any] = conn.extra_dejson if conn is not None else {}
    raw = extras.get("web_app_url") or DEFAULT_WEB_APP_URL
    url = str(raw).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise ConfigurationError(f"connection extra web_app_url must be an http(s) URL without credentials: {url!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"connection extra web_app_url must have no query or fragment: {url!r}")
    return url


def connector_page(conn: Connection | None, connector_id: str) -> str:
    """The connector's page in the web app: ``<web_app_url>/connectors/<connector_id>``."""
    return f"{web_app_url_of(conn)}/connectors/{connector_id}"


def client_from_connection(conn: Connection, **client_kwargs: Any) -> BigdataClient:
    """A new BigdataClient for ``conn`` (the caller closes it). ``client_kwargs`` go to BigdataClient
    (``timeout``, ``max_retries``, ...; an ``ssl`` there wins over the connection's extra). Raises
    ConfigurationError when the connection has no password (the API key), names an unusable base URL (its
    password masked) or an unusable ``ssl`` extra; the message never contains the key."""
    if not (conn.password or "").strip():
        raise ConfigurationError(
            f"connection {conn.conn_id!r} has no password: put the Bigdata.com API key in the password field"
        )
    trust = ssl_of(conn)
    if trust is not None and "ssl" not in client_kwargs:
        client_kwargs = {**client_kwargs, "ssl": trust}
    return BigdataClient(conn.password, base_url=base_url_of(conn), **client_kwargs)


def ssl_of(conn: Connection) -> str | None:
    """The connection extra ``ssl`` (``"system"`` or a CA bundle's path), or None when it is not set. Raises
    ConfigurationError for a value that is not text; the client checks the rest (a bundle that cannot be read,
    ``"system"`` without the ``[truststore]`` extra)."""
    value = conn.extra_dejson.get("ssl")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigurationError(
            f'connection {conn.conn_id!r}: extra ssl must be "system" or a CA bundle\'s path, '
            f"got {type(value).__name__}"
        )
    return value.strip()


def get_connection(conn_id: str) -> Connection:
    """The connection ``conn_id``, looked up synchronously (a worker, ``airflow dags test``, ``dag.test()``).
    Raises AirflowNotFoundException, whose message names the id and where connections are kept."""
    return BaseHook.get_connection(conn_id)


async def aget_connection(conn_id: str) -> Connection:
    """The connection ``conn_id`` from a coroutine (a trigger), without blocking the event loop.

    Asks Airflow's asynchronous lookup first (the triggerer's way); when it finds nothing, asks the
    synchronous one in a thread: under ``airflow dags test`` and ``dag.test()`` the in-process channel has
    no asynchronous send, so the asynchronous lookup misses connections stored in the database that the
    synchronous one finds. Raises AirflowNotFoundException when neither finds it."""
    try:
        return await BaseHook.aget_connection(conn_id)
    except AirflowNotFoundException:
        return await asyncio.to_thread(BaseHook.get_connection, conn_id)


class BigdataHook(BaseHook):
    """Builds ``BigdataClient`` objects from the Airflow connection ``bigdata_conn_id``.

    ``hook.get_conn()`` (in a task: a synchronous lookup) and ``await hook.aget_conn()`` (in a trigger: the
    lookup does not block the event loop) return a new client each call; close it (``async with``).
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
        return client_from_connection(get_connection(self.bigdata_conn_id), **self.client_kwargs)

    async def aget_conn(self) -> BigdataClient:
        """As ``get_conn``, with the connection looked up without blocking the event loop."""
        return client_from_connection(await aget_connection(self.bigdata_conn_id), **self.client_kwargs)

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
