"""Issue 21, item 10: ``ssl="system"`` (``BIGDATA_SSL=system``, ``--ssl system``) verifies against the operating
system's trust store through truststore, over real TLS.

Where a test can install a CA: a private CA (minted by the emulator with trustme) is written into a temporary
file that a child process uses as OpenSSL's store (``SSL_CERT_FILE``), which truststore honours on Linux. The
child trusts it through ``ssl="system"``, and fails with TLSError when its store holds another CA. Elsewhere (macOS
and Windows read their own stores, which a test must not change) the test is skipped, saying why.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
import trustme

from bigdata_connectors import BigdataClient, ConfigurationError
from bigdata_connectors.testing import Emulator
from tests.cli.conftest import cli_command, cli_env
from tests.conftest import API_KEY

_CHILD = """
import asyncio, sys
from bigdata_connectors import BigdataClient, TLSError

async def main() -> None:
    ssl = None if sys.argv[2] == "env" else "system"
    try:
        async with BigdataClient(sys.argv[1], base_url=sys.argv[3], ssl=ssl, max_retries=0) as client:
            trust = type(client._config.ssl)
            print(f"{trust.__module__}.{trust.__qualname__}", len(await client.connectors.list()))
    except TLSError as err:
        print("TLSError", err.request_sent)

asyncio.run(main())
"""


def _needs_a_store_the_test_can_set() -> None:
    pytest.importorskip(
        "truststore", reason="truststore is not installed: pip install 'bigdata-connectors[truststore]'"
    )
    if not sys.platform.startswith("linux"):
        pytest.skip(
            f"on {sys.platform} truststore reads the operating system's own store, which a test must not change; "
            "only on Linux is it OpenSSL's store, which SSL_CERT_FILE points at a test CA"
        )


@pytest_asyncio.fixture
async def tls_emulator() -> AsyncIterator[Emulator]:
    async with Emulator(api_key=API_KEY, tls=True, seed=0) as emu:
        emu.preload(2)
        yield emu


def _store(directory: Path, ca_pem: Path | None) -> dict[str, str]:
    """A trust store holding only ``ca_pem`` (another, unrelated CA when None), as OpenSSL's environment."""
    directory.mkdir()
    bundle = directory / "ca-bundle.pem"
    if ca_pem is None:
        trustme.CA().cert_pem.write_to_path(str(bundle))
    else:
        shutil.copy(ca_pem, bundle)
    return {"SSL_CERT_FILE": str(bundle), "SSL_CERT_DIR": str(directory)}


async def _child(args: list[str], env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert API_KEY not in (out + err).decode()
    return out.decode().strip() + err.decode().strip()


@pytest.mark.parametrize("how", ["argument", "env"])
async def test_system_trust_verifies_against_the_os_store(tls_emulator: Emulator, tmp_path: Path, how: str) -> None:
    _needs_a_store_the_test_can_set()
    env = cli_env(tls_emulator.base_url)
    if how == "env":
        env["BIGDATA_SSL"] = "system"
    trusted = {**env, **_store(tmp_path / "trusted", Path(tls_emulator.ca_path))}
    untrusted = {**env, **_store(tmp_path / "other", None)}
    args = [sys.executable, "-c", _CHILD, API_KEY, how, tls_emulator.base_url]
    assert await _child(args, trusted) == "truststore._api.SSLContext 2"
    assert await _child(args, untrusted) == "TLSError False"  # the same client, a store without that CA: refused


async def test_the_command_line_trusts_the_os_store_with_ssl_system(tls_emulator: Emulator, tmp_path: Path) -> None:
    _needs_a_store_the_test_can_set()
    env = {**cli_env(tls_emulator.base_url), **_store(tmp_path / "store", Path(tls_emulator.ca_path))}
    out = await _child([*cli_command(), "--ssl", "system", "list", "--json"], env)
    assert len(out.splitlines()) == 2, out
    env = {**cli_env(tls_emulator.base_url), **_store(tmp_path / "other", None), "BIGDATA_SSL": "system"}
    assert "certificate" in await _child([*cli_command(), "list"], env)


@pytest.mark.parametrize("how", ["argument", "env"])
def test_without_the_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    monkeypatch.setitem(sys.modules, "truststore", None)  # as if `pip install ...[truststore]` had not been run
    if how == "env":
        monkeypatch.setenv("BIGDATA_SSL", "system")
    with pytest.raises(ConfigurationError, match=r"pip install 'bigdata-connectors\[truststore\]'") as info:
        BigdataClient(API_KEY, base_url="https://api.example.test", ssl="system" if how == "argument" else None)
    assert ("BIGDATA_SSL" in str(info.value)) == (how == "env")
    assert info.value.__cause__ is None


async def test_a_borrowed_session_keeps_its_own_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIGDATA_SSL", "/no/such/bundle.pem")  # ignored: the session decides
    async with aiohttp.ClientSession() as session:
        client = BigdataClient(API_KEY, base_url="https://api.example.test", session=session)
        await client.aclose()
        with pytest.raises(ConfigurationError, match=r"set them on your aiohttp\.ClientSession"):
            BigdataClient(API_KEY, base_url="https://api.example.test", session=session, ssl="system")


def test_a_bad_bundle_in_bigdata_ssl_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIGDATA_SSL", "/no/such/bundle.pem")
    with pytest.raises(ConfigurationError, match="BIGDATA_SSL"):
        BigdataClient(API_KEY, base_url="https://api.example.test")


def test_a_borrowed_session_is_named_before_a_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """ssl= beside session= is the mistake to name, whether or not truststore is installed."""
    monkeypatch.setitem(sys.modules, "truststore", None)

    async def build() -> None:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(ConfigurationError, match=r"set them on your aiohttp\.ClientSession"):
                BigdataClient(API_KEY, base_url="https://api.example.test", session=session, ssl="system")

    asyncio.run(build())
