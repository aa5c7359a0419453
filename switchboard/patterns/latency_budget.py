"""A latency budget: one deadline for a whole turn, handed to every call inside it.

Per-call timeouts alone let a turn of three calls take three timeouts. A deadline fixed when
the turn starts makes every later step ask "how much time is left?" — a call waits at most
that long, a retry is not started if its backoff would overrun it — so the turn gives up early
enough to answer some other way (a degraded answer) instead of late with an error.

    remaining = deadline − now        wait for a call = min(idle timeout, remaining)

A budget covers the whole turn only if every step asks, not just the model calls: in Switchboard
the agents check it before every graph step, model call and tool call, and a retry's backoff
must fit in what remains.
"""

from __future__ import annotations

import time
from collections.abc import Callable


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
