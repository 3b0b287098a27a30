"""``BigdataDocumentsTrigger`` driven as the triggerer drives an ``AssetWatcher``'s trigger (iterating ``run()``
for as long as it wants), against the emulator over loopback; and the client the triggers of one
connection share in a process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.triggers.base import BaseEventTrigger

from bigdata_connectors import BigdataClient
from bigdata_connectors.airflow import BigdataDocumentsTrigger, BigdataSyncTrigger, _clients
from bigdata_connectors.testing import Emulator
from tests_airflow.conftest import API_KEY

DATE = "2026-01-02"


@pytest.fixture
async def client(emulator: Emulator, bigdata_connection: Callable[[str], None]) -> AsyncIterator[BigdataClient]:
    emulator.document_processing = 0.1
    bigdata_connection(emulator.base_url)
    async with BigdataClient(emulator.api_key, base_url=emulator.base_url) as c:
        yield c


async def broker(client: BigdataClient) -> str:
    made = await client.connectors.create(
        type="investment_research", label="Broker", config={"user_id": "a@broker.example", "user_password": "pw-x"}
    )
    return str(made.connector_id)


async def inbox(client: BigdataClient) -> str:
    made = await client.connectors.create(type="email", label="inbox", config={"allowed_emails": ["a@b.example"]})
    return str(made.connector_id)


def deliver_mail(emu: Emulator, connector_id: str, count: int) -> None:
    """Mail arriving in an email connector: ``count`` new documents."""
    emu.receive_email(connector_id, count)


class FakeAssetStore:
    """The asset state store Airflow 3.3 injects into a watcher (``aget``/``aset``), kept in a dict."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    async def aget(self, key: str, default: Any = None) -> Any:
        return json.loads(json.dumps(self.values.get(key, default)))

    async def aset(self, key: str, value: Any) -> None:
        self.values[key] = json.loads(json.dumps(value))


class Watch:
    """A running watcher: its events as they come, and a stop that cancels it as a triggerer does."""

    def __init__(self, trigger: BigdataDocumentsTrigger) -> None:
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task = asyncio.ensure_future(self._consume(trigger))

    async def _consume(self, trigger: BigdataDocumentsTrigger) -> None:
        async for event in trigger.run():
            assert API_KEY not in json.dumps(event.payload)
            await self.events.put(event.payload)

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        return await asyncio.wait_for(self.events.get(), timeout)

    async def quiet(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        assert self.events.empty(), self.events.get_nowait()

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


def watcher(*ids: str, store: FakeAssetStore | None = None) -> BigdataDocumentsTrigger:
    trigger = BigdataDocumentsTrigger(connector_ids=list(ids), poll_interval=0.05, margin=30)
    if store is not None:
        trigger.asset_state_store = SimpleNamespace(_single_accessor=lambda: store)  # type: ignore[assignment]
    return trigger


def test_it_is_an_event_trigger_whose_kwargs_carry_no_cursor() -> None:
    trigger = BigdataDocumentsTrigger(connector_ids=["019A9612-BFAD-758C-884E-37DD8C6AD2CB"], poll_interval=30)
    assert isinstance(trigger, BaseEventTrigger)
    classpath, kwargs = trigger.serialize()
    assert classpath == "bigdata_connectors.airflow.watchers.BigdataDocumentsTrigger"
    assert kwargs == {
        "connector_ids": ["019a9612-bfad-758c-884e-37dd8c6ad2cb"],
        "bigdata_conn_id": "bigdata_default",
        "poll_interval": 30.0,
        "lookback": 86400.0,
        "margin": 900.0,
    }
    module, _, name = classpath.rpartition(".")
    assert getattr(__import__(module, fromlist=[name]), name)(**kwargs).serialize() == (classpath, kwargs)
    from bigdata_connectors.airflow.triggers import BigdataDocumentsTrigger as AlsoHere

    assert AlsoHere is BigdataDocumentsTrigger


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"connector_ids": []}, "at least one"),
        ({"connector_ids": ["nope"]}, "not a connector id"),
        ({"poll_interval": 0}, "poll_interval"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BigdataDocumentsTrigger(**{"connector_ids": ["019a9612-bfad-758c-884e-37dd8c6ad2cb"], **kwargs})


async def test_one_event_per_batch_of_completed_documents(client: BigdataClient, emulator: Emulator) -> None:
    emulator.sync_items = 3
    old, new_mail = await broker(client), await inbox(client)
    await client.connectors.sync_and_wait(old, date_limit=DATE, poll_interval=0.05)  # before the watch: not reported
    await asyncio.sleep(0.2)
    watch = Watch(watcher(old, new_mail))
    await watch.quiet(0.4)

    emulator.fail_next_documents(1)
    await client.connectors.sync_and_wait(old, date_limit=DATE, poll_interval=0.05)
    event = await watch.next()
    assert event["connector_id"] == old
    assert event["count"] == len(event["document_ids"]) == 2  # the failed one is logged, not reported
    deliver_mail(emulator, new_mail, 2)
    mail = await watch.next()
    assert (mail["connector_id"], mail["count"]) == (new_mail, 2)
    await watch.quiet(0.4)  # nothing twice
    await watch.stop()
    assert _clients.borrowers("bigdata_default") == 0  # cancelled: the shared client was released


async def test_a_restart_reports_nothing_twice_in_memory(client: BigdataClient, emulator: Emulator) -> None:
    """Airflow 3.1-3.2 (no asset state store): what is finished when a watch starts counts as seen."""
    emulator.sync_items = 2
    cid = await broker(client)
    first = Watch(watcher(cid))
    await first.quiet(0.2)
    await client.connectors.sync_and_wait(cid, date_limit=DATE, poll_interval=0.05)
    reported = (await first.next())["document_ids"]
    await first.stop()
    second = Watch(watcher(cid))  # the triggerer restarted: the same kwargs, no memory
    await second.quiet(0.5)
    await client.connectors.sync_and_wait(cid, date_limit=DATE, poll_interval=0.05)
    again = (await second.next())["document_ids"]
    assert not set(reported) & set(again)
    await second.stop()


async def test_a_restart_catches_up_from_the_asset_state_store(client: BigdataClient, emulator: Emulator) -> None:
    """Airflow 3.3+: the cursor saved in the asset's state store; what completed while no watch ran is
    reported after the restart, and what was reported before is not."""
    emulator.sync_items = 2
    cid = await broker(client)
    store = FakeAssetStore()
    first = Watch(watcher(cid, store=store))
    await first.quiet(0.2)
    await client.connectors.sync_and_wait(cid, date_limit=DATE, poll_interval=0.05)
    reported = (await first.next())["document_ids"]
    await first.stop()
    await client.connectors.sync_and_wait(cid, date_limit=DATE, poll_interval=0.05)  # while down
    await asyncio.sleep(0.3)  # processed before the watch is back
    second = Watch(watcher(cid, store=store))
    caught_up = (await second.next())["document_ids"]
    assert len(caught_up) == 2
    assert not set(reported) & set(caught_up)
    await second.quiet(0.4)
    await second.stop()


@pytest.mark.parametrize("with_store", [True, False], ids=["3.3-store", "no-store"])
async def test_a_batch_that_landed_as_the_watch_began(
    client: BigdataClient, emulator: Emulator, with_store: bool
) -> None:
    """With a store (3.3+), a first watch reports documents created in the margin before it started (the DAG
    was being deployed); without one it cannot tell them from what a previous watch reported."""
    emulator.sync_items = 2
    cid = await broker(client)
    await client.connectors.sync_and_wait(cid, date_limit=DATE, poll_interval=0.05)
    await asyncio.sleep(0.3)  # processed before the watch begins
    watch = Watch(watcher(cid, store=FakeAssetStore() if with_store else None))
    if with_store:
        assert (await watch.next())["count"] == 2
    await watch.quiet(0.4)
    await watch.stop()


async def test_an_outage_is_logged_once_and_the_watch_goes_on(
    client: BigdataClient, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.sync_items = 1
    cid = await broker(client)
    watch = Watch(BigdataDocumentsTrigger(connector_ids=[cid], poll_interval=0.05, margin=30))
    await watch.quiet(0.2)
    # The emulator's Route type lists the connector routes only; injection goes by any route name.
    emulator.inject(1.0, kinds=["503"], routes=["list_documents"])
    await asyncio.sleep(6)  # past the HTTP layer's own retries, several polls
    emulator.clear_faults()
    await client.connectors.sync_and_wait(cid, date_limit=DATE, poll_interval=0.05)
    assert (await watch.next())["count"] == 1
    await watch.stop()
    failures = [r for r in caplog.records if "documents poll failed" in r.getMessage()]
    assert len(failures) == 1


# ---------------------------------------------------------------- one client per connection per process


async def test_triggers_of_one_connection_share_one_client_closed_by_the_last(
    client: BigdataClient, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[BigdataClient] = []
    build = _clients.client_from_connection

    def recording(conn: Any, **kwargs: Any) -> BigdataClient:
        made.append(build(conn, **kwargs))
        return made[-1]

    monkeypatch.setattr(_clients, "client_from_connection", recording)
    emulator.sync_duration = 60
    ids = [await broker(client) for _ in range(5)]
    tokens = [(await client.connectors.start_sync(cid, date_limit=DATE, timeout=30)).token() for cid in ids]
    waits = [
        asyncio.ensure_future(BigdataSyncTrigger(token=t, poll_interval=0.05, max_poll_interval=0.1).run().__anext__())
        for t in tokens
    ]
    await asyncio.sleep(0.3)
    assert len(made) == 1  # five triggers, one client (one pool, one rate limiter)
    assert _clients.borrowers("bigdata_default") == 5
    waits[0].cancel()  # the triggerer cancels one: the others keep the client
    await asyncio.sleep(0.1)
    assert _clients.borrowers("bigdata_default") == 4
    assert not made[0].closed
    emulator.sync_duration = 0.01
    await client.connectors.delete(ids[1], force=True)  # one ends with an error event
    for wait in waits[1:]:
        wait.cancel()
    await asyncio.gather(*waits, return_exceptions=True)
    await asyncio.sleep(0)
    assert _clients.borrowers("bigdata_default") == 0
    assert made[0].closed
