"""Watching a streamed answer for something that must never be shown.

A check on the finished answer comes too late when the answer streams: the customer has read
it. A check on each chunk misses a string split across two chunks. So the watch holds back the
last `keep` characters (one less than the longest forbidden string) and looks, at every chunk,
at the recent text — `window` characters before the new chunk, plus the chunk. Text goes out
only once it can no longer be the start of a forbidden string; on a hit nothing more goes out,
not even what was held back.

    held back ≤ keep characters;   work per chunk ∝ window + len(chunk), not the whole answer
"""

from __future__ import annotations

from collections.abc import Callable

Finder = Callable[[str], str | None]  # what forbidden thing the text contains, if any


class StreamWatch:
    def __init__(self, found: Finder, keep: int, window: int | None = None) -> None:
        self._found = found
        self._keep = keep
        self._window = keep if window is None else window
        self._seen = ""
        self._held = ""
        self.hit: str | None = None

    def feed(self, text: str) -> str:
        """The part of the text that is now safe to show."""
        if self.hit:
            return ""
        self._seen = (self._seen[-self._window :] if self._window else "") + text
        self.hit = self._found(self._seen)
        if self.hit:
            return ""
        pending = self._held + text
        cut = max(len(pending) - self._keep, 0)
        shown, self._held = pending[:cut], pending[cut:]
        return shown

    def flush(self) -> str:
        """The held-back end, at the end of the answer — unless there was a hit: it may hold its start."""
        shown, self._held = ("" if self.hit else self._held), ""
        return shown
