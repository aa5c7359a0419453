"""Write-behind: the newest value of many streams, saved together, one batch at a time.

Saving a streamed answer as it grows keeps what the reader saw when the process dies. Saving
each stream on its own makes forty answers streaming at once into some hundred and sixty
writes a second, all queued on one database (SQLite takes one writer at a time); under load
the queue, not the model, is what customers wait for. Write-behind keeps only the newest value
per key and writes everything pending in one batch:

    offer(key, value)  pending[key] = value            (a newer value replaces an older one)
    a batch begins     when something is pending, no batch is in flight, and `every` seconds
                       have passed since the last batch began — checked at each offer and
                       when a batch lands
    forget(key)        the key's final value is the caller's own write: drop what is pending
    flush()            what is pending written now, whatever the interval says (before a read
                       that must see it, and at shutdown)

So a key's newest value reaches the store at most `every` seconds after it was offered plus
the time one batch takes (as long as offers keep coming; a stream's last words are its
caller's final write), and batches per second ≤ 1/every, however many streams there are.
A failed batch is logged and not retried: its keys' next offers carry newer values.

The store's write must not let an old value land over a final one written meanwhile (for
Switchboard, a draft only updates an answer not yet finished).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class WriteBehind(Generic[K, V]):
    def __init__(
        self, write_many: Callable[[dict[K, V]], Awaitable[None]], clock: Callable[[], float], every: float = 0.25
    ) -> None:
        self._write_many = write_many
        self._clock = clock
        self._every = every
        self._pending: dict[K, V] = {}
        self._began: float | None = None  # when the last batch began
        self._in_flight: asyncio.Task[None] | None = None
        self.batches = 0

    def offer(self, key: K, value: V) -> None:
        """The newest value for `key`; written with the next batch."""
        self._pending[key] = value
        self._maybe_begin()

    def forget(self, key: K) -> None:
        """Nothing more to write for `key`: its final value is written by the caller."""
        self._pending.pop(key, None)

    async def flush(self) -> None:
        """Waits until everything offered so far is written, beginning a batch now if need be."""
        await self.drain()
        if self._pending:
            self._began = None  # the interval is for the store's sake; a reader waiting now comes first
            self._maybe_begin()
            await self.drain()

    async def drain(self) -> None:
        """Waits for the batch in flight, if any (it may begin the next one as it lands)."""
        while self._in_flight is not None:
            await asyncio.shield(self._in_flight)

    def _maybe_begin(self) -> None:
        waited = self._began is None or self._clock() - self._began >= self._every
        if self._pending and self._in_flight is None and waited:
            batch, self._pending = self._pending, {}
            self._began = self._clock()
            self.batches += 1
            self._in_flight = asyncio.create_task(self._write_then_next(batch))

    async def _write_then_next(self, batch: dict[K, V]) -> None:
        try:
            await self._write_many(batch)
        except Exception:  # the next offers carry newer values; this batch is not retried
            log.exception("saving %d values in one batch failed", len(batch))
        self._in_flight = None
        self._maybe_begin()
