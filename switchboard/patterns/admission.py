"""Admission: at most `limit` turns run at once; the rest wait, no longer than they can afford.

Past a process's capacity every turn slows down together — each waits longer for the CPU, the
database and the event loop — until all of them miss their latency budget, even the ones that
are only giving up. A limit on what runs at once keeps the admitted turns fast; a turn that
cannot get a slot before its deadline is not started at all, and answers at once that it could
not be served in time (cheap, and honest), instead of joining the crowd.

    wait for a slot ≤ the time left in the turn's budget      (no budget: wait as long as it takes)
    already `queue` turns waiting  →  not admitted, at once   (the line is longer than a budget)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Admission:
    def __init__(self, limit: int, queue: int | None = None) -> None:
        """`queue`: how many may wait for a slot (default: as many as run); one more is turned
        away at once rather than left to wait out its budget."""
        if limit < 1:
            raise ValueError("an admission limit must let at least one turn in")
        self.limit = limit
        self.queue = limit if queue is None else queue
        self._slots = asyncio.Semaphore(limit)
        self.waiting = 0
        self.running = 0  # turns holding a slot now: what /metrics shows as turns in flight

    @asynccontextmanager
    async def slot(self, timeout: float | None) -> AsyncIterator[bool]:
        """Yields whether the turn got a slot within `timeout` seconds; the slot is given back
        however the turn ends."""
        admitted = await self._acquire(timeout)
        self.running += admitted
        try:
            yield admitted
        finally:
            if admitted:
                self.running -= 1
                self._slots.release()

    async def _acquire(self, timeout: float | None) -> bool:
        if self._slots.locked() and self.waiting >= self.queue:
            return False
        self.waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
