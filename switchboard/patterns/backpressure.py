"""Backpressure: at most `size` items between a producer and a consumer that reads at its own pace.

A stream's producer (a model writing an answer) and its consumer (a browser reading it) run at
different speeds. Between them, an unbounded buffer turns a client that stops reading into memory
that grows for as long as the producer has something to say — and a model that keeps being paid
to write it. The window bounds that buffer by making the producer wait instead:

    in flight  n = items put − items taken              (never below 0)
    put():  n < size  →  n += 1 at once
            n = size  →  wait until a take makes room; waiting longer than `stall_s` raises
                         `Stalled` (the consumer is taken as gone: the producer stops)
    take(): n −= 1, and one waiting producer goes on

It counts items, not bytes: the items here (answer tokens) are small and of similar size. A take
with nothing in flight is allowed and changes nothing, so a consumer may take items that were
produced without a put (a closing line, a refusal): each such item is one the bound does not count.
`stall_s` is measured by the event loop's clock (asyncio.timeout); 0 means "not at all": a full
window raises at once, which is also how a test makes a stall happen without waiting for one.
"""

from __future__ import annotations

import asyncio


class Stalled(Exception):
    """The consumer took nothing for longer than the window waits: treat it as gone."""

    def __init__(self, size: int, stall_s: float) -> None:
        super().__init__(f"the client read none of the last {size} items for {stall_s:g} s")
        self.size, self.stall_s = size, stall_s


class StreamWindow:
    def __init__(self, size: int, stall_s: float) -> None:
        if size < 1:
            raise ValueError("a window holds at least one item")
        self.size = size
        self.stall_s = stall_s
        self.in_flight = 0
        self.waited = 0  # how many puts found the window full: the times the producer was paused
        self.full = asyncio.Event()  # set while a producer waits for room (tests and benches watch it)
        self._room = asyncio.Event()

    async def put(self) -> None:
        """Count one item in, once there is room for it (see the module's contract)."""
        if self.in_flight >= self.size:
            await self._wait_for_room()
        self.in_flight += 1

    def take(self) -> None:
        """Count one item out; a producer waiting for room goes on."""
        self.in_flight = max(0, self.in_flight - 1)
        if self.in_flight < self.size:
            self._room.set()

    async def _wait_for_room(self) -> None:
        self.waited += 1
        self.full.set()
        try:
            while self.in_flight >= self.size:
                self._room.clear()
                async with asyncio.timeout(self.stall_s):
                    await self._room.wait()
        except TimeoutError:
            raise Stalled(self.size, self.stall_s) from None
        finally:
            self.full.clear()
