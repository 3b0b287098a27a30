"""The client end to end against the emulator, over real loopback HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from bigdata_connectors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BigdataClient,
    ConflictError,
    Connector,
    InternalServerError,
    InvestmentResearchConnectorResponseConfig,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    SharepointConnectorResponseConfig,
    SyncFailedError,
    SyncNotSupportedError,
    SyncTimeoutError,
    UnprocessableEntityError,
)
from bigdata_connectors.testing import Emulator, Fault, FaultKind
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
FAST: dict[str, Any] = {"poll_interval": 0.02, "max_poll_interval": 0.05}


async def _no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(seed=7, sync_duration=0.1, force_delete_delay=0.05) as emulator:
        yield emulator


@pytest.fixture
async def api(emu: Emulator) -> AsyncIterator[BigdataClient]:
    # Retry sleeps skipped (the emulator's faults are instant); polling keeps real, tiny intervals.
    async with BigdataClient(emu.api_key, base_url=emu.base_url, timeout=2.0, sleep=_no_wait) as client:
        yield client


async def _broker(api: BigdataClient, label: str = "broker") -> Connector:
    return await api.connectors.create(
        type="investment_research", label=label, config={"user_id": "me@broker.com", "user_password": PASSWORD}
    )


async def test_every_operation(api: BigdataClient, emu: Emulator) -> None:
    inbox = await api.connectors.create(
        type="email", label="inbox", config={"allowed_emails": ["a@b.c"]}, description="d", share_with_org=True
    )
    assert inbox.config is not None
    assert getattr(inbox.config, "email", "").endswith("@bigdata.com")
    broker = await _broker(api)
    assert isinstance(broker.config, InvestmentResearchConnectorResponseConfig)
    assert broker.config.model_dump() == {"user_id": "me@broker.com"}
    sp = await api.connectors.create(type="sharepoint", label="sp", config={"session_id": "s-1"})
    assert isinstance(sp.config, SharepointConnectorResponseConfig)
    assert sp.config.model_dump() == {}

    assert {c.label for c in await api.connectors.list()} == {"inbox", "broker", "sp"}
    assert (await api.connectors.get(str(inbox.connector_id))).label == "inbox"

    renamed = await api.connectors.update(inbox.connector_id, label="renamed")
    assert (renamed.label, renamed.description, renamed.share_with_org) == ("renamed", "d", True)
    assert getattr(renamed.config, "allowed_emails", None) == ["a@b.c"]
    emails = await api.connectors.update(inbox.connector_id, config={"allowed_emails": ["z@b.c"]})
    assert getattr(emails.config, "allowed_emails", None) == ["z@b.c"]
    assert emails.label == "renamed"

    ack = await api.connectors.trigger_sync(broker.connector_id, date_limit="2026-01-01")
    assert (ack.status, str(ack.date_limit)) == ("accepted", "2026-01-01")

    archived = await api.connectors.delete(inbox.connector_id)
    assert archived is not None
    assert archived.archived
    assert (await api.connectors.delete(inbox.connector_id)) is not None  # idempotent
    assert await api.connectors.delete(sp.connector_id, force=True) is None
    await asyncio.sleep(0.1)
    with pytest.raises(NotFoundError):
        await api.connectors.get(sp.connector_id)
    assert emu.created == 3


async def test_update_really_keeps_fields_against_a_resetting_put(api: BigdataClient, emu: Emulator) -> None:
    inbox = await api.connectors.create(
        type="email", label="x", config={"allowed_emails": ["a@b.c"]}, description="keep", share_with_org=True
    )
    updated = await api.connectors.update(inbox.connector_id, share_with_org=True, label="y")
    assert (updated.description, updated.share_with_org, getattr(updated.config, "allowed_emails", None)) == (
        "keep",
        True,
        ["a@b.c"],
    )


async def test_error_classes(api: BigdataClient, emu: Emulator) -> None:
    broker = await _broker(api)
    with pytest.raises(BadRequestError, match="date_limit"):
        await api.connectors.trigger_sync(broker.connector_id)
    with pytest.raises(NotFoundError) as nf:
        await api.connectors.get(uuid4())
    assert nf.value.request_id is not None
    assert nf.value.request_id.startswith("emu-")
    async with BigdataClient("wrong-key", base_url=emu.base_url) as bad:
        with pytest.raises(AuthenticationError):
            await bad.connectors.list()
    async with BigdataClient(emu.api_key, base_url=emu.base_url + "/v2") as lost:
        with pytest.raises(PermissionDeniedError, match="no such route"):
            await lost.connectors.list()
    emu.script("get", ["409"])
    with pytest.raises(ConflictError):
        await api.connectors.get(broker.connector_id)
    emu.script("get", ["422"])
    with pytest.raises(UnprocessableEntityError):
        await api.connectors.get(broker.connector_id)
    emu.script("list", [Fault("429", retry_after=600)])
    with pytest.raises(RateLimitError) as rl:
        await api.connectors.list()
    assert rl.value.retry_after == 600
    emu.script("list", ["503"] * 4)
    with pytest.raises(InternalServerError):
        await api.connectors.list()
    emu.script("list", ["drop"] * 8)  # aiohttp itself re-sends a GET once on a reused connection that drops
    with pytest.raises(APIConnectionError):
        await api.connectors.list()
    emu.clear_faults()
    emu.script("list", ["html"])
    with pytest.raises(PermissionDeniedError, match="HTML"):
        await api.connectors.list()
    emu.script("list", ["not_json"])
    with pytest.raises(ResponseValidationError):
        await api.connectors.list()
    async with BigdataClient(emu.api_key, base_url=emu.base_url, timeout=0.2, max_retries=0) as impatient:
        emu.script("get", [Fault("stall", stall=5)])
        with pytest.raises(APITimeoutError):
            await impatient.connectors.get(broker.connector_id)


async def test_transient_faults_are_ridden_out(api: BigdataClient, emu: Emulator) -> None:
    broker = await _broker(api)
    emu.script("get", ["429", "500", "drop"])
    assert (await api.connectors.get(broker.connector_id)).label == "broker"
    assert emu.requests["get"] == 4
    emu.script("update", ["502", "504"])
    assert (await api.connectors.update(broker.connector_id, label="new")).label == "new"
    emu.script("sync", ["503"])
    await api.connectors.trigger_sync(broker.connector_id, date_limit="2026-01-01")
    assert emu.requests["sync"] == 2


@pytest.mark.parametrize("fault", ["500", "502", "503", "504", "drop"])
async def test_create_never_duplicates(api: BigdataClient, emu: Emulator, fault: FaultKind) -> None:
    emu.script("create", [Fault("429"), Fault(fault)])
    with pytest.raises((InternalServerError, APIConnectionError)):
        await api.connectors.create(type="email", label="once", config=None)
    # 429 was retried (nothing created); the fault after processing was not: exactly one connector.
    assert emu.requests["create"] == 2
    assert emu.created == 1
    assert [c.label for c in await api.connectors.list()] == ["once"]


async def test_create_after_timeout_is_not_retried(emu: Emulator) -> None:
    async with BigdataClient(emu.api_key, base_url=emu.base_url, timeout=0.2, sleep=_no_wait) as api:
        emu.script("create", [Fault("stall", stall=5)])
        with pytest.raises(APITimeoutError):
            await api.connectors.create(type="email", label="slow", config=None)
    assert emu.requests["create"] == 1
    assert emu.created == 1


async def test_sync_and_wait_success(api: BigdataClient, emu: Emulator) -> None:
    broker = await _broker(api)
    statuses: list[str | None] = []
    done = await api.connectors.sync_and_wait(
        broker.connector_id, date_limit="2026-01-01", on_progress=lambda p: statuses.append(p.status), **FAST
    )
    assert done.last_sync_status == "SUCCESS"
    assert done.last_sync_count is not None
    assert done.last_sync_count > 0
    assert statuses[0] == "PENDING"
    assert statuses[-1] == "SUCCESS"
    assert emu.requests["sync"] == 1
    again = await api.connectors.sync_and_wait(broker.connector_id, date_limit="2026-01-01", **FAST)
    assert again.last_sync_at is not None
    assert done.last_sync_at is not None
    assert again.last_sync_at > done.last_sync_at


async def test_sync_and_wait_failure(api: BigdataClient, emu: Emulator) -> None:
    broker = await _broker(api)
    emu.fail_next_syncs(status="FAILED", message="broker login rejected")
    with pytest.raises(SyncFailedError) as info:
        await api.connectors.sync_and_wait(broker.connector_id, date_limit="2026-01-01", **FAST)
    assert (info.value.status, info.value.error_message) == ("FAILED", "broker login rejected")


async def test_sync_and_wait_timeout(emu: Emulator) -> None:
    emu.sync_duration = 30
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        broker = await _broker(api)
        with pytest.raises(SyncTimeoutError) as info:
            await api.connectors.sync_and_wait(broker.connector_id, date_limit="2026-01-01", timeout=0.3, **FAST)
    assert info.value.connector is not None
    assert info.value.connector.last_sync_status in ("PENDING", "RUNNING")


async def test_email_and_sharepoint_sync_rules(api: BigdataClient, emu: Emulator) -> None:
    inbox = await api.connectors.create(type="email", label="inbox", config=None)
    with pytest.raises(SyncNotSupportedError):
        await api.connectors.sync_and_wait(inbox.connector_id)
    assert emu.requests["sync"] == 0
    sp = await api.connectors.create(type="sharepoint", label="sp", config={"session_id": "s"})
    done = await api.connectors.sync_and_wait(sp.connector_id, **FAST)
    assert done.last_sync_status == "SUCCESS"


async def test_sync_many_against_the_emulator(api: BigdataClient, emu: Emulator) -> None:
    brokers = [await _broker(api, f"b{i}") for i in range(5)]
    inbox = await api.connectors.create(type="email", label="inbox", config=None)
    ids = [b.connector_id for b in brokers[:2]] + [inbox.connector_id] + [b.connector_id for b in brokers[2:]]
    outcomes = await api.connectors.sync_many(ids, date_limit="2026-01-01", concurrency=2, **FAST)
    assert [o.connector_id for o in outcomes] == [str(i) for i in ids]
    assert [o.ok for o in outcomes] == [True, True, False, True, True, True]
    assert isinstance(outcomes[2].error, SyncNotSupportedError)


async def test_pytest_plugin_fixtures(bigdata_client: BigdataClient, bigdata_emulator: Emulator) -> None:
    created = await bigdata_client.connectors.create(type="email", label="from the fixture", config=None)
    assert [c.connector_id for c in await bigdata_client.connectors.list()] == [created.connector_id]
    assert bigdata_emulator.created == 1


def test_emulator_refuses_non_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Emulator(host="0.0.0.0")


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_examples_run_against_the_emulator(example: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BIGDATA_API_KEY", "BIGDATA_BASE_URL")}
    env["PYTHONWARNINGS"] = "error"
    result = subprocess.run([sys.executable, str(example)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "emulator" in result.stdout
    assert "Done." in result.stdout
    assert result.stderr == ""
    assert "demo-password" not in result.stdout


async def test_emulator_400_names_the_offending_field(emu: Emulator) -> None:
    import aiohttp

    async with aiohttp.ClientSession(headers={"X-API-KEY": emu.api_key}) as raw:
        for body, field in [
            ({"type": "email", "label": 5, "config": None}, "label"),
            ({"type": "investment_research", "label": "x", "config": {"user_id": "u"}}, "user_password"),
            ({"type": "email", "label": "x", "config": None, "colour": "red"}, "colour"),
        ]:
            async with raw.post(f"{emu.base_url}/contents/v1/connectors", json=body) as resp:
                answer = await resp.json()
            assert resp.status == 400
            assert field in answer["message"]
            assert set(answer) == {"statusCode", "message", "errorCode", "requestId"}
        async with raw.get(f"{emu.base_url}/contents/v1/connectors/not-a-uuid") as resp:
            assert resp.status == 400
    assert emu.created == 0


@contextlib.contextmanager
def _emulator_command(*options: str) -> Iterator[str]:
    """``python -m bigdata_connectors.testing`` on a free loopback port with ``options``; yields its base URL once
    it has printed it, and stops it after."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [sys.executable, "-m", "bigdata_connectors.testing", "--port", str(port), *options]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        base_url = f"http://127.0.0.1:{port}"
        assert proc.stdout.readline().strip() == f"Bigdata connectors emulator on {base_url}"
        yield base_url
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_emulator_command_serves_on_loopback() -> None:
    with _emulator_command("--api-key", "cli-key", "--preload", "2", "--list-lag", "60") as base_url:

        async def use() -> int:
            async with BigdataClient("cli-key", base_url=base_url) as api:
                made = await api.connectors.create(type="email", label="new", config=None)
                assert (await api.connectors.get(made.connector_id)).label == "new"  # get is not lagging
                return len(await api.connectors.list())  # the list is, for 60 s

        assert asyncio.run(use()) == 2
    bad = subprocess.run(
        [sys.executable, "-m", "bigdata_connectors.testing", "--host", "0.0.0.0"], capture_output=True, text=True
    )
    assert bad.returncode == 2


def test_quickstart_cleans_up_when_interrupted() -> None:
    import signal

    env = {k: v for k, v in os.environ.items() if k not in ("BIGDATA_API_KEY", "BIGDATA_BASE_URL")}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:  # interrupt once the sync is being waited for
        seen.append(line)
        if "sync: " in line:
            proc.send_signal(signal.SIGINT)
            break
    rest, _ = proc.communicate(timeout=30)
    output = "".join(seen) + rest
    assert proc.returncode == 130, output
    assert "Cleaned up 2 connector(s)." in output
    assert "Done." not in output


async def test_email_update_sends_back_its_hash_and_the_emulator_checks_it(api: BigdataClient, emu: Emulator) -> None:
    inbox = await api.connectors.create(type="email", label="inbox", config={"allowed_emails": ["a@b.c"]})
    updated = await api.connectors.update(inbox.connector_id, config={"allowed_emails": ["z@b.c"]})
    assert getattr(updated.config, "allowed_emails", None) == ["z@b.c"]
    with pytest.raises(BadRequestError, match="email_hash"):
        await api.connectors.update(
            inbox.connector_id, config={"allowed_emails": ["z@b.c"], "email_hash": "not-this-inbox"}
        )


def test_emulator_command_enforces_its_rate_limit() -> None:
    """``--rate-limit N``: N requests per key a minute are answered, the next gets 429 with Retry-After."""
    import urllib.error
    import urllib.request

    with _emulator_command("--api-key", "k", "--rate-limit", "3") as base_url:
        request = urllib.request.Request(f"{base_url}/contents/v1/connectors", headers={"X-API-KEY": "k"})
        for _ in range(3):
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert answer.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 429
        assert 0 < float(refused.value.headers["Retry-After"]) <= 60
        refused.value.close()
