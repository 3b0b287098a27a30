"""``BigdataSyncTrigger`` driven as Airflow's own provider tests drive theirs (iterating ``run()``),
against the emulator over loopback, with the connection from ``AIRFLOW_CONN_BIGDATA_DEFAULT``."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from airflow.triggers.base import TriggerEvent

from bigdata_connectors import BigdataClient, SyncToken
from bigdata_connectors.airflow import BigdataSyncTrigger, _clients
from bigdata_connectors.testing import Emulator
from tests_airflow.conftest import API_KEY

DATE = "2026-01-02"


def iso_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


async def events_of(trigger: BigdataSyncTrigger) -> list[TriggerEvent]:
    """Everything ``run()`` yields, as the triggerer would consume it."""
    return [event async for event in trigger.run()]


async def only_event(trigger: BigdataSyncTrigger) -> dict[str, Any]:
    events = await events_of(trigger)
    assert len(events) == 1, events
    payload = events[0].payload
    assert isinstance(payload, dict)
    assert API_KEY not in json.dumps(payload)
    return payload


def rebuilt(trigger: BigdataSyncTrigger) -> BigdataSyncTrigger:
    """The trigger as the triggerer recreates it: class path imported, kwargs through JSON."""
    classpath, kwargs = trigger.serialize()
    module, _, name = classpath.rpartition(".")
    cls = getattr(__import__(module, fromlist=[name]), name)
    assert cls is BigdataSyncTrigger
    # The same kwargs into the same class the test used (a RecordingTrigger stays one, to count clients).
    clone = type(trigger)(**json.loads(json.dumps(kwargs)))
    assert clone.serialize() == (classpath, kwargs)
    return clone


RecordingTrigger = BigdataSyncTrigger


@pytest.fixture
def made_clients(monkeypatch: pytest.MonkeyPatch) -> list[BigdataClient]:
    """Every client the triggers' shared-client registry builds, to check each is closed however ``run()`` ends."""
    made: list[BigdataClient] = []
    build = _clients.client_from_connection

    def recording(conn: Any, **kwargs: Any) -> BigdataClient:
        client = build(conn, **kwargs)
        made.append(client)
        return client

    monkeypatch.setattr(_clients, "client_from_connection", recording)
    return made


@pytest.fixture
async def client(emulator: Emulator, bigdata_connection: Callable[[str], None]) -> Any:
    bigdata_connection(emulator.base_url)
    async with BigdataClient(emulator.api_key, base_url=emulator.base_url) as c:
        yield c


async def broker(client: BigdataClient) -> str:
    created = await client.connectors.create(
        type="investment_research",
        label="Broker feed",
        config={"user_id": "analyst@broker.example", "user_password": "pw-not-a-secret-here"},
    )
    return str(created.connector_id)


def other_trigger(connector_id: str, after: str, **kwargs: Any) -> BigdataSyncTrigger:
    kwargs.setdefault("deadline", iso_in(30))
    kwargs.setdefault("poll_interval", 0.05)
    kwargs.setdefault("max_poll_interval", 0.1)
    return RecordingTrigger(connector_id=connector_id, after=after, started_at=now_iso(), **kwargs)


# ---------------------------------------------------------------- serialisation


def test_serialize_round_trips_and_holds_no_secret() -> None:
    trigger = BigdataSyncTrigger(
        connector_id="019a9612-bfad-758c-884e-37dd8c6ad2cb",
        after="2026-11-23T06:00:00+00:00",
        deadline="2026-11-23T08:00:00+00:00",
        started_at="2026-11-23T07:00:00+00:00",
        poll_interval=5,
        max_poll_interval=60,
    )
    classpath, kwargs = trigger.serialize()
    assert classpath == "bigdata_connectors.airflow.triggers.BigdataSyncTrigger"
    assert kwargs == {
        "token": None,
        "connector_id": "019a9612-bfad-758c-884e-37dd8c6ad2cb",
        "after": "2026-11-23T06:00:00+00:00",
        "deadline": "2026-11-23T08:00:00+00:00",
        "started_at": "2026-11-23T07:00:00+00:00",
        "bigdata_conn_id": "bigdata_default",
        "poll_interval": 5.0,
        "max_poll_interval": 60.0,
        "wait_for_documents": False,
    }
    rebuilt(trigger)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"connector_id": None}, "give a token, or connector_id"),
        ({"after": None}, "give a token, or connector_id"),
        ({"token": "bdsync1.x.y"}, "give it alone"),
        ({"deadline": "2026-11-23T08:00:00"}, "UTC offset"),
        ({"deadline": "tomorrow"}, "ISO 8601"),
        ({"after": "2026-11-23 06:00:00"}, "UTC offset"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"poll_interval": 10, "max_poll_interval": 5}, "poll_interval"),
    ],
)
def test_bad_arguments_fail_at_construction(kwargs: dict[str, Any], message: str) -> None:
    kwargs = {
        "connector_id": "019a9612-bfad-758c-884e-37dd8c6ad2cb",
        "after": "2026-11-23T06:00:00+00:00",
        "deadline": "2026-11-23T08:00:00+00:00",
        "started_at": "2026-11-23T07:00:00+00:00",
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        BigdataSyncTrigger(**kwargs)


# ---------------------------------------------------------------- a sync someone else started


async def test_waits_for_a_sync_started_elsewhere(
    client: BigdataClient, emulator: Emulator, made_clients: list[BigdataClient]
) -> None:
    cid = await broker(client)
    baseline = now_iso()
    await client.connectors.trigger_sync(cid, date_limit=DATE)
    payload = await only_event(other_trigger(cid, baseline))
    assert payload["status"] == "success"
    assert payload["connector_id"] == cid
    summary = payload["summary"]
    assert summary["status"] == "SUCCESS"
    assert summary["items"] == (await client.connectors.get(cid)).last_sync_count
    assert summary["elapsed"] > 0
    assert [c.closed for c in made_clients] == [True]


async def test_an_earlier_sync_does_not_count(client: BigdataClient, made_clients: list[BigdataClient]) -> None:
    cid = await broker(client)
    await client.connectors.sync_and_wait(cid, date_limit=DATE, poll_interval=0.05, timeout=10)
    payload = await only_event(other_trigger(cid, now_iso(), deadline=iso_in(0.4)))
    assert payload["status"] == "timeout"
    assert "may still be running" in payload["message"]


async def test_a_failed_sync_carries_the_servers_message(
    client: BigdataClient, emulator: Emulator, made_clients: list[BigdataClient]
) -> None:
    cid = await broker(client)
    emulator.fail_next_syncs(message="broker login rejected: password expired")
    baseline = now_iso()
    await client.connectors.trigger_sync(cid, date_limit=DATE)
    payload = await only_event(other_trigger(cid, baseline))
    assert payload["token"]
    assert payload == {
        "status": "failed",
        "connector_id": cid,
        "message": "broker login rejected: password expired",
        "summary": None,
        "retryable": True,
        "token": payload["token"],
    }
    assert [c.closed for c in made_clients] == [True]


async def test_deadline_already_passed(client: BigdataClient, made_clients: list[BigdataClient]) -> None:
    cid = await broker(client)
    payload = await only_event(other_trigger(cid, now_iso(), deadline=iso_in(-1)))
    assert payload["status"] == "timeout"
    assert [c.closed for c in made_clients] == [True]


# A force delete archives the connector, then removes it (the emulator's force_delete_delay, seconds):
# the wait ends at the first sign, whichever the poll sees.
GONE = pytest.mark.parametrize(
    ("delete_delay", "error"), [(0.0, "NotFoundError"), (5.0, "ConnectorArchivedError")], ids=["removed", "archived"]
)


@GONE
async def test_connector_deleted_mid_wait(
    client: BigdataClient, emulator: Emulator, made_clients: list[BigdataClient], delete_delay: float, error: str
) -> None:
    emulator.sync_duration = 60
    emulator.force_delete_delay = delete_delay
    cid = await broker(client)
    baseline = now_iso()
    await client.connectors.trigger_sync(cid, date_limit=DATE)
    await assert_ends_when_deleted(client, other_trigger(cid, baseline), cid, error)
    assert [c.closed for c in made_clients] == [True]


async def assert_ends_when_deleted(client: BigdataClient, trigger: BigdataSyncTrigger, cid: str, error: str) -> None:
    """``trigger`` is still waiting; a force delete of ``cid`` ends it at once with an ``error`` event."""
    waiting = asyncio.ensure_future(only_event(trigger))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await client.connectors.delete(cid, force=True)
    payload = await asyncio.wait_for(waiting, 10)
    assert payload["status"] == "error"
    assert payload["connector_id"] == cid
    assert payload["message"].startswith(error)
    assert payload["retryable"] is False  # no retry brings a deleted connector back


async def test_cancellation_by_the_triggerer_closes_the_client(
    client: BigdataClient, emulator: Emulator, made_clients: list[BigdataClient]
) -> None:
    emulator.sync_duration = 60
    cid = await broker(client)
    baseline = now_iso()
    await client.connectors.trigger_sync(cid, date_limit=DATE)
    run = asyncio.ensure_future(events_of(other_trigger(cid, baseline)))
    await asyncio.sleep(0.2)
    assert len(made_clients) == 1
    assert not made_clients[0].closed
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert made_clients[0].closed


async def test_unknown_connection_is_an_error_event(monkeypatch: pytest.MonkeyPatch) -> None:
    trigger = other_trigger(
        "019a9612-bfad-758c-884e-37dd8c6ad2cb", now_iso(), bigdata_conn_id="nowhere", deadline=iso_in(5)
    )
    payload = await only_event(trigger)
    assert payload["status"] == "error"
    assert "nowhere" in payload["message"]


async def test_a_token_trigger_whose_client_cannot_be_built_still_names_its_connector() -> None:
    """No client (an unknown connection here; a bad base URL likewise): the event still says which connector, read
    from the token without one, so the task's failure names the sync."""
    started = datetime.now(UTC)
    token = str(SyncToken(UUID("019a9612-bfad-758c-884e-37dd8c6ad2cb"), None, started, started + timedelta(minutes=5)))
    payload = await only_event(BigdataSyncTrigger(token=token, bigdata_conn_id="nowhere"))
    assert payload["status"] == "error"
    assert payload["connector_id"] == "019a9612-bfad-758c-884e-37dd8c6ad2cb"
    assert payload["token"] == token


@pytest.mark.parametrize(
    "host", ["https://analyst:{pw}@api.example.test", "https://analyst:{pw}@api.example.test:99999"]
)
async def test_a_base_url_with_a_password_is_an_error_event_that_masks_it(
    monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    """Issue 21, item 3: a connection whose host carries ``user:password@`` and cannot be used (a port out of range,
    or a host the client refuses) fails the trigger with an event naming the URL, its password masked, and still
    naming the connector its token is for."""
    from tests_airflow.conftest import CONN_VAR

    password = "url-pw-CANARY-3b8e"
    conn = {"conn_type": "bigdata", "host": host.format(pw=password), "password": API_KEY}
    monkeypatch.setenv(CONN_VAR, json.dumps(conn))
    started = datetime.now(UTC)
    token = str(SyncToken(UUID("019a9612-bfad-758c-884e-37dd8c6ad2cb"), None, started, started + timedelta(minutes=5)))
    payload = await only_event(BigdataSyncTrigger(token=token))
    assert payload["status"] == "error"
    assert payload["connector_id"] == "019a9612-bfad-758c-884e-37dd8c6ad2cb"
    assert "ConfigurationError" in payload["message"]
    assert "analyst:***@api.example.test" in payload["message"]
    assert password not in json.dumps(payload)
    assert API_KEY not in json.dumps(payload)


async def test_refused_key_is_an_error_event_without_the_key(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests_airflow.conftest import CONN_VAR, connection_json

    monkeypatch.setenv(CONN_VAR, connection_json(emulator.base_url, api_key=API_KEY + "-revoked"))
    payload = await only_event(other_trigger("019a9612-bfad-758c-884e-37dd8c6ad2cb", now_iso()))
    assert payload["status"] == "error"
    assert "AuthenticationError" in payload["message"]


# ---------------------------------------------------------------- the sync a task started (a token)


async def start(client: BigdataClient, cid: str, *, timeout: float = 30) -> str:
    """What BigdataSyncOperator does before deferring: start the sync, keep only its token."""
    handle = await client.connectors.start_sync(cid, date_limit=DATE, timeout=timeout)
    return handle.token()


def token_trigger(token: str) -> BigdataSyncTrigger:
    return RecordingTrigger(token=token, poll_interval=0.05, max_poll_interval=0.1)


def test_a_token_trigger_serialises_the_token_alone() -> None:
    trigger = BigdataSyncTrigger(token="bdsync1.abc.def", poll_interval=1, max_poll_interval=2)
    _, kwargs = trigger.serialize()
    assert {k: v for k, v in kwargs.items() if v is not None} == {
        "token": "bdsync1.abc.def",
        "bigdata_conn_id": "bigdata_default",
        "poll_interval": 1.0,
        "max_poll_interval": 2.0,
        "wait_for_documents": False,
    }
    rebuilt(trigger)


async def test_token_success(client: BigdataClient, made_clients: list[BigdataClient]) -> None:
    cid = await broker(client)
    payload = await only_event(token_trigger(await start(client, cid)))
    assert payload["status"] == "success"
    assert payload["connector_id"] == cid
    after = await client.connectors.get(cid)
    assert payload["summary"] == {
        "connector_id": cid,
        "status": "SUCCESS",
        "items": after.last_sync_count,
        "files": after.files_count,
        "last_sync_at": after.last_sync_at.isoformat() if after.last_sync_at else None,
        "elapsed": payload["summary"]["elapsed"],
    }
    assert [c.closed for c in made_clients] == [True]


async def test_token_failure_carries_the_servers_message(
    client: BigdataClient, emulator: Emulator, made_clients: list[BigdataClient]
) -> None:
    cid = await broker(client)
    emulator.fail_next_syncs(status="FAILED", message="broker portal: account locked")
    payload = await only_event(token_trigger(await start(client, cid)))
    assert payload == {
        "status": "failed",
        "connector_id": cid,
        "message": "broker portal: account locked",
        "summary": None,
        "retryable": True,
        "token": payload["token"],
    }
    assert [c.closed for c in made_clients] == [True]


async def test_token_timeout_says_the_sync_may_still_run(
    client: BigdataClient, emulator: Emulator, made_clients: list[BigdataClient]
) -> None:
    emulator.sync_duration = 60
    cid = await broker(client)
    payload = await only_event(token_trigger(await start(client, cid, timeout=0.4)))
    assert payload["status"] == "timeout"
    assert payload["connector_id"] == cid
    assert "may still be running" in payload["message"]
    assert [c.closed for c in made_clients] == [True]


@GONE
async def test_token_connector_deleted_mid_wait(
    client: BigdataClient, emulator: Emulator, made_clients: list[BigdataClient], delete_delay: float, error: str
) -> None:
    emulator.sync_duration = 60
    emulator.force_delete_delay = delete_delay
    cid = await broker(client)
    await assert_ends_when_deleted(client, token_trigger(await start(client, cid)), cid, error)
    assert [c.closed for c in made_clients] == [True]


async def test_a_damaged_token_is_an_error_event(client: BigdataClient) -> None:
    cid = await broker(client)
    token = await start(client, cid)
    payload = await only_event(token_trigger(token[:-3] + ("000" if not token.endswith("000") else "111")))
    assert payload["status"] == "error"
    assert "ValueError" in payload["message"]


# ---------------------------------------------------------------- triggerer restarts


class Jump:
    """The emulator's clock: real monotonic time plus jumps, so a sync can end 'while nobody watched'."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


@pytest.fixture
async def slow_emulator(bigdata_connection: Callable[[str], None]) -> Any:
    """Syncs of 60 s on a clock the test can move forward."""
    clock = Jump()
    async with Emulator(api_key=API_KEY, seed=1, sync_duration=60, clock=clock) as emu:
        bigdata_connection(emu.base_url)
        async with BigdataClient(API_KEY, base_url=emu.base_url) as c:
            yield emu, clock, c


async def run_then_stop(trigger: BigdataSyncTrigger, made: list[BigdataClient]) -> None:
    """A triggerer that picks the trigger up, polls a while, then shuts down (cancels it)."""
    task = asyncio.ensure_future(events_of(trigger))
    await asyncio.sleep(0.25)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert made
    assert made[-1].closed


async def test_restart_mid_sync_resumes_and_sees_the_end(
    slow_emulator: tuple[Emulator, Jump, BigdataClient], made_clients: list[BigdataClient]
) -> None:
    _, clock, client = slow_emulator
    cid = await broker(client)
    first = token_trigger(await start(client, cid))
    await run_then_stop(first, made_clients)
    second = rebuilt(first)  # the new triggerer has only the serialised kwargs
    waiting = asyncio.ensure_future(only_event(second))
    await asyncio.sleep(0.2)
    assert not waiting.done()  # still running: the baseline from the token keeps the PENDING state apart
    clock.offset += 61
    payload = await asyncio.wait_for(waiting, 10)
    assert payload["status"] == "success"
    assert payload["summary"]["items"] == (await client.connectors.get(cid)).last_sync_count
    assert [c.closed for c in made_clients] == [True, True]


async def test_restart_after_the_sync_ended_unwatched(
    slow_emulator: tuple[Emulator, Jump, BigdataClient], made_clients: list[BigdataClient]
) -> None:
    _, clock, client = slow_emulator
    cid = await broker(client)
    first = token_trigger(await start(client, cid))
    await run_then_stop(first, made_clients)
    clock.offset += 61  # the sync ends while no triggerer runs
    payload = await only_event(rebuilt(first))
    assert payload["status"] == "success"
    assert payload["connector_id"] == cid


async def test_restart_after_a_failure_ended_unwatched(
    slow_emulator: tuple[Emulator, Jump, BigdataClient], made_clients: list[BigdataClient]
) -> None:
    emu, clock, client = slow_emulator
    cid = await broker(client)
    emu.fail_next_syncs(message="broker login rejected")
    first = token_trigger(await start(client, cid))
    await run_then_stop(first, made_clients)
    clock.offset += 61
    payload = await only_event(rebuilt(first))
    assert (payload["status"], payload["message"]) == ("failed", "broker login rejected")


@pytest.mark.parametrize("ended", [True, False], ids=["sync-ended", "still-running"])
async def test_restart_after_the_deadline(
    slow_emulator: tuple[Emulator, Jump, BigdataClient], made_clients: list[BigdataClient], ended: bool
) -> None:
    """The triggerer was down past the deadline: one last read decides (no wait, no second poll)."""
    emu, clock, client = slow_emulator
    cid = await broker(client)
    first = token_trigger(await start(client, cid, timeout=0.5))
    await run_then_stop(first, made_clients)
    if ended:
        clock.offset += 61
    await asyncio.sleep(0.3)  # past the 0.5 s deadline (0.25 s went to the first triggerer)
    gets_before = emu.requests["get"]
    payload = await only_event(rebuilt(first))
    assert emu.requests["get"] == gets_before + 1
    if ended:
        assert payload["status"] == "success"
    else:
        assert payload["status"] == "timeout"
        assert "may still be running" in payload["message"]


async def test_token_success_waits_for_the_documents(
    client: BigdataClient, emulator: Emulator, made_clients: list[BigdataClient]
) -> None:
    emulator.sync_items = 4
    emulator.document_lag = 0.1
    emulator.fail_next_documents(1)
    cid = await broker(client)
    trigger = RecordingTrigger(
        token=await start(client, cid), poll_interval=0.05, max_poll_interval=0.1, wait_for_documents=True
    )
    payload = await only_event(rebuilt(trigger))  # the flag crosses the process boundary
    assert payload["status"] == "success", payload
    documents = payload["summary"]["documents"]
    assert documents["completed"] + documents["failed"] == 4
    assert documents["failed"] == 1
    assert documents["processing"] == 0
    assert documents["expected"] == 4
    assert len(documents["failed_names"]) == 1
    # Every document the emulator made for this connector is processed by the time the event is out.
    listed = [d async for d in client.documents.list(connector=cid)]
    assert len(listed) == 4
    assert all(str(d.status) in ("completed", "failed") for d in listed)
    assert [c.closed for c in made_clients] == [True]
