"""A circuit breaker: stop calling a provider that keeps failing, and probe before trusting it.

Without one, every request waits for a dead provider's timeout before failing over. The
breaker watches the outcomes of the last `window` calls:

    closed     calls flow; if at least `min_calls` outcomes are in the window and the share of
               failures is ≥ `failure_rate`, it opens
    open       calls are refused at once (the caller goes elsewhere) for `reset_after` seconds
    half-open  up to `probes` trial calls go through; all succeed → closed, any fails → open

The clock is injected, so tests move time instead of sleeping.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

State = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class Transition:
    at: float
    old: State
    new: State


class CircuitBreaker:
    def __init__(
        self,
        window: int = 20,
        min_calls: int = 10,
        failure_rate: float = 0.5,
        reset_after: float = 30.0,
        probes: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._outcomes: deque[bool] = deque(maxlen=window)
        self._min_calls = min_calls
        self._failure_rate = failure_rate
        self._reset_after = reset_after
        self._probes = probes
        self._clock = clock
        self._state: State = "closed"
        self._opened_at = 0.0
        self._probes_sent = 0
        self._probes_passed = 0
        self.transitions: list[Transition] = []

    @property
    def state(self) -> State:
        if self._state == "open" and self._clock() - self._opened_at >= self._reset_after:
            self._move("half_open")
        return self._state

    def allow(self) -> bool:
        """May a call go through now? In half-open, only the probes may."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and self._probes_sent < self._probes:
            self._probes_sent += 1
            return True
        return False

    def record(self, success: bool) -> None:
        if self.state == "half_open":
            self._record_probe(success)
            return
        self._outcomes.append(success)
        failures = self._outcomes.count(False)
        if len(self._outcomes) >= self._min_calls and failures / len(self._outcomes) >= self._failure_rate:
            self._open()

    def _record_probe(self, success: bool) -> None:
        if not success:
            self._open()
            return
        self._probes_passed += 1
        if self._probes_passed >= self._probes:
            self._outcomes.clear()
            self._move("closed")

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._move("open")

    def _move(self, new: State) -> None:
        if new != self._state:
            self.transitions.append(Transition(self._clock(), self._state, new))
        self._state = new
        self._probes_sent = self._probes_passed = 0
