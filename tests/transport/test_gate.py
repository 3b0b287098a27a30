"""The places-on-the-wire gate: at most N holders, first come first served, nothing lost to cancellation."""

from __future__ import annotations

import asyncio

import pytest

from bigdata_connectors._transport.lifecycle import Gate


async def test_free_places_are_taken_without_waiting_then_the_gate_is_locked() -> None:
    gate = Gate(2)
    assert gate.try_acquire()
    assert gate.try_acquire()
    assert gate.locked()
    assert not gate.try_acquire()
    gate.release()
    assert not gate.locked()
    await gate.acquire()  # a free place: returns at once
    assert gate.locked()


async def test_waiters_are_served_in_arrival_order() -> None:
    gate, order = Gate(1), []
    assert gate.try_acquire()

    async def holder(name: str) -> None:
        await gate.acquire()
        order.append(name)
        gate.release()

    tasks = [asyncio.create_task(holder(n)) for n in "abc"]
    await asyncio.sleep(0)
    assert not gate.try_acquire()  # others wait: no overtaking by a newcomer
    gate.release()
    await asyncio.gather(*tasks)
    assert order == ["a", "b", "c"]
    assert not gate.locked()


async def test_a_cancelled_waiter_leaves_the_line_and_loses_no_place() -> None:
    gate = Gate(1)
    assert gate.try_acquire()
    waiting = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    gate.release()
    assert gate.try_acquire()  # the one place is free again, not held by the cancelled waiter


async def test_a_place_handed_to_a_waiter_cancelled_before_it_resumed_goes_to_the_next() -> None:
    gate = Gate(1)
    assert gate.try_acquire()
    first = asyncio.create_task(gate.acquire())
    second = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    gate.release()  # hands the place to `first` ...
    first.cancel()  # ... which is cancelled before it runs again
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)  # the place went on to `second`
    assert gate.locked()
    gate.release()
    assert not gate.locked()


async def test_a_timeout_around_acquire_gives_up_cleanly() -> None:
    gate = Gate(1)
    assert gate.try_acquire()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await gate.acquire()
    assert gate.locked()  # still held by the first holder, with nobody waiting
    gate.release()
    assert gate.try_acquire()
