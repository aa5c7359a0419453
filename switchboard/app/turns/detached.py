"""Reads a stream in a task of its own, so that when its reader is cancelled the stream's own
clean-up runs to its end before the reader's goes on.

Why: a turn streamed to a browser is cancelled through an anyio cancel scope when the browser
goes away (sse-starlette), and anyio cancels again at every await inside that scope. The graph's
stream, cancelled there, must cancel its running node and wait for it — the node's model call
hangs up on the provider and reports what it had consumed, so that the turn's record and the
spend ledger count it — but that wait is itself an await in the cancelled scope, cut short at
once: the call was reported after the record had been written, or never. Read from a task of
its own, the stream is cancelled once, plainly (asyncio), and the reader waits for it, shielded
and for at most `settle_s`.

    reader takes an item        the task reads one ahead at most (a queue of one)
    the stream fails            its exception is raised in the reader
    the reader goes away        the task is cancelled; the reader waits ≤ settle_s for it to end
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


@dataclass(frozen=True)
class _Ended:
    error: Exception | None = None  # None: the stream ran out


@dataclass(frozen=True)
class _Item(Generic[T]):
    value: T


async def detached(source: AsyncIterator[T], settle_s: float) -> AsyncIterator[T]:
    """`source`'s items, read in a task of its own (see the module's contract)."""
    queue: asyncio.Queue[_Item[T] | _Ended] = asyncio.Queue(maxsize=1)
    task = asyncio.create_task(_pump(source, queue))
    try:
        while not isinstance(got := await queue.get(), _Ended):
            yield got.value
        if got.error is not None:
            raise got.error
    finally:
        task.cancel()
        with anyio.CancelScope(shield=True), anyio.move_on_after(settle_s):
            await asyncio.wait([task])


async def _pump(source: AsyncIterator[T], queue: asyncio.Queue[_Item[T] | _Ended]) -> None:
    try:
        async with aclosing(source):  # type: ignore[type-var]  # an async generator in practice
            async for item in source:
                await queue.put(_Item(item))
    except Exception as exc:  # raised in the reader, where the turn handles it
        await queue.put(_Ended(exc))
        return
    await queue.put(_Ended())
