"""sync_and_wait, wait_for_sync and sync_many against mocked HTTP, on a fake clock."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from aioresponses import aioresponses as AioResponses

from bigdata_connectors import (
    AuthenticationError,
    BigdataClient,
    Connector,
    InternalServerError,
    NotFoundError,
    SyncFailedError,
    SyncNotSupportedError,
    SyncProgress,
    SyncTimeoutError,
)
from bigdata_connectors._syncs import many
from bigdata_connectors._syncs.progress import classify
from tests.conftest import API_KEY, BASE, CID, CONNECTORS, FakeTime, connector_json, requests_to

ONE = f"{CONNECTORS}/{CID}"
SYNC = f"{ONE}/sync"
T0 = "2026-04-07T09:00:00Z"
T1 = "2026-04-07T10:00:00Z"


def ir(**fields: Any) -> dict[str, Any]:
    base = {"type": "investment_research", "config": {"user_id": "me@broker.com"}}
    return connector_json(**{**base, **fields})


def states(mock_api: AioResponses, *bodies: dict[str, Any]) -> None:
    for body in bodies:
        mock_api.get(ONE, payload=body)


def accept(mock_api: AioResponses) -> None:
    mock_api.post(SYNC, payload={"connector_id": CID, "date_limit": "2026-01-01", "status": "accepted"})


async def test_success_after_several_polls_ignores_stale_success(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    baseline = ir(last_sync_at=T0, last_sync_status="SUCCESS", last_sync_count=5)
    states(mock_api, baseline)
    accept(mock_api)
    states(
        mock_api,
        baseline,  # the previous sync's SUCCESS: not ours
        ir(last_sync_at=T0, last_sync_status="PENDING"),
        ir(last_sync_at=T1, last_sync_status="RUNNING"),
        ir(last_sync_at=T1, last_sync_status="SUCCESS", last_sync_count=42),
    )
    done = await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", timeout=600)
    assert done.last_sync_count == 42
    assert len(requests_to(mock_api, "POST", SYNC)) == 1
    assert json.loads(requests_to(mock_api, "POST", SYNC)[0].kwargs["data"]) == {"date_limit": "2026-01-01"}
    assert len(requests_to(mock_api, "GET", ONE)) == 5
    # first poll at once, then 2, 3, 4.5 seconds (+/-10%)
    assert len(fake_time.sleeps) == 3
    for slept, nominal in zip(fake_time.sleeps, [2.0, 3.0, 4.5], strict=True):
        assert nominal * 0.9 <= slept <= nominal * 1.1


async def test_interval_is_capped(client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime) -> None:
    states(mock_api, ir(last_sync_at=None))
    accept(mock_api)
    states(mock_api, *[ir(last_sync_status="RUNNING")] * 8, ir(last_sync_at=T1, last_sync_status="SUCCESS"))
    await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", poll_interval=1, max_poll_interval=4)
    assert max(fake_time.sleeps) <= 4 * 1.1
    assert fake_time.sleeps[-1] >= 4 * 0.9


@pytest.mark.parametrize("status", ["FAILED", "failure", "ERROR", "Sync_Error", "CANCELLED"])
async def test_failure_status_raises(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime, status: str
) -> None:
    states(mock_api, ir(last_sync_at=T0, last_sync_status="SUCCESS"))
    accept(mock_api)
    states(mock_api, ir(last_sync_at=T1, last_sync_status=status, last_sync_error_msg=None))
    with pytest.raises(SyncFailedError) as info:
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01")
    assert info.value.status == status
    assert info.value.connector.last_sync_status == status


async def test_error_message_with_non_failure_status_raises(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=T0, last_sync_status="SUCCESS"))
    accept(mock_api)
    states(mock_api, ir(last_sync_at=T1, last_sync_status="SUCCESS", last_sync_error_msg="broker login rejected"))
    with pytest.raises(SyncFailedError, match="broker login rejected") as info:
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01")
    assert info.value.error_message == "broker login rejected"


async def test_unknown_status_keeps_polling_then_succeeds(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=None, last_sync_status=None))
    accept(mock_api)
    states(
        mock_api,
        ir(last_sync_at=T1, last_sync_status="PARTIAL"),
        ir(last_sync_at=T1, last_sync_status="QUEUED_FOR_INDEXING"),
        ir(last_sync_at=T1, last_sync_status=None),
        ir(last_sync_at=T1, last_sync_status="SUCCESS"),
    )
    done = await client.connectors.sync_and_wait(CID, date_limit="2026-01-01")
    assert done.last_sync_status == "SUCCESS"
    assert len(fake_time.sleeps) == 3


async def test_timeout_carries_last_state_and_never_sleeps_past_deadline(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=T0, last_sync_status="SUCCESS"))
    accept(mock_api)
    mock_api.get(ONE, payload=ir(last_sync_at=T0, last_sync_status="RUNNING", files_count=7), repeat=True)
    start = fake_time.now
    with pytest.raises(SyncTimeoutError) as info:
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", timeout=20, poll_interval=2)
    err = info.value
    assert isinstance(err, TimeoutError)
    assert err.connector is not None
    assert err.connector.files_count == 7
    assert fake_time.now - start == pytest.approx(20)
    assert sum(fake_time.sleeps) == pytest.approx(20)
    assert "keeps running on the server" in str(err)
    assert len(requests_to(mock_api, "POST", SYNC)) == 1


async def test_poll_retries_stay_within_the_deadline(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=T0))
    accept(mock_api)
    mock_api.get(ONE, status=503, headers={"Retry-After": "4"}, repeat=True)
    start = fake_time.now
    with pytest.raises(SyncTimeoutError) as info:
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", timeout=10)
    assert fake_time.now - start <= 10
    assert isinstance(info.value.__cause__, InternalServerError)


async def test_429_during_polling_honours_retry_after(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=T0, last_sync_status="SUCCESS"))
    accept(mock_api)
    mock_api.get(ONE, status=429, headers={"Retry-After": "5"}, payload={"message": "slow down"})
    states(mock_api, ir(last_sync_at=T1, last_sync_status="SUCCESS"))
    await client.connectors.sync_and_wait(CID, date_limit="2026-01-01")
    assert fake_time.sleeps == [5.0]


async def test_email_is_refused_with_no_post(client: BigdataClient, mock_api: AioResponses) -> None:
    states(mock_api, connector_json())
    with pytest.raises(SyncNotSupportedError, match="email connector"):
        await client.connectors.sync_and_wait(CID)
    assert requests_to(mock_api, "POST", SYNC) == []


async def test_investment_research_needs_date_limit(client: BigdataClient, mock_api: AioResponses) -> None:
    states(mock_api, ir())
    with pytest.raises(ValueError, match="date_limit"):
        await client.connectors.sync_and_wait(CID)
    assert requests_to(mock_api, "POST", SYNC) == []


async def test_sharepoint_sends_empty_body_and_refuses_date_limit(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    sp = connector_json(type="sharepoint", config={}, last_sync_at=None)
    states(mock_api, sp)
    with pytest.raises(ValueError, match="sharepoint"):
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01")
    assert requests_to(mock_api, "POST", SYNC) == []
    states(mock_api, sp)
    mock_api.post(SYNC, payload={"connector_id": CID, "status": "accepted"})
    states(mock_api, {**sp, "last_sync_at": T1, "last_sync_status": "SUCCESS"})
    await client.connectors.sync_and_wait(CID)
    assert json.loads(requests_to(mock_api, "POST", SYNC)[0].kwargs["data"]) == {}


async def test_connector_disappearing_mid_wait_raises_not_found(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=T0))
    accept(mock_api)
    states(mock_api, ir(last_sync_at=T0, last_sync_status="RUNNING"))
    mock_api.get(ONE, status=404, payload={"message": "Connector not found"})
    with pytest.raises(NotFoundError):
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01")


async def test_progress_callbacks_plain_and_async(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    seen: list[SyncProgress] = []

    async def async_cb(progress: SyncProgress) -> None:
        await asyncio.sleep(0)
        seen.append(progress)

    for callback in (seen.append, async_cb):
        states(mock_api, ir(last_sync_at=T0))
        accept(mock_api)
        states(
            mock_api, ir(last_sync_at=T0, last_sync_status="RUNNING"), ir(last_sync_at=T1, last_sync_status="SUCCESS")
        )
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", on_progress=callback)
    assert [(p.polls, p.status) for p in seen] == [(1, "RUNNING"), (2, "SUCCESS")] * 2
    assert seen[1].elapsed > seen[0].elapsed
    assert isinstance(seen[0].connector, Connector)


async def test_wait_for_sync_uses_after_and_never_triggers(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=T0, last_sync_status="SUCCESS"), ir(last_sync_at=T1, last_sync_status="SUCCESS"))
    after = datetime(2026, 4, 7, 9, 30, tzinfo=UTC)
    done = await client.connectors.wait_for_sync(CID, after=after)
    assert done.last_sync_at == datetime(2026, 4, 7, 10, tzinfo=UTC)
    assert requests_to(mock_api, "POST", SYNC) == []
    with pytest.raises(ValueError, match="timezone-aware"):
        await client.connectors.wait_for_sync(CID, after=datetime(2026, 4, 7))


async def test_cancellation_stops_polling_at_once(mock_api: AioResponses) -> None:
    states(mock_api, ir(last_sync_at=T0))
    accept(mock_api)
    mock_api.get(ONE, payload=ir(last_sync_at=T0, last_sync_status="RUNNING"), repeat=True)
    async with BigdataClient(API_KEY, base_url=BASE) as client:
        task = asyncio.create_task(
            client.connectors.sync_and_wait(CID, date_limit="2026-01-01", poll_interval=30, max_poll_interval=30)
        )
        for _ in range(100):
            await asyncio.sleep(0)
            if len(requests_to(mock_api, "GET", ONE)) >= 2:
                break
        await asyncio.sleep(0.01)
        polls = len(requests_to(mock_api, "GET", ONE))
        task.cancel()
        async with asyncio.timeout(1):
            with pytest.raises(asyncio.CancelledError):
                await task
        assert len(requests_to(mock_api, "GET", ONE)) == polls == 2
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []


def test_classify_rule() -> None:
    base = datetime(2026, 4, 7, 9, tzinfo=UTC)

    def c(**kw: Any) -> Connector:
        return Connector.model_validate(ir(**kw))

    assert classify(c(last_sync_at=T0, last_sync_status="SUCCESS"), base) == "running"  # not newer
    assert classify(c(last_sync_at=None, last_sync_status="SUCCESS"), None) == "running"
    assert classify(c(last_sync_at=T1, last_sync_status="SUCCESS"), base) == "success"
    assert classify(c(last_sync_at=T1, last_sync_status="success"), base) == "success"
    assert classify(c(last_sync_at=T1, last_sync_status="SUCCESS_WITH_WARNINGS"), base) == "running"
    assert classify(c(last_sync_at=T1, last_sync_status="FAILED"), base) == "failure"
    assert classify(c(last_sync_at=T1, last_sync_status="RUNNING", last_sync_error_msg="x"), base) == "failure"
    assert classify(c(last_sync_at=T1, last_sync_status="RUNNING", last_sync_error_msg="  "), base) == "running"
    assert classify(c(last_sync_at=T0, last_sync_status="SUCCESS"), None) == "success"


async def test_sync_many_keeps_order_isolates_failures_and_bounds_concurrency(
    client: BigdataClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [f"019a9612-bfad-758c-884e-37dd8c6ad2{n:02d}" for n in range(12)]
    active = peak = 0

    async def fake_sync(http: Any, uuid: UUID, *args: Any, **kwargs: Any) -> Connector:
        nonlocal active, peak
        connector_id = str(uuid)
        active += 1
        peak = max(peak, active)
        try:
            for _ in range(3 + int(connector_id[-2:]) % 4):
                await asyncio.sleep(0)
            if connector_id.endswith(("03", "07")):
                raise SyncFailedError(Connector.model_validate(ir(connector_id=connector_id)), "FAILED", "boom")
            return Connector.model_validate(ir(connector_id=connector_id, label=f"c{connector_id[-2:]}"))
        finally:
            active -= 1

    monkeypatch.setattr(many, "sync_and_wait", fake_sync)
    outcomes = await client.connectors.sync_many(ids, date_limit="2026-01-01", concurrency=4)
    assert [o.connector_id for o in outcomes] == ids
    assert peak == 4
    failed = [o.connector_id[-2:] for o in outcomes if not o.ok]
    assert failed == ["03", "07"]
    assert all(isinstance(o.error, SyncFailedError) for o in outcomes if not o.ok)
    assert [o.connector.label for o in outcomes if o.connector] == [
        f"c{i[-2:]}" for i in ids if i[-2:] not in ("03", "07")
    ]


async def test_sync_many_mixed_types_over_http(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    email_id, sp_id = "019a9612-bfad-758c-884e-37dd8c6ad201", "019a9612-bfad-758c-884e-37dd8c6ad202"
    mock_api.get(f"{CONNECTORS}/{email_id}", payload=connector_json(connector_id=email_id))
    sp = connector_json(connector_id=sp_id, type="sharepoint", config={})
    mock_api.get(f"{CONNECTORS}/{sp_id}", payload=sp)
    mock_api.post(f"{CONNECTORS}/{sp_id}/sync", payload={"connector_id": sp_id, "status": "accepted"})
    mock_api.get(f"{CONNECTORS}/{sp_id}", payload={**sp, "last_sync_at": T1, "last_sync_status": "SUCCESS"})
    outcomes = await client.connectors.sync_many([email_id, sp_id, "not-a-uuid"], date_limit="2026-01-01")
    assert isinstance(outcomes[0].error, SyncNotSupportedError)
    assert outcomes[1].ok
    assert json.loads(requests_to(mock_api, "POST", f"{CONNECTORS}/{sp_id}/sync")[0].kwargs["data"]) == {}
    assert isinstance(outcomes[2].error, ValueError)


async def test_deadline_cutting_backoff_retries_is_a_sync_timeout(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=T0))
    accept(mock_api)
    states(mock_api, ir(last_sync_at=T0, last_sync_status="RUNNING"))
    mock_api.get(ONE, status=503, repeat=True)  # no Retry-After: exponential backoff
    start = fake_time.now
    with pytest.raises(SyncTimeoutError) as info:
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", timeout=2.6, poll_interval=2)
    assert isinstance(info.value.__cause__, InternalServerError)
    assert info.value.__cause__.deadline_exceeded
    # The transport gave up before the deadline (no backoff fitted); the last look waits for the deadline itself.
    assert fake_time.now - start == pytest.approx(2.6)
    assert info.value.connector is not None


async def test_an_outage_longer_than_the_http_retries_is_ridden_out(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 23: a wait outlives an outage of minutes (here 12 failed polls, three times the transport's own
    retries), asking again on its schedule, and logs it once; then it sees the sync succeed."""
    states(mock_api, ir(last_sync_at=T0))
    accept(mock_api)
    for _ in range(12):
        mock_api.get(ONE, status=503, payload={"message": "down"})
    states(mock_api, ir(last_sync_at=T1, last_sync_status="SUCCESS", last_sync_count=3))
    with caplog.at_level("WARNING", logger="bigdata_connectors"):
        done = await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", timeout=600)
    assert done.last_sync_count == 3
    outage = [r.getMessage() for r in caplog.records if "not answering" in r.getMessage()]
    assert len(outage) == 1
    assert str(CID) in outage[0]
    assert sum("answers again" in r.getMessage() for r in caplog.records) == 1


async def test_an_outage_until_the_deadline_is_a_sync_timeout_caused_by_it(
    mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=T0))
    accept(mock_api)
    mock_api.get(ONE, status=503, repeat=True)
    start = fake_time.now
    # No rate limit: it runs on the event loop's real clock, and this outage makes about a hundred requests.
    async with BigdataClient(
        API_KEY, base_url=BASE, sleep=fake_time.sleep, clock=fake_time.clock, rate_limit=None
    ) as client:
        with pytest.raises(SyncTimeoutError, match="keeps running on the server") as info:
            await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", timeout=600)
    assert isinstance(info.value.__cause__, InternalServerError)
    assert fake_time.now - start == pytest.approx(600)  # the last look, one attempt, right at the deadline


async def test_a_sync_that_finished_in_the_last_interval_is_a_success(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=T0))
    accept(mock_api)
    states(mock_api, *[ir(last_sync_at=T0, last_sync_status="RUNNING")] * 3)  # at 0, 4 and 8 s
    states(mock_api, ir(last_sync_at=T1, last_sync_status="SUCCESS"))  # read once more at 10 s, the deadline
    done = await client.connectors.sync_and_wait(
        CID, date_limit="2026-01-01", timeout=10, poll_interval=4, max_poll_interval=4
    )
    assert done.last_sync_status == "SUCCESS"


async def test_the_last_look_is_one_attempt_and_a_failure_no_retry_fixes_still_raises(
    client: BigdataClient, mock_api: AioResponses, fake_time: FakeTime
) -> None:
    states(mock_api, ir(last_sync_at=T0))
    accept(mock_api)
    mock_api.get(ONE, status=401, payload={"message": "key revoked"})
    with pytest.raises(AuthenticationError):
        await client.connectors.wait_for_sync(CID, after=datetime(2026, 4, 7, 9, tzinfo=UTC), timeout=600)


@pytest.mark.parametrize(
    "kwargs", [{"timeout": 0}, {"poll_interval": 0}, {"poll_interval": 5, "max_poll_interval": 1}, {"timeout": -1}]
)
async def test_bad_wait_arguments_fail_before_anything_is_sent(
    client: BigdataClient, mock_api: AioResponses, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        await client.connectors.sync_and_wait(CID, date_limit="2026-01-01", **kwargs)
    with pytest.raises(ValueError, match="poll_interval"):
        await client.connectors.wait_for_sync(CID, **kwargs)
    assert mock_api.requests == {}
