from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from switchboard.patterns.ticks import TICK, Tick, ticked


async def gated(items: list[str], gate: asyncio.Event) -> AsyncIterator[str]:
    for item in items:
        await gate.wait()
        gate.clear()
        yield item


async def test_with_nothing_due_the_items_come_as_they_are() -> None:
    async def items() -> AsyncIterator[int]:
        for n in range(3):
            yield n

    assert [x async for x in ticked(items(), lambda: None)] == [0, 1, 2]


async def test_a_due_time_that_passes_first_gives_a_tick_and_the_read_goes_on() -> None:
    gate = asyncio.Event()
    dues = iter([0.0, 0.0, None, None])  # due at once twice, then nothing: the item is waited for
    stream = ticked(gated(["a", "b"], gate), lambda: next(dues))
    got: list[str | Tick] = [await anext(stream), await anext(stream)]
    gate.set()
    got.append(await anext(stream))
    gate.set()
    got.append(await anext(stream))
    assert got == [TICK, TICK, "a", "b"]


async def test_a_read_in_flight_is_cancelled_and_waited_for_when_the_reader_leaves() -> None:
    closed = asyncio.Event()

    async def stalled() -> AsyncIterator[str]:
        try:
            await asyncio.Event().wait()
            yield "never"
        finally:
            closed.set()

    stream = ticked(stalled(), lambda: 0.0)
    assert await anext(stream) == TICK
    await stream.aclose()  # type: ignore[attr-defined]
    assert closed.is_set()


async def test_a_reader_cancelled_with_a_read_in_flight_ends_only_once_the_read_is_cancelled_and_done() -> None:
    """The customer leaves while the model is mid-chunk: the read ticked started is cancelled, and
    the reader's cancellation completes only after the source's clean-up (hanging up) has run."""
    waiting, closed = asyncio.Event(), asyncio.Event()

    async def stalled() -> AsyncIterator[str]:
        try:
            waiting.set()
            await asyncio.Event().wait()
            yield "never"
        finally:
            for _ in range(3):
                await asyncio.sleep(0)  # hanging up takes a few turns of the loop (a connection closed)
            closed.set()

    async def reader() -> None:
        async for _ in ticked(stalled(), lambda: 60.0):  # due later: the read runs in its own task
            pass

    task = asyncio.create_task(reader())
    await waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert closed.is_set()


async def test_a_held_start_goes_out_on_a_tick_before_the_next_chunk_arrives() -> None:
    from switchboard.patterns.stream_watch import EarlyRelease, StreamWatch, WatchedStrings

    now = [0.0]
    watch = StreamWatch(WatchedStrings.of(["ines okafor"]), early=EarlyRelease(0.010, 1), clock=lambda: now[0])
    gate, shown = asyncio.Event(), []

    async def model() -> AsyncIterator[str]:
        yield "I"
        now[0] = 0.010  # the bound has passed while the next chunk is on its way
        await gate.wait()  # it comes only once "I" was shown: it must have gone out on a tick
        yield " can"

    async for item in ticked(model(), watch.due):
        shown.append(watch.tick() if isinstance(item, Tick) else watch.feed(item))
        if "I" in shown:
            gate.set()
    assert shown == ["", "I", " can"]
