import asyncio
from collections.abc import AsyncIterator

import pytest

from switchboard.patterns.latency_budget import BudgetSpent, Deadline, TurnBudget, until
from tests.fakes import Clock


def test_the_deadline_counts_down_and_caps_waits() -> None:
    clock = Clock(10.0)
    deadline = Deadline.after(2.0, clock)
    assert deadline.remaining() == 2.0 and deadline.cap(5.0) == 2.0 and deadline.cap(1.0) == 1.0
    clock.now += 1.5
    assert deadline.allows(0.4) and not deadline.allows(0.5)
    clock.now += 1.0
    assert deadline.expired() and deadline.remaining() == 0.0


def test_no_budget_never_expires() -> None:
    open_ended = Deadline(None)
    assert open_ended.remaining() is None and not open_ended.expired() and open_ended.cap(3.0) == 3.0
    assert open_ended.allows(1e9)


# `until`: a stream given up at its deadline, wherever it is waiting. The deadlines here are
# already past (or absent), and the grace is 0, so no test waits on a real clock.


class Stuck:
    """Yields `items`, then waits for something that never comes (as a queued write can)."""

    def __init__(self, *items: str) -> None:
        self.items = items
        self.cleaned_up = False

    async def __call__(self) -> AsyncIterator[str]:
        try:
            for item in self.items:
                yield item
            await asyncio.Event().wait()
        finally:
            self.cleaned_up = True


PAST = Deadline(0.0, clock=lambda: 5.0)


async def test_a_stream_stuck_past_its_deadline_is_cut_and_cleaned_up() -> None:
    stuck = Stuck()
    with pytest.raises(BudgetSpent):
        _ = [item async for item in until(PAST, stuck(), grace=0)]
    assert stuck.cleaned_up


async def test_the_stream_runs_until_its_deadline_then_is_cut() -> None:
    clock, stuck, got = Clock(10.0), Stuck("routed", "tool ran"), []
    with pytest.raises(BudgetSpent):
        async for item in until(Deadline.after(2.0, clock), stuck(), grace=0):
            got.append(item)
            clock.now += 1.5  # each step takes a while: the second one ends past the deadline
    assert got == ["routed", "tool ran"] and stuck.cleaned_up


class SlowToClose:
    """Waits for ever; once cut, its clean-up waits for `closed` (a write on a busy database)."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()
        self.cleaned_up = False

    async def __call__(self) -> AsyncIterator[str]:
        try:
            await asyncio.Event().wait()
            yield "never"
        finally:
            await self.closed.wait()
            self.cleaned_up = True


async def test_a_cut_stream_slow_to_close_finishes_closing_in_the_background() -> None:
    slow = SlowToClose()
    with pytest.raises(BudgetSpent):  # given up at once: the reader does not wait on the clean-up
        _ = [item async for item in until(PAST, slow(), grace=0, cleanup_s=0)]
    assert not slow.cleaned_up
    slow.closed.set()
    for _ in range(3):
        await asyncio.sleep(0)  # a few turns of the loop for the background clean-up
    assert slow.cleaned_up


async def test_the_streams_own_error_is_raised_to_its_reader() -> None:
    async def failing() -> AsyncIterator[str]:
        yield "first"
        raise ValueError("the graph failed")

    got = []
    with pytest.raises(ValueError, match="the graph failed"):
        async for item in until(Deadline(10.0, clock=lambda: 0.0), failing()):
            got.append(item)
    assert got == ["first"]


async def test_without_a_deadline_the_stream_is_read_as_it_is() -> None:
    async def three() -> AsyncIterator[int]:
        for n in range(3):
            yield n

    assert [n async for n in until(Deadline(None), three())] == [0, 1, 2]


def test_a_turns_budget_keeps_time_to_start_and_time_to_fall_back() -> None:
    clock = Clock(10.0)
    budget = TurnBudget(10.0, started=0.0, clock=clock)
    clock.now = 2.0
    assert budget.longest_wait() == 5.0  # 10 − 3 (to answer once started) − 2 already gone
    assert budget.graph_deadline() == 8.5  # 1.5 s kept for the answer without a model
    assert budget.time_left() == 8.0
    clock.now = 12.0
    assert budget.longest_wait() == 0.0 and budget.time_left() == 0.0  # never negative


def test_a_short_budget_keeps_a_third_of_itself_for_each_reserve() -> None:
    budget = TurnBudget(3.0, started=0.0, clock=lambda: 0.0)
    assert budget.longest_wait() == 2.0 and budget.graph_deadline() == 2.0


def test_without_a_budget_nothing_is_limited() -> None:
    budget = TurnBudget(None, started=0.0)
    assert budget.longest_wait() is None and budget.graph_deadline() is None and budget.time_left() is None


async def test_a_reader_cancelled_as_an_item_is_handed_over_is_cancelled_and_the_stream_closed() -> None:
    """The customer leaves in the very step the graph hands an event over: the reader must end
    cancelled and the stream be closed, not read on (Python 3.11's `wait_for` lost that cancel)."""
    readers: list[asyncio.Task[None]] = []
    cleaned_up, got = asyncio.Event(), []

    async def graph() -> AsyncIterator[str]:
        try:
            yield "step"  # handed over at once: the reader's wait for it is done ...
            readers[0].cancel()  # ... and, before the reader runs again, it is cancelled
            yield "answer"
        finally:
            cleaned_up.set()

    async def read() -> None:
        async for item in until(Deadline(10.0, clock=lambda: 0.0), graph()):
            got.append(item)

    readers.append(asyncio.create_task(read()))
    with pytest.raises(asyncio.CancelledError):
        await readers[0]
    assert got == [] and cleaned_up.is_set()
