"""The throttled flush: the newest text saved now and then, one write at a time, never per token."""

from __future__ import annotations

import asyncio

import pytest

from switchboard.patterns.throttled_flush import ThrottledFlush, closes_a_sentence


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Store:
    """A write that lands only when the test lets it."""

    def __init__(self) -> None:
        self.saved: list[str] = []
        self.begun: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def write(self, text: str) -> None:
        self.begun.append(text)
        await self.gate.wait()
        self.saved.append(text)


async def settle() -> None:
    for _ in range(5):  # let the background write run to its end; no time passes
        await asyncio.sleep(0)


async def test_tokens_within_the_interval_are_not_written_one_by_one() -> None:
    clock, store = Clock(), Store()
    flush = ThrottledFlush(store.write, clock, every=0.25)
    flush.offer("Your")  # the first text is written at once
    await settle()
    for text in ("Your order", "Your order is", "Your order is on"):
        clock.now += 0.05
        flush.offer(text)
        await settle()
    assert store.saved == ["Your"]
    clock.now = 0.25
    flush.offer("Your order is on its")
    await settle()
    assert store.saved == ["Your", "Your order is on its"] and flush.writes == 2


async def test_a_sentence_end_is_written_without_waiting_for_the_interval() -> None:
    clock, store = Clock(), Store()
    flush = ThrottledFlush(store.write, clock, every=0.25)
    flush.offer("It")
    await settle()
    clock.now = 0.01
    flush.offer("It shipped. T")  # a chunk can carry a sentence's end and the next one's start
    await settle()
    clock.now = 0.02
    flush.offer("It shipped. Track")  # no new sentence end: waits for the interval
    await settle()
    assert store.saved == ["It", "It shipped. T"]


async def test_one_write_at_a_time_and_what_came_meanwhile_is_written_next_in_one_piece() -> None:
    clock, store = Clock(), Store()
    flush = ThrottledFlush(store.write, clock, every=0.25)
    store.gate.clear()  # the database is slow
    flush.offer("A.")
    for text in ("A. B.", "A. B. C.", "A. B. C. D."):
        clock.now += 0.3
        flush.offer(text)
    await settle()
    assert store.begun == ["A."]  # still in flight: nothing else begins
    store.gate.set()
    await settle()
    assert store.saved == ["A.", "A. B. C. D."]  # the three offers coalesced into one write


async def test_drain_waits_for_the_write_in_flight_and_begins_no_other() -> None:
    clock, store = Clock(), Store()
    flush = ThrottledFlush(store.write, clock, every=0.25)
    store.gate.clear()
    flush.offer("Half an")
    flush.offer("Half an answer.")
    draining = asyncio.create_task(flush.drain())
    await settle()
    assert not draining.done()
    store.gate.set()
    await draining
    assert store.saved == ["Half an"]  # the rest is the caller's final write
    flush.offer("Half an answer. More.")
    await settle()
    assert store.begun == ["Half an"]


async def test_a_failed_write_is_logged_and_the_next_one_still_happens(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    saved: list[str] = []

    async def flaky(text: str) -> None:
        if not saved and text == "One.":
            saved.append("")  # fail once
            raise OSError("database is locked")
        saved.append(text)

    flush = ThrottledFlush(flaky, clock, every=0.25)
    flush.offer("One.")
    await settle()
    flush.offer("One. Two.")
    await settle()
    assert saved == ["", "One. Two."]
    (failure,) = caplog.records
    assert failure.exc_info is not None and "database is locked" in str(failure.exc_info[1])


def test_what_ends_a_sentence() -> None:
    assert all(closes_a_sentence(t) for t in ("Done.", "Really?! ", "(see [faq].)", "a list:\n", "fund. T"))
    assert not any(closes_a_sentence(t) for t in ("", "order 10057", "$3.50 for", "e.g"))
