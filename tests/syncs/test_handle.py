"""start_sync / SyncHandle / tokens / resume_sync, and the sync edges of issue 9 (items 12, 14, 15, 16)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from aioresponses import aioresponses as AioResponses

from bigdata_connectors import (
    BigdataClient,
    Connector,
    ConnectorArchivedError,
    NotFoundError,
    SyncFailedError,
    SyncHandle,
    SyncProgress,
    SyncTimeoutError,
)
from bigdata_connectors._syncs.token import SyncToken, decode_token, encode_token
from bigdata_connectors.testing import Emulator, Fault
from tests.conftest import API_KEY, CID, CONNECTORS, FakeTime, connector_json, requests_to

ONE = f"{CONNECTORS}/{CID}"
SYNC = f"{ONE}/sync"
T0 = "2026-04-07T09:00:00Z"
T1 = "2026-04-07T10:00:00Z"
FAST: dict[str, Any] = {"poll_interval": 0.02, "max_poll_interval": 0.05}


def ir(**fields: Any) -> dict[str, Any]:
    return connector_json(**{"type": "investment_research", "config": {"user_id": "me@broker.com"}, **fields})


def accept(mock_api: AioResponses, **kwargs: Any) -> None:
    mock_api.post(SYNC, payload={"connector_id": CID, "status": "accepted"}, **kwargs)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(seed=3, sync_duration=0.4) as emulator:
        yield emulator


async def _broker(emu: Emulator) -> UUID:
    return emu.preload(1)[0]


def _in_fresh_loop(emu: Emulator, token: str, **wait: Any) -> Connector:
    """Resume ``token`` on a new client in a new event loop (another thread), as another process would."""

    async def resume() -> Connector:
        async with BigdataClient(emu.api_key, base_url=emu.base_url) as other:
            handle = other.connectors.resume_sync(token)
            connector: Connector = await handle.wait(**wait)
            return connector

    return asyncio.run(resume())


# ---------------------------------------------------------------- tokens


def test_token_round_trip_is_compact_and_secret_free() -> None:
    started = datetime(2026, 4, 7, 9, 0, 1, tzinfo=UTC)
    data = SyncToken(
        UUID(CID), datetime(2026, 4, 7, 8, 0, 0, 123456, tzinfo=UTC), started, started + timedelta(hours=1)
    )
    token = encode_token(data)
    assert token.startswith("bdsync2.")
    assert len(token) < 120
    assert re.fullmatch(r"[a-z0-9.-]+", token)  # digits, a-f, dots and dashes: readable anywhere
    assert decode_token(token) == data
    assert decode_token(encode_token(SyncToken(UUID(CID), None, started, None))).baseline is None
    other_zone = SyncToken(UUID(CID), None, started.astimezone(timezone(timedelta(hours=5))), None)
    assert decode_token(encode_token(other_zone)).started_at == started


def test_a_token_does_not_look_like_a_jwt_to_a_log_masker() -> None:
    """Airflow's log masker replaces anything starting ``eyJ`` (base64 of ``{"``), so a task log that tells how to
    resume a sync must hold a token without it; version 1 began with it, version 2 cannot contain it."""
    started = datetime(2026, 4, 7, 9, 0, 1, tzinfo=UTC)
    for baseline in (None, started - timedelta(days=400)):
        token = encode_token(SyncToken(UUID(CID), baseline, started, started + timedelta(hours=1)))
        assert "eyJ" not in token
        assert re.sub(r"eyJ[.A-Za-z0-9_-]*", "eyJ***", token) == token


def test_a_version_1_token_still_resumes() -> None:
    """Tokens written by the previous release (stored in an Airflow task's state, a scheduler's database) still read."""
    payload = {"c": UUID(CID).hex, "b": 1775548800123456, "s": 1775552401000000, "d": None}
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=").decode()
    signed = f"bdsync1.{body}"
    token = f"{signed}.{hashlib.sha256(signed.encode()).hexdigest()[:12]}"
    read = decode_token(token)
    assert read.connector_id == UUID(CID)
    assert read.started_at == datetime(2026, 4, 7, 9, 0, 1, tzinfo=UTC)
    assert read.baseline == datetime(2026, 4, 7, 8, 0, 0, 123456, tzinfo=UTC)
    assert read.deadline is None
    tampered = token.replace(body, body[:-2] + ("AA" if body[-2:] != "AA" else "BB"))
    with pytest.raises(ValueError, match="altered"):
        decode_token(tampered)


async def test_handle_token_carries_no_key_or_url(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(ONE, payload=ir(last_sync_at=T0))
    accept(mock_api)
    handle = await client.connectors.start_sync(CID, date_limit="2026-01-01", timeout=60)
    token = handle.token()
    assert API_KEY not in token
    assert "example" not in token
    assert "http" not in token
    assert token.split(".")[1] == UUID(CID).hex  # the connector, then times and a check: nothing else
    assert len(token.split(".")) == 6
    resumed = client.connectors.resume_sync(token)
    assert (resumed.connector_id, resumed.baseline, resumed.started_at) == (
        handle.connector_id,
        handle.baseline,
        handle.started_at,
    )
    assert resumed.deadline is not None
    assert handle.deadline is not None
    assert abs((resumed.deadline - handle.deadline).total_seconds()) < 1e-5


def _tamper(token: str) -> str:
    parts = token.split(".")
    parts[2] = str(int(parts[2]) + 1_000_000)  # move the baseline one second: waiting would then mis-judge the sync
    return ".".join(parts)


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (_tamper, "altered"),
        (lambda t: t[:-3], "altered"),
        (lambda t: t[:20], "altered"),
        (lambda t: t.replace("bdsync2.", "bdsync3.", 1), "newer than this SDK"),
        (lambda t: t.replace("bdsync2.", "bdsync0.", 1), "altered"),
        (lambda t: t.replace("bdsync2.", "bdsync1.", 1), "altered"),
        (lambda t: "hello", "not a sync token"),
        (lambda t: "", "not a sync token"),
    ],
)
def test_bad_tokens_are_refused_clearly(mangle: Any, message: str) -> None:
    started = datetime(2026, 4, 7, 9, 0, 1, tzinfo=UTC)
    token = encode_token(SyncToken(UUID(CID), started - timedelta(hours=1), started, None))
    with pytest.raises(ValueError, match=message):
        decode_token(mangle(token))


def test_non_str_token_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        decode_token(b"bdsync1.x.y")  # type: ignore[arg-type]


# ---------------------------------------------------------------- start_sync, poll, wait (mocked)


async def test_started_at_is_the_servers_date_header(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(ONE, payload=ir(last_sync_at=T0))
    accept(mock_api, headers={"Date": "Tue, 07 Apr 2026 09:30:05 GMT"})
    handle = await client.connectors.start_sync(CID, date_limit=date(2026, 1, 1))
    assert isinstance(handle, SyncHandle)
    assert handle.connector_id == UUID(CID)
    assert handle.baseline == datetime(2026, 4, 7, 9, 0, tzinfo=UTC)
    assert handle.started_at == datetime(2026, 4, 7, 9, 30, 5, tzinfo=UTC)
    assert handle.deadline is None
    assert len(requests_to(mock_api, "POST", SYNC)) == 1


async def test_started_at_is_refined_within_the_servers_second(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(ONE, payload=ir(last_sync_at=T0))
    now = datetime.now(UTC)
    header = now.strftime("%a, %d %b %Y %H:%M:%S GMT")
    accept(mock_api, headers={"Date": header})
    handle = await client.connectors.start_sync(CID, date_limit="2026-01-01")
    second = now.replace(microsecond=0)
    # the local send time when it lies in the server's second (the clocks agree); the server's second otherwise
    assert second <= handle.started_at < second + timedelta(seconds=1)


async def test_started_at_falls_back_to_the_local_clock(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(ONE, payload=ir(last_sync_at=None))
    accept(mock_api, headers={"Date": "not a date"})
    before = datetime.now(UTC)
    handle = await client.connectors.start_sync(CID, date_limit="2026-01-01")
    assert handle.baseline is None
    assert before <= handle.started_at <= datetime.now(UTC)
    assert handle.started_at.tzinfo is not None


async def test_poll_classifies_one_read_without_sleeping(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    mock_api.get(ONE, payload=ir(last_sync_at=T0, last_sync_status="SUCCESS"))
    accept(mock_api)
    handle = await client.connectors.start_sync(CID, date_limit="2026-01-01")
    mock_api.get(ONE, payload=ir(last_sync_at=T0, last_sync_status="SUCCESS"))  # the previous sync's
    mock_api.get(ONE, payload=ir(last_sync_at=T1, last_sync_status="RUNNING"))
    mock_api.get(ONE, payload=ir(last_sync_at=T1, last_sync_status="FAILED", last_sync_error_msg="x"))
    mock_api.get(ONE, payload=ir(last_sync_at=T1, last_sync_status="SUCCESS"))
    states = [await handle.poll() for _ in range(3)]
    assert [s.state for s in states] == ["running", "running", "failed"]
    assert all(isinstance(s, SyncProgress) for s in states)
    assert [s.polls for s in states] == [1, 2, 3]
    assert (await handle.poll()).state == "succeeded"
    assert fake_time.sleeps == []


async def test_sync_and_wait_is_start_sync_plus_wait_under_one_deadline(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    mock_api.get(ONE, payload=ir(last_sync_at=T0))
    accept(mock_api)
    for _ in range(40):
        mock_api.get(ONE, payload=ir(last_sync_at=T0, last_sync_status="RUNNING"))
    with pytest.raises(SyncTimeoutError) as caught:
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", timeout=20)
    assert caught.value.connector is not None
    assert sum(fake_time.sleeps) <= 20 + 1e-9


# ---------------------------------------------------------------- issue 9 item 12: date_limit


@pytest.mark.parametrize("bad", ["20260101", "2026-W01-1", "2026-1-1", "2026-02-30", "garbage", " 2026-01-01", ""])
async def test_bad_date_limit_is_refused_before_anything_is_sent(
    client: BigdataClient, mock_api: AioResponses, bad: str
) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        await client.connectors.sync_and_wait(CID, date_limit=bad)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        await client.connectors.start_sync(CID, date_limit=bad)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        await client.connectors.trigger_sync(CID, date_limit=bad)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        await client.connectors.sync_many([CID], date_limit=bad)
    assert not mock_api.requests


async def test_date_limit_types(client: BigdataClient, mock_api: AioResponses) -> None:
    with pytest.raises(TypeError):
        await client.connectors.start_sync(CID, date_limit=20260101)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone-aware"):
        await client.connectors.start_sync(CID, date_limit=datetime(2026, 1, 1, 23, 0))
    assert not mock_api.requests
    # an aware datetime stands for its UTC date: 23:30 at UTC-2 is the next day in UTC
    mock_api.get(ONE, payload=ir(last_sync_at=T0))
    accept(mock_api)
    late = datetime(2026, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    await client.connectors.start_sync(CID, date_limit=late)
    assert json.loads(requests_to(mock_api, "POST", SYNC)[0].kwargs["data"]) == {"date_limit": "2026-01-02"}


# ---------------------------------------------------------------- issue 9 item 15: one deadline, one error


async def test_deadline_spent_on_the_trigger_is_a_sync_timeout(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    mock_api.get(ONE, payload=ir(last_sync_at=T0))
    mock_api.post(SYNC, status=503, headers={"Retry-After": "30"}, payload={"message": "busy"})
    with pytest.raises(SyncTimeoutError, match="triggering"):
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", timeout=10)


async def test_deadline_spent_on_the_first_read_is_a_sync_timeout(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    mock_api.get(ONE, status=503, headers={"Retry-After": "30"}, payload={"message": "busy"})
    with pytest.raises(SyncTimeoutError, match="nothing was triggered"):
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", timeout=10)
    assert not requests_to(mock_api, "POST", SYNC)


async def test_tiny_timeout_is_a_sync_timeout(emu: Emulator) -> None:
    cid = await _broker(emu)
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        with pytest.raises(SyncTimeoutError):
            await api.connectors.sync_and_wait(cid, date_limit="2026-01-01", timeout=1e-9)


async def test_slow_trigger_is_a_sync_timeout(emu: Emulator) -> None:
    cid = await _broker(emu)
    emu.script("sync", [Fault("stall", stall=1.0)])
    async with BigdataClient(emu.api_key, base_url=emu.base_url, max_retries=0) as api:
        with pytest.raises(SyncTimeoutError, match="triggering"):
            await api.connectors.sync_and_wait(cid, date_limit="2026-01-01", timeout=0.3)


# ---------------------------------------------------------------- issue 9 item 16: archived or deleted mid-wait


async def test_archived_mid_wait_ends_at_once(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    mock_api.get(ONE, payload=ir(last_sync_at=T0))
    accept(mock_api)
    mock_api.get(ONE, payload=ir(last_sync_at=T1, last_sync_status="RUNNING"))
    mock_api.get(ONE, payload=ir(last_sync_at=T1, last_sync_status="RUNNING", archived=True))
    with pytest.raises(ConnectorArchivedError, match="archived") as caught:
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01")
    assert caught.value.connector.archived
    assert len(fake_time.sleeps) == 1


async def test_sync_finished_before_archiving_still_counts(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    mock_api.get(ONE, payload=ir(last_sync_at=T0))
    accept(mock_api)
    mock_api.get(ONE, payload=ir(last_sync_at=T1, last_sync_status="SUCCESS", archived=True))
    done = await client.connectors.sync_and_wait(CID, date_limit="2026-01-01")
    assert done.archived


async def test_archived_connector_is_not_triggered(client: BigdataClient, mock_api: AioResponses) -> None:
    mock_api.get(ONE, payload=ir(last_sync_at=T0, archived=True))
    with pytest.raises(ConnectorArchivedError, match="nothing was triggered"):
        await client.connectors.start_sync(CID, date_limit="2026-01-01")
    assert not requests_to(mock_api, "POST", SYNC)


async def test_archived_and_deleted_mid_wait_on_the_emulator(emu: Emulator) -> None:
    archived, deleted = emu.preload(2)
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        first = await api.connectors.start_sync(archived, date_limit="2026-01-01", timeout=30)
        second = await api.connectors.start_sync(deleted, date_limit="2026-01-01", timeout=30)
        await api.connectors.delete(archived)
        with pytest.raises(ConnectorArchivedError):
            await first.wait(**FAST)
        await api.connectors.delete(deleted, force=True)
        await asyncio.sleep(emu.force_delete_delay + 0.05)
        with pytest.raises(NotFoundError, match="deleted while its sync was awaited"):
            await second.wait(**FAST)


# ---------------------------------------------------------------- issue 9 item 14: sync_many's ids


@pytest.mark.parametrize("single", [CID, UUID(CID)])
async def test_sync_many_refuses_a_single_id(client: BigdataClient, mock_api: AioResponses, single: Any) -> None:
    with pytest.raises(TypeError, match="not a single"):
        await client.connectors.sync_many(single)
    assert not mock_api.requests


async def test_sync_many_syncs_each_connector_once(emu: Emulator) -> None:
    a, b = emu.preload(2)
    ids: list[str | UUID] = [a, str(b), str(a).upper(), b, "not-a-uuid", str(a)] * 50
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        outcomes = await api.connectors.sync_many(ids, date_limit="2026-01-01", **FAST)
    assert emu.requests["sync"] == 2
    assert len(outcomes) == len(ids)
    assert [o.connector_id for o in outcomes] == [str(i) for i in ids]
    for given, outcome in zip(ids, outcomes, strict=True):
        if given == "not-a-uuid":
            assert isinstance(outcome.error, ValueError)
        else:
            assert outcome.ok
            assert outcome.connector is not None
            assert outcome.connector.connector_id == UUID(str(given))


# ---------------------------------------------------------------- hand-over across clients and event loops


async def test_resume_mid_sync_on_a_fresh_client_and_loop(emu: Emulator) -> None:
    cid = await _broker(emu)
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        handle = await api.connectors.start_sync(cid, date_limit="2026-01-01", timeout=30)
        assert (await handle.poll()).state == "running"
        token = handle.token()
    done = await asyncio.to_thread(_in_fresh_loop, emu, token, **FAST)
    assert done.last_sync_status == "SUCCESS"
    assert done.last_sync_at is not None
    assert handle.baseline is None


async def test_resume_after_the_sync_finished(emu: Emulator) -> None:
    cid = await _broker(emu)
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        await api.connectors.sync_and_wait(cid, date_limit="2026-01-01", **FAST)  # an earlier sync: a baseline
        handle = await api.connectors.start_sync(cid, date_limit="2026-01-01")
        assert handle.baseline is not None
        token = handle.token()
        await handle.wait(**FAST)
    gets = emu.requests["get"]
    done = await asyncio.to_thread(_in_fresh_loop, emu, token, timeout=5, **FAST)
    assert done.last_sync_at is not None
    assert done.last_sync_at > handle.baseline
    assert emu.requests["get"] == gets + 1  # recognised on the first poll: no recomputed baseline


async def test_resume_in_another_process(emu: Emulator) -> None:
    cid = await _broker(emu)
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        token = (await api.connectors.start_sync(cid, date_limit="2026-01-01", timeout=30)).token()
    script = (
        "import asyncio, sys\n"
        "from bigdata_connectors import BigdataClient\n"
        "async def main():\n"
        "    async with BigdataClient(sys.argv[1], base_url=sys.argv[2]) as c:\n"
        "        done = await c.connectors.resume_sync(sys.argv[3]).wait(poll_interval=0.02, max_poll_interval=0.05)\n"
        "        print(done.last_sync_status, done.connector_id)\n"
        "asyncio.run(main())\n"
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, emu.api_key, emu.base_url, token, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == 0
    assert out.decode().split() == ["SUCCESS", str(cid)]


async def test_a_sync_that_failed_before_the_resume_is_reported_failed(emu: Emulator) -> None:
    cid = await _broker(emu)
    emu.fail_next_syncs(status="FAILED", message="broker login rejected")
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        handle = await api.connectors.start_sync(cid, date_limit="2026-01-01", timeout=30)
        with pytest.raises(SyncFailedError):
            await handle.wait(**FAST)
        token = handle.token()
    with pytest.raises(SyncFailedError, match="broker login rejected"):
        await asyncio.to_thread(_in_fresh_loop, emu, token, **FAST)


async def test_resume_after_the_deadline_is_a_sync_timeout_at_once(emu: Emulator) -> None:
    cid = await _broker(emu)
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as api:
        handle = await api.connectors.start_sync(cid, date_limit="2026-01-01", timeout=60)
    expired = SyncToken(
        handle.connector_id, handle.baseline, handle.started_at, datetime.now(UTC) - timedelta(seconds=1)
    )
    gets = emu.requests["get"]
    with pytest.raises(SyncTimeoutError, match="has passed"):
        await asyncio.to_thread(_in_fresh_loop, emu, encode_token(expired), **FAST)
    assert emu.requests["get"] == gets


async def test_wait_timeout_never_extends_the_deadline(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    started = datetime.now(UTC)
    token = encode_token(SyncToken(UUID(CID), None, started, started + timedelta(seconds=10)))
    for _ in range(40):
        mock_api.get(ONE, payload=ir(last_sync_at=None))
    with pytest.raises(SyncTimeoutError):
        await client.connectors.resume_sync(token).wait(timeout=600)
    assert sum(fake_time.sleeps) <= 10.5


# ---------------------------------------------------------------- attach_sync: a sync started elsewhere


async def test_attach_sync_waits_for_a_sync_someone_else_started(emu: Emulator) -> None:
    cid = await _broker(emu)
    async with BigdataClient(emu.api_key, base_url=emu.base_url) as client:
        before = await client.connectors.get(cid)
        handle = client.connectors.attach_sync(cid, after=before.last_sync_at, deadline=None)
        assert handle.started_at == (before.last_sync_at or handle.started_at)
        assert (await handle.poll()).state == "running"  # nothing has run since the baseline
        await client.connectors.trigger_sync(cid, date_limit="2026-01-01")  # "the web app" starts it
        done = await handle.wait(timeout=30, **FAST)
        assert done.last_sync_at is not None
        assert before.last_sync_at is None or done.last_sync_at > before.last_sync_at
        # A handle from attach_sync hands over like any other.
        resumed = client.connectors.resume_sync(handle.token())
        assert (resumed.connector_id, resumed.baseline) == (cid, before.last_sync_at)


async def test_attach_sync_checks_its_arguments_and_sends_nothing(client: BigdataClient) -> None:
    with pytest.raises(ValueError, match="connector_id"):
        client.connectors.attach_sync("not-a-uuid")
    with pytest.raises(ValueError, match="after must be a timezone-aware datetime"):
        client.connectors.attach_sync(CID, after=datetime(2026, 1, 1))
    deadline = datetime.now(UTC) - timedelta(seconds=1)
    handle = client.connectors.attach_sync(CID, deadline=deadline)
    assert handle.baseline is None
    with pytest.raises(SyncTimeoutError):
        await handle.wait()  # past its deadline: at once, nothing sent (no mock would answer)


def test_a_token_reads_without_a_client() -> None:
    """``SyncToken.parse``: what a token says (which connector, since when, until when) without a client, e.g. for
    a report when no client could be built."""
    from bigdata_connectors import SyncToken

    started = datetime(2026, 4, 7, 9, 0, 1, tzinfo=UTC)
    token = encode_token(SyncToken(UUID(CID), None, started, started + timedelta(hours=1)))
    read = SyncToken.parse(token)
    assert (read.connector_id, read.baseline, read.started_at) == (UUID(CID), None, started)
    assert str(read) == token
    with pytest.raises(ValueError, match="altered"):
        SyncToken.parse(token[:-1] + ("0" if token[-1] != "0" else "1"))
