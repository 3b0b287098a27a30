"""``client.connectors.ensure`` against the emulator over real loopback HTTP, with an injected clock and sleep."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bigdata_connectors import (
    AmbiguousLabelError,
    APIConnectionError,
    APITimeoutError,
    BigdataClient,
    Connector,
    ConnectorsFile,
    CreateOutcomeUnknownError,
    InternalServerError,
    ReplacementRequiredError,
)
from bigdata_connectors.testing import Emulator, Fault
from tests.conftest import PASSWORD, FakeTime

BROKER: dict[str, Any] = {
    "type": "investment_research",
    "label": "Broker research",
    "config": {"user_id": "me@broker.com", "user_password": PASSWORD},
}


# ``emu`` and ``api`` (conftest.py): the emulator runs on the test's clock, so its list lag passes only when the
# code under test sleeps.


def live(emu: Emulator, label: str) -> list[Any]:
    return [c for c in emu.state.connectors.values() if c.label == label and not c.archived]


async def test_creates_then_finds(api: BigdataClient, emu: Emulator) -> None:
    first = await api.connectors.ensure(**BROKER, description="daily", share_with_org=True)
    assert (first.label, first.description, first.share_with_org) == ("Broker research", "daily", True)
    again = await api.connectors.ensure(**BROKER, description="daily", share_with_org=True)
    assert again.connector_id == first.connector_id
    assert emu.created == 1
    assert emu.requests["update"] == 0  # nothing differed: nothing sent but the lookup
    assert emu.requests["get"] == 0


async def test_adopts_an_existing_connector(api: BigdataClient, emu: Emulator) -> None:
    made = await api.connectors.create(
        type="email", label="inbox", config={"allowed_emails": ["b@x.com", "a@x.com"]}, description="d"
    )
    # The order of allowed senders means nothing: no change.
    got = await api.connectors.ensure(
        type="email", label="inbox", config={"allowed_emails": ["a@x.com", "b@x.com"]}, description="d"
    )
    assert got.connector_id == made.connector_id
    assert (emu.created, emu.requests["update"]) == (1, 0)


async def test_updates_only_what_differs(api: BigdataClient, emu: Emulator) -> None:
    made = await api.connectors.create(
        type="email", label="inbox", config={"allowed_emails": ["a@x.com"]}, description="old", share_with_org=True
    )
    got = await api.connectors.ensure(
        type="email", label="inbox", config={"allowed_emails": ["z@x.com"]}, description="new", share_with_org=True
    )
    assert got.connector_id == made.connector_id
    assert (got.description, got.share_with_org) == ("new", True)
    assert getattr(got.config, "allowed_emails", None) == ["z@x.com"]
    assert emu.requests["update"] == 1
    # ``description=None`` is the declared state "no description", as it is for create.
    cleared = await api.connectors.ensure(type="email", label="inbox", config={"allowed_emails": ["z@x.com"]})
    assert (cleared.description, cleared.share_with_org) == ("", False)
    assert emu.created == 1


async def test_refuses_a_credential_change(api: BigdataClient, emu: Emulator) -> None:
    made = await api.connectors.ensure(**BROKER)
    other = {**BROKER, "config": {"user_id": "someone@broker.com", "user_password": PASSWORD}}
    with pytest.raises(ReplacementRequiredError, match="replacement is needed") as caught:
        await api.connectors.ensure(**other, description="changed too")
    assert caught.value.connector.connector_id == made.connector_id
    assert "user_id" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert emu.requests["update"] == 0  # refused as a whole: the description was not changed either
    assert emu.created == 1


async def test_refuses_an_ambiguous_label(api: BigdataClient, emu: Emulator) -> None:
    one = await api.connectors.create(**BROKER)
    two = await api.connectors.create(**BROKER)
    with pytest.raises(AmbiguousLabelError) as caught:
        await api.connectors.ensure(**BROKER)
    assert {c.connector_id for c in caught.value.connectors} == {one.connector_id, two.connector_id}
    assert str(one.connector_id) in str(caught.value)
    assert (emu.created, emu.requests["update"]) == (2, 0)
    # Archived connectors do not count; another type is another key.
    await api.connectors.delete(two.connector_id)
    assert (await api.connectors.ensure(**BROKER)).connector_id == one.connector_id
    sp = await api.connectors.ensure(type="sharepoint", label="Broker research", config={"session_id": "s"})
    assert sp.type == "sharepoint"
    assert emu.created == 3


async def test_bad_config_fails_before_sending_without_quoting_secrets(api: BigdataClient, emu: Emulator) -> None:
    with pytest.raises(ValueError, match=r"config\.user_id") as caught:
        await api.connectors.ensure(type="investment_research", label="x", config={"user_password": PASSWORD})
    assert PASSWORD not in str(caught.value)
    assert sum(emu.requests.values()) == 0


# ---------------------------------------------------------------- ambiguous create failures


AFTER_PROCESSING = [Fault("500"), Fault("502"), Fault("503", retry_after=None), Fault("drop"), Fault("not_json")]


@pytest.mark.parametrize("fault", AFTER_PROCESSING, ids=lambda f: f.kind)
async def test_lost_answer_ends_with_exactly_one(
    api: BigdataClient, emu: Emulator, fake_time: FakeTime, fault: Fault
) -> None:
    emu.list_lag = 1.2  # the new connector shows in the list only 1.2 s (of the emulator's clock) later
    emu.script("create", [fault])
    got = await api.connectors.ensure(**BROKER)
    assert emu.created == 1
    assert emu.requests["create"] == 1  # found again, never created twice
    assert [c.connector_id for c in live(emu, "Broker research")] == [got.connector_id]
    assert 1.2 <= sum(fake_time.sleeps) < 5.0  # it waited for the list to catch up, and no longer


async def test_stall_past_the_timeout_ends_with_exactly_one(emu: Emulator, fake_time: FakeTime) -> None:
    async with BigdataClient(
        emu.api_key, base_url=emu.base_url, timeout=0.2, sleep=fake_time.sleep, clock=fake_time.clock
    ) as api:
        emu.list_lag = 0.5
        emu.script("create", [Fault("stall", stall=5)])
        got = await api.connectors.ensure(**BROKER)
    assert (emu.created, emu.requests["create"]) == (1, 1)
    assert [c.connector_id for c in live(emu, "Broker research")] == [got.connector_id]


NOT_PROCESSED = [
    Fault("502", processed=False),
    Fault("drop", processed=False),
    Fault("stall", stall=5, processed=False),
]


@pytest.mark.parametrize("fault", NOT_PROCESSED, ids=lambda f: f.kind)
async def test_creates_again_only_when_provably_absent(emu: Emulator, fake_time: FakeTime, fault: Fault) -> None:
    async with BigdataClient(
        emu.api_key, base_url=emu.base_url, timeout=0.2, sleep=fake_time.sleep, clock=fake_time.clock
    ) as api:
        emu.script("create", [fault])
        got = await api.connectors.ensure(**BROKER, consistency_timeout=3.0)
    assert (emu.created, emu.requests["create"]) == (1, 2)
    assert [c.connector_id for c in live(emu, "Broker research")] == [got.connector_id]
    # The second create went out only after lookups spanning the whole consistency window.
    assert sum(fake_time.sleeps) >= 3.0
    # Looked up at 0, 0.25, 0.75, 1.75 s, then once more as the 3 s window closed.
    assert emu.requests["list"] == 1 + 5


async def test_gives_up_after_three_creates_that_made_nothing(api: BigdataClient, emu: Emulator) -> None:
    emu.script("create", [Fault("500", processed=False)] * 3)
    with pytest.raises(InternalServerError):
        await api.connectors.ensure(**BROKER, consistency_timeout=0.5)
    assert (emu.created, emu.requests["create"]) == (0, 3)


async def test_unknown_outcome_when_lookups_fail_then_ensure_again_recovers(emu: Emulator, fake_time: FakeTime) -> None:
    async with BigdataClient(
        emu.api_key, base_url=emu.base_url, max_retries=0, sleep=fake_time.sleep, clock=fake_time.clock
    ) as api:
        emu.script("create", ["500"])
        emu.script(
            "list", [None, *[Fault("503", retry_after=None)] * 4]
        )  # the first lookup works, then none of the four in the window (0, 0.25, 0.75 s, and at 1 s)
        with pytest.raises(CreateOutcomeUnknownError, match="may exist") as caught:
            await api.connectors.ensure(**BROKER, consistency_timeout=1.0)
        assert isinstance(caught.value.__cause__, InternalServerError)
        assert isinstance(caught.value.lookup_error, InternalServerError)
        again = await api.connectors.ensure(**BROKER)  # safe: it looks before it creates
    assert emu.created == 1
    assert [c.connector_id for c in live(emu, "Broker research")] == [again.connector_id]


async def test_a_failed_lookup_mid_window_is_not_proof(api: BigdataClient, emu: Emulator) -> None:
    emu.list_lag = 1.0
    emu.script("create", ["502"])
    emu.script("list", [None, None, Fault("503", retry_after=None)])  # lookups retried by the transport
    got = await api.connectors.ensure(**BROKER)
    assert (emu.created, emu.requests["create"]) == (1, 1)
    assert got.label == "Broker research"


async def test_the_documented_window_a_list_slower_than_the_wait(api: BigdataClient, emu: Emulator) -> None:
    """Pins the limit DESIGN.md states: if the list lags longer than ``consistency_timeout``, the lost
    connector is not seen and a second one is created (the first is an orphan, as it would be with create)."""
    emu.list_lag = 10.0
    emu.script("create", ["500"])
    await api.connectors.ensure(**BROKER, consistency_timeout=1.0)
    assert emu.created == 2


async def test_timeouts_are_ambiguous_but_refused_connections_are_not() -> None:
    from bigdata_connectors._as_code.ensure import is_ambiguous

    assert is_ambiguous(APITimeoutError("t", request_sent=True))
    assert is_ambiguous(APIConnectionError("reset", request_sent=True))
    assert not is_ambiguous(APIConnectionError("refused", request_sent=False))


@pytest.mark.parametrize("window", [0.0, 0.1, 1.0, 5.0, 30.0])
async def test_lookups_span_the_window_and_the_last_one_closes_it(
    api: BigdataClient, emu: Emulator, fake_time: FakeTime, window: float
) -> None:
    emu.script("create", [Fault("500", processed=False), None])  # the first answer lost, nothing made
    start = fake_time.now
    await api.connectors.ensure(**BROKER, consistency_timeout=window)
    lookups = [s for s in fake_time.sleeps]  # every sleep is a pause between two lookups, nothing else sleeps
    assert sum(lookups) == pytest.approx(window)  # the last lookup is made exactly as the window closes
    assert max(lookups, default=0.0) <= 2.0
    assert emu.requests["list"] == 2 + len(lookups)  # ensure's own list, the first lookup at once, one per pause
    assert fake_time.now - start == pytest.approx(window)


async def test_returns_a_connector_model(api: BigdataClient) -> None:
    assert isinstance(await api.connectors.ensure(type="email", label="x", config=None), Connector)


async def test_one_client_finds_what_it_made_while_the_list_lags(api: BigdataClient, emu: Emulator) -> None:
    emu.list_lag = 60.0  # far longer than any wait: only the client's memory and a GET can find it
    first = await api.connectors.ensure(**BROKER)
    again = await api.connectors.ensure(**BROKER, description="now described")
    assert again.connector_id == first.connector_id
    assert again.description == "now described"
    assert (emu.created, emu.requests["get"]) == (1, 2)  # the recall, and update's read
    # A connector archived meanwhile is not adopted.
    await api.connectors.delete(first.connector_id)
    third = await api.connectors.ensure(**BROKER)
    assert third.connector_id != first.connector_id
    assert emu.created == 2


async def test_concurrent_ensures_of_one_key_make_one_connector(api: BigdataClient, emu: Emulator) -> None:
    emu.list_lag = 60.0
    results = await asyncio.gather(*(api.connectors.ensure(**BROKER) for _ in range(5)))
    assert len({r.connector_id for r in results}) == 1
    assert emu.created == 1
    other = await asyncio.gather(*(api.connectors.ensure(**{**BROKER, "label": f"b{i}"}) for i in range(3)))
    assert len({r.connector_id for r in other}) == 3


@pytest.mark.parametrize("window", [-1.0, float("nan"), float("inf"), 1e12])
async def test_a_consistency_window_that_is_no_duration_is_refused_before_sending(
    api: BigdataClient, emu: Emulator, window: float
) -> None:
    """Checked at both entries that take it, ensure and apply (which reached the loop unchecked before)."""
    with pytest.raises(ValueError, match="consistency_timeout"):
        await api.connectors.ensure(**BROKER, consistency_timeout=window)
    plan = await api.connectors.plan(ConnectorsFile.parse("version: 1\nconnectors: []\n"))
    with pytest.raises(ValueError, match="consistency_timeout"):
        await api.connectors.apply(plan, consistency_timeout=window)
    with pytest.raises(TypeError):
        await api.connectors.ensure(**BROKER, consistency_timeout="5")  # type: ignore[arg-type]
    assert sum(emu.requests.values()) == 1  # the plan's one list; nothing else went out
