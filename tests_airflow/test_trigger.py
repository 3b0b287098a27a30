"""``BigdataSyncTrigger`` driven as Airflow's own provider tests drive theirs (iterating ``run()``),
against the emulator over loopback, with the connection from ``AIRFLOW_CONN_BIGDATA_DEFAULT``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from airflow.triggers.base import TriggerEvent

from bigdata_connectors import BigdataClient
from bigdata_connectors.airflow import BigdataSyncTrigger
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
    clone = cls(**json.loads(json.dumps(kwargs)))
    assert isinstance(clone, BigdataSyncTrigger)
    assert clone.serialize() == (classpath, kwargs)
    return clone


class RecordingTrigger(BigdataSyncTrigger):
    """Remembers the clients it made, to check each is closed however ``run()`` ends."""

    made: list[BigdataClient]

    async def _client(self) -> BigdataClient:
        client = await super()._client()
        type(self).made.append(client)
        return client


@pytest.fixture
def made_clients() -> list[BigdataClient]:
    RecordingTrigger.made = []
    return RecordingTrigger.made


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
        "deadline": "2026-11-23T08:00:00+00:00",
        "started_at": "2026-11-23T07:00:00+00:00",
        "connector_id": "019a9612-bfad-758c-884e-37dd8c6ad2cb",
        "after": "2026-11-23T06:00:00+00:00",
        "bigdata_conn_id": "bigdata_default",
        "poll_interval": 5.0,
        "max_poll_interval": 60.0,
    }
    rebuilt(trigger)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
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
    assert payload == {
        "status": "failed",
        "connector_id": cid,
        "message": "broker login rejected: password expired",
        "summary": None,
    }
    assert [c.closed for c in made_clients] == [True]


async def test_deadline_already_passed(client: BigdataClient, made_clients: list[BigdataClient]) -> None:
    cid = await broker(client)
    payload = await only_event(other_trigger(cid, now_iso(), deadline=iso_in(-1)))
    assert payload["status"] == "timeout"
    assert [c.closed for c in made_clients] == [True]


async def test_connector_deleted_mid_wait(
    client: BigdataClient, emulator: Emulator, made_clients: list[BigdataClient]
) -> None:
    emulator.sync_duration = 60
    cid = await broker(client)
    baseline = now_iso()
    await client.connectors.trigger_sync(cid, date_limit=DATE)
    waiting = asyncio.ensure_future(only_event(other_trigger(cid, baseline)))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await client.connectors.delete(cid, force=True)
    payload = await asyncio.wait_for(waiting, 10)
    assert payload["status"] == "error"
    assert payload["connector_id"] == cid
    # A force delete archives first: the wait ends at once on the archived state (issue 9 item 16), or on the 404.
    assert "ConnectorArchivedError" in payload["message"] or "NotFoundError" in payload["message"]
    assert [c.closed for c in made_clients] == [True]


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


async def test_refused_key_is_an_error_event_without_the_key(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests_airflow.conftest import CONN_VAR, connection_json

    monkeypatch.setenv(CONN_VAR, connection_json(emulator.base_url, api_key=API_KEY + "-revoked"))
    payload = await only_event(other_trigger("019a9612-bfad-758c-884e-37dd8c6ad2cb", now_iso()))
    assert payload["status"] == "error"
    assert "AuthenticationError" in payload["message"]
