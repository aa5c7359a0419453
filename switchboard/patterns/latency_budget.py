"""A latency budget: one deadline for a whole turn, handed to every call inside it.

Per-call timeouts alone let a turn of three calls take three timeouts. A deadline fixed when
the turn starts makes every later step ask "how much time is left?" — a call waits at most
that long, a retry is not started if its backoff would overrun it — so the turn gives up early
enough to answer some other way (a degraded answer) instead of late with an error.

    remaining = deadline − now        wait for a call = min(idle timeout, remaining)

A budget covers the whole turn only if every step asks, not just the model calls: in Switchboard
the agents check it before every graph step, model call and tool call, and a retry's backoff
must fit in what remains. And a step can be stuck in an await that asks nothing (a write queued
behind a hundred others): `until` runs the whole stream as a task of its own and stops waiting
for it when the time is up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
_ITEM, _END, _ERROR = "item", "end", "error"


class BudgetSpent(TimeoutError):
    """The deadline passed while the next item was still on its way."""


async def until(
    deadline: Deadline, source: AsyncIterator[T], grace: float = 0.5, cleanup_s: float = 0.25
) -> AsyncIterator[T]:
    """`source`'s items as they come, until `grace` seconds past the deadline; then
    `BudgetSpent`, and `source` is cancelled and closed wherever it was waiting. With no
    deadline, `source` itself.

        wait for the next item ≤ remaining + grace

    The grace lets a source that keeps to the deadline itself (the graph's nodes check it)
    end on its own terms — reporting what it did, a tool call say — so the hard cut is only for
    a source stuck in an await that checks nothing. The source runs in a task of its own,
    handing items over one at a time (a queue of one, so it never runs ahead of its reader);
    its errors are raised here, where it is read.

    A source that is cut gets `cleanup_s` seconds to close itself (its `finally` blocks); one
    whose clean-up takes longer (a checkpoint write queued on a busy database) finishes it in
    the background rather than on the reader's time."""
    if deadline.at is None:
        async for item in source:
            yield item
        return
    handover: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(maxsize=1)
    task = asyncio.create_task(_pump(source, handover))
    try:
        while True:
            kind, value = await _next(handover, deadline, grace)
            if kind == _END:
                return
            if kind == _ERROR:
                raise value
            yield value
    finally:
        task.cancel()
        await _let_go(task, cleanup_s)


_CLEANING_UP: set[asyncio.Task[None]] = set()  # cut sources still closing: held so none is collected


async def _let_go(task: asyncio.Task[None], cleanup_s: float) -> None:
    """Waits up to `cleanup_s` for a cancelled source to close, then leaves it to finish alone."""
    await asyncio.shield(asyncio.wait({task}, timeout=cleanup_s))
    if not task.done():
        _CLEANING_UP.add(task)
        task.add_done_callback(_forget)


def _forget(task: asyncio.Task[None]) -> None:
    _CLEANING_UP.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("a cut stream failed while closing", exc_info=task.exception())


async def _next(handover: asyncio.Queue[tuple[str, Any]], deadline: Deadline, grace: float) -> tuple[str, Any]:
    """What was handed over already (even past the deadline: it happened), else what comes in time.

    `asyncio.timeout`, not `wait_for`: on Python 3.11, a reader cancelled in the very step an item
    is handed over gets the item from `wait_for` and its cancellation is lost — the customer left,
    yet the stream read on and never closed (the model was not hung up on)."""
    if not handover.empty():
        return handover.get_nowait()
    try:
        async with asyncio.timeout((deadline.remaining() or 0.0) + grace):
            return await handover.get()
    except TimeoutError:
        raise BudgetSpent("the latency budget ran out waiting for the next step") from None


async def _pump(source: AsyncIterator[T], handover: asyncio.Queue[tuple[str, Any]]) -> None:
    try:
        async for item in source:
            await handover.put((_ITEM, item))
        await handover.put((_END, None))
    except Exception as error:  # handed to the reader, which raises it as its own
        await handover.put((_ERROR, error))
    finally:
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            await aclose()


class Deadline:
    def __init__(self, at: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        """`at` is an instant on `clock`; None means no budget."""
        self.at = at
        self._clock = clock

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - self._clock())

    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0

    def allows(self, seconds: float) -> bool:
        """Is there time to wait `seconds` and still do something after?"""
        remaining = self.remaining()
        return remaining is None or seconds < remaining

    def cap(self, timeout: float) -> float:
        remaining = self.remaining()
        return timeout if remaining is None else min(timeout, remaining)


class TurnBudget:
    """How one turn spends its latency budget, from the instant it started (on `clock`):

        finish               = start + budget
        wait for a slot  ≤  finish − start reserve − now      start reserve    = min(3 s, budget / 3)
        the graph's deadline = finish − fallback reserve       fallback reserve = min(1.5 s, budget / 3)
        a fallback by        finish                            (an answer without a model, after a cut)

    The start reserve keeps a turn from starting with too little time to answer; the fallback
    reserve keeps time, once the graph is cut, for the answer that needs no model. Every method
    returns None when there is no budget (`seconds` None).
    """

    START_RESERVE_S = 3.0
    FALLBACK_RESERVE_S = 1.5

    def __init__(self, seconds: float | None, started: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.started = started
        self._clock = clock

    def longest_wait(self) -> float | None:
        """How long the turn may wait to start."""
        return (
            None
            if self.seconds is None
            else max(0.0, self._finish() - self._reserve(self.START_RESERVE_S) - self._clock())
        )

    def graph_deadline(self) -> float | None:
        """When the graph must be done, on `clock`."""
        return None if self.seconds is None else self._finish() - self._reserve(self.FALLBACK_RESERVE_S)

    def time_left(self) -> float | None:
        """Until the budget is spent (never negative)."""
        return None if self.seconds is None else max(0.0, self._finish() - self._clock())

    def _finish(self) -> float:
        assert self.seconds is not None
        return self.started + self.seconds

    def _reserve(self, most: float) -> float:
        assert self.seconds is not None
        return min(most, self.seconds / 3)
