"""The one poll loop (``_poll``): the schedule, the deadline rule, riding out an outage, the final look."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from itertools import islice
from typing import Any

import pytest

from bigdata_connectors import APIConnectionError, BadRequestError, InternalServerError, RateLimitError
from bigdata_connectors._poll import Expired, growing, poll
from tests.conftest import FakeTime

Probe = Callable[[float | None], Awaitable[str | None]]


def answers(fake_time: FakeTime, *script: object) -> tuple[Probe, list[tuple[float, float | None]]]:
    """A probe that answers from ``script`` (an exception is raised, anything else returned) and records when it
    was asked and with which deadline."""
    asked: list[tuple[float, float | None]] = []
    queue = list(script)

    async def probe(deadline: float | None) -> str | None:
        asked.append((fake_time.now, deadline))
        item = queue.pop(0) if queue else None
        if isinstance(item, BaseException):
            raise item
        return item if isinstance(item, str) else None

    return probe, asked


async def run(fake_time: FakeTime, probe: Probe, *, within: float, every: float, **options: Any) -> str:
    """``poll`` on the test's clock: the deadline ``within`` seconds from now, a probe every ``every`` seconds."""
    return await poll(
        probe,
        deadline=fake_time.now + within,
        schedule=growing(every, every, factor=1.0),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        **options,
    )


def test_growing_schedule() -> None:
    assert list(islice(growing(0.25, 2.0, factor=2.0), 6)) == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    for interval, base in zip(growing(2.0, 30.0, factor=1.5, jitter=0.1), [2.0, 3.0, 4.5, 6.75], strict=False):
        assert base * 0.9 <= interval <= base * 1.1


async def test_first_probe_at_once_then_the_schedule_and_the_answer_is_returned(fake_time: FakeTime) -> None:
    probe, asked = answers(fake_time, None, None, "done")
    start = fake_time.now
    got = await poll(
        probe, deadline=start + 60, schedule=growing(1.0, 4.0, factor=2.0), clock=fake_time.clock, sleep=fake_time.sleep
    )
    assert got == "done"
    assert [t - start for t, _ in asked] == [0.0, 1.0, 3.0]
    assert all(deadline == start + 60 for _, deadline in asked)  # each probe's requests are bounded by it


async def test_no_sleep_ends_past_the_deadline(fake_time: FakeTime) -> None:
    probe, asked = answers(fake_time)
    start = fake_time.now
    with pytest.raises(Expired) as gone:
        await run(fake_time, probe, within=5, every=2.0)
    assert gone.value.failure is None
    assert fake_time.sleeps == [2.0, 2.0, 1.0]
    assert fake_time.now == start + 5
    assert len(asked) == 3  # no look at the deadline itself without final_look


async def test_final_look_sees_what_finished_in_the_last_interval(fake_time: FakeTime) -> None:
    probe, asked = answers(fake_time, None, None, "finished meanwhile")
    start = fake_time.now
    got = await run(fake_time, probe, within=3, every=2.0, final_look=True)
    assert got == "finished meanwhile"
    assert asked[-1] == (start + 3, None)  # at the deadline, with no deadline of its own


async def test_an_outage_is_ridden_out_and_logged_once(fake_time: FakeTime, caplog: pytest.LogCaptureFixture) -> None:
    down = [APIConnectionError("refused", request_sent=False) for _ in range(5)]
    probe, asked = answers(fake_time, None, *down, "back")
    with caplog.at_level(logging.WARNING, logger="bigdata_connectors"):
        got = await run(fake_time, probe, within=600, every=1.0, ride_out=True, what="sync of x")
    assert got == "back"
    assert len(asked) == 7
    messages = [r.getMessage() for r in caplog.records]
    assert sum("not answering" in m for m in messages) == 1
    assert sum("answers again" in m for m in messages) == 1


async def test_an_outage_waits_out_its_retry_after(fake_time: FakeTime) -> None:
    limited = RateLimitError("slow down", status_code=429, retry_after=7.0)
    probe, _ = answers(fake_time, limited, "ok")
    await run(fake_time, probe, within=60, every=1.0, ride_out=True)
    assert fake_time.sleeps == [7.0]


async def test_without_ride_out_a_transient_failure_is_raised(fake_time: FakeTime) -> None:
    probe, _ = answers(fake_time, InternalServerError("boom", status_code=503))
    with pytest.raises(InternalServerError):
        await run(fake_time, probe, within=60, every=1.0)


async def test_a_failure_no_retry_fixes_is_raised_even_when_riding_out(fake_time: FakeTime) -> None:
    probe, _ = answers(fake_time, BadRequestError("no", status_code=400))
    with pytest.raises(BadRequestError):
        await run(fake_time, probe, within=60, every=1.0, ride_out=True)


async def test_a_failure_the_deadline_cut_short_ends_the_wait_as_expired(fake_time: FakeTime) -> None:
    cut = InternalServerError("busy", status_code=503)
    cut.deadline_exceeded = True
    probe, asked = answers(fake_time, cut)
    with pytest.raises(Expired) as gone:
        await run(fake_time, probe, within=60, every=1.0)
    assert gone.value.failure is cut
    assert len(asked) == 1


async def test_a_failed_final_look_is_expired_with_its_failure(fake_time: FakeTime) -> None:
    refused = APIConnectionError("refused", request_sent=False)
    probe, _ = answers(fake_time, None, None, refused)
    with pytest.raises(Expired) as gone:
        await run(fake_time, probe, within=2, every=1.0, final_look=True)
    assert gone.value.failure is refused


async def test_the_final_look_waits_for_the_deadline_when_the_transport_gave_up_before_it(fake_time: FakeTime) -> None:
    """A probe's retries stop short of the deadline when no backoff fits (``deadline_exceeded``): the last look is
    still taken at the deadline itself, not there and then."""
    start = fake_time.now
    cut = InternalServerError("busy", status_code=503)
    cut.deadline_exceeded = True

    async def probe(deadline: float | None) -> str | None:
        asked.append((fake_time.now, deadline))
        if deadline is None:
            return "finished meanwhile"
        await fake_time.sleep(1.7)  # its retries, until no backoff fits before the deadline
        raise cut

    asked: list[tuple[float, float | None]] = []
    assert await run(fake_time, probe, within=2, every=1.0, final_look=True) == "finished meanwhile"
    assert asked == [(start, start + 2), (start + 2, None)]
