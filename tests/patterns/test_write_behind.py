"""Write-behind: many streams' newest values, saved in batches, never a write per token."""

from __future__ import annotations

import asyncio

import pytest

from switchboard.patterns.write_behind import WriteBehind
from tests.fakes import Clock


class Store:
    """Batches that land only when the test lets them."""

    def __init__(self) -> None:
        self.begun: list[dict[str, str]] = []
        self.saved: list[dict[str, str]] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def write_many(self, batch: dict[str, str]) -> None:
        self.begun.append(dict(batch))
        await self.gate.wait()
        self.saved.append(dict(batch))


async def settle() -> None:
    for _ in range(5):  # let a background batch run to its end; no time passes
        await asyncio.sleep(0)


async def test_the_first_offer_is_written_at_once_and_the_rest_of_the_interval_waits() -> None:
    clock, store = Clock(0.0), Store()
    drafts = WriteBehind(store.write_many, clock, every=0.25)
    for text in ("Our", "Our tents", "Our tents are"):
        drafts.offer("a", text)
        clock.now += 0.05
    await settle()
    assert store.saved == [{"a": "Our"}]
    clock.now += 0.25
    drafts.offer("a", "Our tents are waterproof")
    await settle()
    assert store.saved == [{"a": "Our"}, {"a": "Our tents are waterproof"}]  # the newest text only


async def test_many_streams_share_one_batch() -> None:
    clock, store = Clock(0.0), Store()
    drafts = WriteBehind(store.write_many, clock, every=0.25)
    drafts.offer("warmup", "x")
    await settle()
    for token in range(10):  # three answers streaming at once, ten tokens each
        for stream in ("a", "b", "c"):
            drafts.offer(stream, f"{stream}{token}")
    clock.now += 0.25
    drafts.offer("a", "a10")
    await settle()
    assert store.saved[1:] == [{"a": "a10", "b": "b9", "c": "c9"}]
    assert drafts.batches == 2  # 31 offers, two writes


async def test_one_batch_at_a_time_and_what_came_meanwhile_goes_in_the_next() -> None:
    clock, store = Clock(0.0), Store()
    drafts = WriteBehind(store.write_many, clock, every=0.25)
    store.gate.clear()  # the database is slow
    drafts.offer("a", "A.")
    for text in ("A. B.", "A. B. C."):
        clock.now += 0.3
        drafts.offer("a", text)
    await settle()
    assert store.begun == [{"a": "A."}]  # still in flight: nothing else begins
    store.gate.set()
    await drafts.drain()
    assert store.saved == [{"a": "A."}, {"a": "A. B. C."}]  # the batch landing began the next


async def test_a_forgotten_key_is_not_written_after_its_final_write() -> None:
    clock, store = Clock(0.0), Store()
    drafts = WriteBehind(store.write_many, clock, every=0.25)
    drafts.offer("a", "Half")
    await settle()
    drafts.offer("a", "Half an answer")  # not due yet: pending
    drafts.forget("a")  # the answer finished; the caller wrote it
    clock.now += 1
    drafts.offer("b", "Other")
    await settle()
    assert store.saved == [{"a": "Half"}, {"b": "Other"}]


async def test_a_failed_batch_is_logged_and_the_next_one_still_happens(caplog: pytest.LogCaptureFixture) -> None:
    clock, saved = Clock(0.0), []

    async def flaky(batch: dict[str, str]) -> None:
        if not saved:
            saved.append({})
            raise OSError("database is locked")
        saved.append(batch)

    drafts = WriteBehind(flaky, clock, every=0.25)
    drafts.offer("a", "One.")
    await settle()
    clock.now += 0.3
    drafts.offer("a", "One. Two.")
    await settle()
    assert saved[1:] == [{"a": "One. Two."}]
    assert "failed" in caplog.text and "database is locked" in caplog.text


async def test_flush_writes_what_waits_for_the_interval_at_once() -> None:
    written: list[dict[str, str]] = []

    async def write_many(batch: dict[str, str]) -> None:
        written.append(dict(batch))

    clock = [0.0]
    behind: WriteBehind[str, str] = WriteBehind(write_many, lambda: clock[0], every=10.0)
    behind.offer("a", "1")
    await behind.drain()
    behind.offer("b", "2")  # within the interval: it waits
    await behind.drain()
    assert written == [{"a": "1"}]
    await behind.flush()
    assert written == [{"a": "1"}, {"b": "2"}]
    await behind.flush()  # nothing pending: nothing written
    assert len(written) == 2
