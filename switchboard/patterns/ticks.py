"""Reading a stream while something else keeps time: a tick whenever the wait for the next item
runs past a due time (an output watch's bound on holding text back, patterns/stream_watch.py).

    due() is None    the next item is awaited plainly (no task, no timer: the common case)
    due() = s        the next item is awaited at most s seconds; then `TICK`, and the same
                     wait goes on (the read is not cut: it runs in a task that outlives the tick)

A read in flight when the reader goes away (closes this, or is cancelled in it) is cancelled, and
the reader waits for it at most `settle_s` (shielded: a stream cancelled mid-read reports what it
had, as detached.py's does). Close this before `source` (`aclosing`): a read in flight is `source`
running, which cannot be closed under it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio

T = TypeVar("T")


@dataclass(frozen=True)
class Tick:
    """The due time passed with no item: time to ask the watch what may go out."""


TICK = Tick()


async def ticked(
    source: AsyncIterator[T], due: Callable[[], float | None], settle_s: float = 1.0
) -> AsyncGenerator[T | Tick, None]:
    """`source`'s items, with a `TICK` whenever `due()` seconds pass first (see the module)."""
    reading: asyncio.Future[T | _End] | None = None
    try:
        while True:
            wait = due()
            if reading is None and wait is None:
                try:
                    item = await anext(source)
                except StopAsyncIteration:
                    return
                yield item
                continue
            reading = reading or asyncio.ensure_future(_next(source))
            done, _ = await asyncio.wait({reading}, timeout=None if wait is None else max(wait, 0.0))
            if not done:
                yield TICK
                continue
            finished, reading = reading.result(), None
            if isinstance(finished, _End):
                return
            yield finished
    finally:
        if reading is not None and not reading.done():
            reading.cancel()
            with anyio.CancelScope(shield=True), anyio.move_on_after(settle_s):
                await asyncio.wait({reading})


class _End:
    """The source ran out (a task's result, as StopAsyncIteration is no result a future takes well)."""


_END = _End()


async def _next(source: AsyncIterator[T]) -> T | _End:
    try:
        return await anext(source)
    except StopAsyncIteration:
        return _END
