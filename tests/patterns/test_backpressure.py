"""The stream window: a bounded buffer whose producer waits for its consumer."""

from __future__ import annotations

import asyncio

import pytest

from switchboard.patterns.backpressure import Stalled, StreamWindow


async def test_a_producer_puts_up_to_the_size_then_waits_for_a_take() -> None:
    window = StreamWindow(size=3, stall_s=60)
    produced = 0

    async def producer() -> None:
        nonlocal produced
        for _ in range(10):
            await window.put()
            produced += 1

    task = asyncio.create_task(producer())
    await window.full.wait()  # the fourth put found no room
    assert produced == 3 and window.in_flight == 3 and not task.done()
    window.take()
    while window.waited < 2:  # the producer's next turn on the loop: no time passes
        await asyncio.sleep(0)
    # the one taken let exactly one more in
    assert produced == 4 and window.waited == 2
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_consumer_that_takes_nothing_for_the_stall_time_is_taken_as_gone() -> None:
    window = StreamWindow(size=2, stall_s=0)  # 0: a full window does not wait at all
    await window.put()
    await window.put()
    with pytest.raises(Stalled, match="none of the last 2 items"):
        await window.put()
    assert window.in_flight == 2 and not window.full.is_set()


async def test_taking_items_put_without_the_window_never_goes_below_zero() -> None:
    window = StreamWindow(size=1, stall_s=0)
    window.take()  # a closing line the producer wrote around the window
    assert window.in_flight == 0
    await window.put()  # room for one, as if nothing had been taken
    with pytest.raises(Stalled):
        await window.put()


def test_a_window_holds_at_least_one_item() -> None:
    with pytest.raises(ValueError, match="at least one"):
        StreamWindow(size=0, stall_s=1)
