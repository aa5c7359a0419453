"""Saving a streamed answer as it grows, so that a crash keeps what the reader already saw.

Writing once at the end loses everything shown so far when the process dies mid-answer;
writing once per token turns a busy stream into a write storm against the database. The
throttled flush writes the newest text now and then, in the background, never more than one
write at a time:

    a write is due   when the text differs from what was last handed to `write`, and
                     `every` seconds have passed since the last write began, or the text added
                     since then closes a sentence (". ", "?", a line break — wherever in a chunk)
    at most one write is in flight; text offered meanwhile is coalesced — when the write
                     lands, the newest text is written next if it is due by then
    `drain()`        waits for the write in flight; anything not written yet is the caller's
                     to save in its final write (the flush never writes after a drain)

So between writes at most `every` seconds of text (or the rest of a sentence) is unsaved,
plus whatever arrived during one write; a crash loses no more than that. Writes per second
≤ max(1/every, sentence ends per second) and never more than one at once, however fast
tokens come. A failed write is logged and left for the next one, which carries newer text.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Write = Callable[[str], Awaitable[None]]
_SENTENCE_END = re.compile(r"""[.!?…]["')\]]*(?:\s|$)|\n""")


def closes_a_sentence(added: str) -> bool:
    """Whether text contains a sentence's end: stop, question or exclamation mark (closing
    quotes and brackets allowed) before a space or the end, or a line break."""
    return bool(_SENTENCE_END.search(added))


class ThrottledFlush:
    def __init__(self, write: Write, clock: Callable[[], float], every: float = 0.25) -> None:
        self._write = write
        self._clock = clock
        self._every = every
        self._latest = ""
        self._handed = ""  # the text of the last write begun
        self._began: float | None = None  # when it began
        self._in_flight: asyncio.Task[None] | None = None
        self._drained = False
        self.writes = 0

    def offer(self, text: str) -> None:
        """The whole text so far; written now if a write is due and none is in flight."""
        self._latest = text
        if self._in_flight is None and self._due():
            self._begin()

    async def drain(self) -> None:
        """Waits for the write in flight; no write begins after this."""
        self._drained = True
        if self._in_flight is not None:
            await asyncio.shield(self._in_flight)

    def _due(self) -> bool:
        if self._drained or self._latest == self._handed:
            return False
        waited = self._began is None or self._clock() - self._began >= self._every
        added = self._latest[len(self._handed) :] if self._latest.startswith(self._handed) else self._latest
        return waited or closes_a_sentence(added)

    def _begin(self) -> None:
        self._handed, self._began = self._latest, self._clock()
        self.writes += 1
        self._in_flight = asyncio.create_task(self._write_then_next(self._latest))

    async def _write_then_next(self, text: str) -> None:
        try:
            await self._write(text)
        except Exception:  # the next write carries newer text; this one is not retried
            log.exception("saving the text so far failed")
        self._in_flight = None
        if self._due():
            self._begin()
