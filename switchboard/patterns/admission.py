"""Admission: at most `limit` turns run at once; the rest wait, no longer than they can afford.

Past a process's capacity every turn slows down together — each waits longer for the CPU, the
database and the event loop — until all of them miss their latency budget, even the ones that
are only giving up. A limit on what runs at once keeps the admitted turns fast; a turn that
cannot get a slot before its deadline is not started at all, and answers at once that it could
not be served in time (cheap, and honest), instead of joining the crowd.

    wait for a slot ≤ the time left in the turn's budget      (no budget: wait as long as it takes)
    already `queue` turns waiting  →  not admitted, at once   (the line is longer than a budget)

Load shedding (`door`) decides the same thing earlier, at the door, before a message is stored:
a pure verdict of the admission's numbers now (`Load`) and the max wait allowed,

    free slot (running < limit)                        →  admitted, expected wait 0
    expected wait  w = (waiting + 1) × T / limit       T: the recent time a turn holds its slot
                                                          (an exponential average, α = 0.2, by the
                                                          admission's injectable clock); the
                                                          `limit` slots free one every T / limit
    waiting ≥ queue                                    →  shed, "queue_full"
    w > max_wait                                       →  shed, "wait_too_long"
    shed: Retry-After = max(1, ⌈w⌉) seconds            (T unknown yet, before any turn ended: w = 0)
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

ShedReason = Literal["queue_full", "wait_too_long"]
DEFAULT_MAX_WAIT_S = 5.0  # half the default turn budget: a turn queued longer mostly misses it
SMOOTHING = 0.2  # the weight of the newest turn in the recent turn time: a few turns move it


@dataclass(frozen=True)
class Load:
    """The admission's numbers at one instant: what a verdict is a function of."""

    limit: int
    running: int
    waiting: int
    queue: int
    turn_s: float | None  # the recent time a turn holds a slot; None before any turn ended


@dataclass(frozen=True)
class Verdict:
    """Admit a new message or shed it, and how long it would wait for a slot."""

    shed: ShedReason | None
    expected_wait_s: float

    @property
    def retry_after_s(self) -> int:
        """Whole seconds, at least one: a client told 0 would come back at once into the crowd."""
        return max(1, math.ceil(self.expected_wait_s))


def verdict(load: Load, max_wait_s: float) -> Verdict:
    """The door's decision (the formula is in the module's docstring)."""
    if load.running < load.limit:
        return Verdict(None, 0.0)
    wait = (load.waiting + 1) * (load.turn_s or 0.0) / load.limit
    if load.waiting >= load.queue:
        return Verdict("queue_full", wait)
    return Verdict("wait_too_long" if wait > max_wait_s else None, wait)


class Admission:
    def __init__(
        self,
        limit: int,
        queue: int | None = None,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`queue`: how many may wait for a slot (default: as many as run); one more is turned
        away at once rather than left to wait out its budget. `max_wait_s`: the longest expected wait
        the door admits a message to (load_shedding). `clock` times how long a turn holds
        its slot (the recent turn time a door's verdict uses)."""
        if limit < 1:
            raise ValueError("an admission limit must let at least one turn in")
        self.limit = limit
        self.queue = limit if queue is None else queue
        self._slots = asyncio.Semaphore(limit)
        self.waiting = 0
        self.running = 0  # turns holding a slot now: what /metrics shows as turns in flight
        self.turn_s: float | None = None  # recent seconds a turn holds its slot (SMOOTHING)
        self.max_wait_s = max_wait_s
        self._clock = clock

    def load(self) -> Load:
        return Load(self.limit, self.running, self.waiting, self.queue, self.turn_s)

    def door(self) -> Verdict:
        """load_shedding: whether a new message should be refused now, before it is stored."""
        return verdict(self.load(), self.max_wait_s)

    @asynccontextmanager
    async def slot(self, timeout: float | None) -> AsyncIterator[bool]:
        """Yields whether the turn got a slot within `timeout` seconds; the slot is given back
        however the turn ends."""
        admitted = await self._acquire(timeout)
        self.running += admitted
        began = self._clock()
        try:
            yield admitted
        finally:
            if admitted:
                self.running -= 1
                self._slots.release()
                self._timed(self._clock() - began)

    def _timed(self, held_s: float) -> None:
        last = self.turn_s
        self.turn_s = held_s if last is None else last + SMOOTHING * (held_s - last)

    async def _acquire(self, timeout: float | None) -> bool:
        if self._slots.locked() and self.waiting >= self.queue:
            return False
        self.waiting += 1
        try:
            # Not asyncio.wait_for: in 3.11 it returns the slot to a turn cancelled in the step
            # its wait ended, and the cancelled turn runs anyway.
            async with asyncio.timeout(timeout):
                await self._slots.acquire()
            return True
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
