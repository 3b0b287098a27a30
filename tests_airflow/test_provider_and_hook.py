"""The provider entry point, the ``bigdata`` connection type and the hook, on real Airflow."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import sys
import typing
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import trustme
from airflow.providers_manager import ProvidersManager
from airflow.sdk import Connection

import bigdata_connectors.airflow
from bigdata_connectors import ConfigurationError, TLSError
from bigdata_connectors.airflow import BigdataHook
from bigdata_connectors.airflow._compat import AirflowNotFoundException
from bigdata_connectors.airflow.hooks import base_url_of, client_from_connection
from bigdata_connectors.testing import Emulator
from tests_airflow.conftest import API_KEY, CONN_VAR

try:  # Airflow 3.2+: workers read providers through the Task SDK's own manager
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime
except ImportError:  # Airflow 3.1: one manager for every component
    from airflow.providers_manager import ProvidersManager as ProvidersManagerTaskRuntime  # type: ignore[assignment]

PUBLIC = {
    "BigdataConnectorLink",
    "BigdataDocumentsTrigger",
    "BigdataHook",
    "BigdataSyncOperator",
    "BigdataSyncSensor",
    "BigdataSyncTrigger",
}


def test_public_surface_is_pinned() -> None:
    assert set(bigdata_connectors.airflow.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(bigdata_connectors.airflow, name).__module__.startswith("bigdata_connectors.airflow.")


def test_the_core_never_imports_airflow() -> None:
    code = "import sys, bigdata_connectors; print(sorted(m for m in sys.modules if m.split('.')[0] == 'airflow'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_workers_map_the_connection_type_to_the_hook() -> None:
    runtime = ProvidersManagerTaskRuntime()
    assert runtime.providers["bigdata-connectors"].version == bigdata_connectors.__version__
    hook = runtime.hooks["bigdata"]
    assert hook is not None
    assert (hook.hook_class_name, hook.connection_type, hook.hook_name) == (
        "bigdata_connectors.airflow.BigdataHook",
        "bigdata",
        "Bigdata.com",
    )
    conn = Connection(conn_id="bigdata_default", conn_type="bigdata", password=API_KEY)
    assert isinstance(conn.get_hook(), BigdataHook)


def test_the_ui_shows_the_connection_type_with_its_form() -> None:
    manager = ProvidersManager()
    assert "bigdata-connectors" in manager.providers
    if hasattr(manager, "iter_connection_type_hook_ui_metadata"):  # Airflow 3.2+: what the UI reads
        [entry] = [e for e in manager.iter_connection_type_hook_ui_metadata() if e.connection_type == "bigdata"]
        assert (entry.hook_name, entry.hook_class_name) == ("Bigdata.com", "bigdata_connectors.airflow.BigdataHook")
        behaviour = entry.field_behaviour
        assert behaviour is not None
        assert behaviour == manager.field_behaviours["bigdata"]
    else:  # Airflow 3.1 computes the form only beside Flask AppBuilder (not installed): what the provider declares
        hook = manager.hooks["bigdata"]
        assert hook is not None
        assert (hook.hook_name, hook.hook_class_name) == ("Bigdata.com", "bigdata_connectors.airflow.BigdataHook")
        declared = manager.providers["bigdata-connectors"].data["connection-types"][0]["ui-field-behaviour"]
        behaviour = {k.replace("-", "_"): v for k, v in declared.items()}
    assert behaviour["relabeling"] == {"password": "API key", "host": "Base URL (optional)"}
    assert "login" in behaviour["hidden_fields"]
    assert "extra" not in behaviour["hidden_fields"]  # where web_app_url goes
    assert "bigdata_connectors.airflow.links.BigdataConnectorLink" in manager.extra_links_class_names


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        (None, None, None),
        ("", None, None),
        ("api.bigdata.com", None, "https://api.bigdata.com"),
        ("https://api.bigdata.com/", None, "https://api.bigdata.com"),
        ("http://127.0.0.1", 8787, "http://127.0.0.1:8787"),
        ("proxy.bank.example", 8443, "https://proxy.bank.example:8443"),
        ("http://[::1]", 9000, "http://[::1]:9000"),
    ],
)
def test_base_url_from_host_and_port(host: str | None, port: int | None, expected: str | None) -> None:
    assert base_url_of(Connection(conn_id="c", conn_type="bigdata", host=host, port=port)) == expected


def test_port_given_twice_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="both"):
        base_url_of(Connection(conn_id="c", conn_type="bigdata", host="http://127.0.0.1:1", port=2))


def test_a_connection_without_password_says_where_the_key_goes() -> None:
    with pytest.raises(ConfigurationError, match="password field"):
        client_from_connection(Connection(conn_id="c", conn_type="bigdata", host="api.bigdata.com"))


def test_plain_http_to_a_remote_host_is_refused_without_showing_the_key() -> None:
    conn = Connection(conn_id="c", conn_type="bigdata", host="http://api.bigdata.com", password=API_KEY)
    with pytest.raises(ConfigurationError, match="unencrypted") as caught:
        client_from_connection(conn)
    assert API_KEY not in str(caught.value)


def test_unknown_connection_id() -> None:
    with pytest.raises(AirflowNotFoundException):
        BigdataHook("no_such_connection").get_conn()


async def test_hook_client_from_an_env_connection(
    emulator: Emulator, bigdata_connection: Callable[[str], None]
) -> None:
    bigdata_connection(emulator.base_url)
    async with await BigdataHook().aget_conn() as client:
        assert client.base_url == emulator.base_url
        assert await client.connectors.list() == []
    assert API_KEY not in repr(client)


async def test_hook_reads_the_uri_form_too(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # bigdata://:KEY@HOST with the scheme-bearing host URL-encoded, as Airflow's URI form requires.
    monkeypatch.setenv("AIRFLOW_CONN_BIGDATA_URI", f"bigdata://:{API_KEY}@{quote(emulator.base_url, safe='')}")
    async with BigdataHook("bigdata_uri", max_retries=0).get_conn() as client:
        assert client.base_url == emulator.base_url
        assert await client.connectors.list() == []


def test_test_connection_button(monkeypatch: pytest.MonkeyPatch) -> None:
    # The UI's "Test" runs synchronously; the emulator must live on another thread.
    from tests_airflow.conftest import ThreadedEmulator, connection_json

    served = ThreadedEmulator()
    try:
        monkeypatch.setenv(CONN_VAR, connection_json(served.emulator.base_url))
        assert BigdataHook().test_connection() == (True, "Connected: 0 connector(s) visible with this key")
        monkeypatch.setenv(CONN_VAR, connection_json(served.emulator.base_url, api_key="wrong"))
        ok, message = BigdataHook(max_retries=0).test_connection()
        assert not ok
        assert "401" in message or "API key" in message
    finally:
        served.close()


def _public_callables() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name in sorted(PUBLIC):
        cls = getattr(bigdata_connectors.airflow, name)
        for attr, value in vars(cls).items():  # its own constructor and methods (Airflow's bases are not ours)
            if callable(value) and (not attr.startswith("_") or attr == "__init__"):
                found.append((f"{name}.{attr}", value))
    return found


@pytest.mark.parametrize(("name", "obj"), _public_callables(), ids=[n for n, _ in _public_callables()])
def test_type_hints_resolve_on_every_public_callable(name: str, obj: Any) -> None:
    """``typing.get_type_hints`` works at run time (no name only imported for type checkers)."""
    assert isinstance(typing.get_type_hints(obj), dict), name


# ---------------------------------------------------------------- issue 21: TLS trust from the connection


@pytest.fixture
async def tls_emulator() -> AsyncIterator[Emulator]:
    async with Emulator(api_key=API_KEY, tls=True, seed=0) as emu:
        emu.preload(2)
        yield emu


def _tls_connection(monkeypatch: pytest.MonkeyPatch, base_url: str, **extra: object) -> None:
    conn: dict[str, object] = {"conn_type": "bigdata", "host": base_url, "password": API_KEY}
    if extra:
        conn["extra"] = json.dumps(extra)
    monkeypatch.setenv(CONN_VAR, json.dumps(conn))


async def test_the_ssl_extra_names_a_ca_bundle(tls_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private CA's bundle in the connection's ``ssl`` extra: the hook's client verifies the API against it, over
    real TLS; the same connection without it is refused (the CA is in no default store)."""
    monkeypatch.delenv("BIGDATA_SSL", raising=False)
    _tls_connection(monkeypatch, tls_emulator.base_url, ssl=str(tls_emulator.ca_path))
    async with await BigdataHook(max_retries=0).aget_conn() as client:
        assert len(await client.connectors.list()) == 2
    _tls_connection(monkeypatch, tls_emulator.base_url)
    async with await BigdataHook(max_retries=0).aget_conn() as client:
        with pytest.raises(TLSError):
            await client.connectors.list()


async def test_the_ssl_extra_system_trusts_the_os_store(
    tls_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``{"ssl": "system"}``: the operating system's trust store through truststore. On Linux that store is
    OpenSSL's, which ``SSL_CERT_FILE`` points at: holding the private CA, the API is trusted; holding another CA,
    refused."""
    pytest.importorskip(
        "truststore", reason="truststore is not installed: pip install 'bigdata-connectors[truststore]'"
    )
    if not sys.platform.startswith("linux"):
        pytest.skip(
            f"on {sys.platform} truststore reads the operating system's own store, which a test must not change"
        )
    monkeypatch.delenv("BIGDATA_SSL", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    _tls_connection(monkeypatch, tls_emulator.base_url, ssl="system")
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_emulator.ca_path))
    async with await BigdataHook(max_retries=0).aget_conn() as client:
        assert len(await client.connectors.list()) == 2
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    async with await BigdataHook(max_retries=0).aget_conn() as client:
        with pytest.raises(TLSError):
            await client.connectors.list()


def test_an_argument_wins_over_the_ssl_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _tls_connection(monkeypatch, "https://api.example.test", ssl="/no/such/bundle.pem")
    with pytest.raises(ConfigurationError, match="bundle"):
        BigdataHook().get_conn()
    context = ssl.create_default_context()
    client = BigdataHook(ssl=context).get_conn()
    assert client._config.ssl is context
    asyncio.run(client.aclose())


def test_an_ssl_extra_that_is_not_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _tls_connection(monkeypatch, "https://api.example.test", ssl=True)
    with pytest.raises(ConfigurationError, match=r'extra ssl must be "system" or a CA bundle'):
        BigdataHook().get_conn()


def test_a_host_with_a_password_is_refused_with_it_masked() -> None:
    password = "url-pw-CANARY-3b8e"
    conn = Connection(
        conn_id="c", conn_type="bigdata", host=f"https://analyst:{password}@api.example.test", password=API_KEY
    )
    with pytest.raises(ConfigurationError, match="credentials") as caught:
        client_from_connection(conn)
    assert password not in str(caught.value)
    assert password not in repr(caught.value)
    assert "analyst:***@api.example.test" in str(caught.value)
