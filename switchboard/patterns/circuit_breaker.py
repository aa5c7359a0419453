"""A circuit breaker: stop calling a provider that keeps failing, and probe before trusting it.

Without one, every request waits for a dead provider's timeout before failing over. The
breaker watches the outcomes of the last `window` calls:

    closed     calls flow; if at least `min_calls` outcomes are in the window and the share of
               failures is ≥ `failure_rate`, it opens
    open       calls are refused at once (the caller goes elsewhere) for `reset_after` seconds
    half-open  up to `probes` trial calls go through; all succeed → closed, any fails → open

A call is admitted with a `Permit`, which the caller settles exactly once, however the call
ends: `succeeded()`, `failed()`, or `release()` — no verdict, for a call that was cancelled,
abandoned or failed through no fault of the provider. Settling in a `finally` is what keeps a
half-open breaker from waiting forever on a probe that never reports: a released probe's slot
goes back to the next caller. A verdict from a call admitted before the breaker last changed
state is stale and ignored (a slow call from the closed period does not count as a probe).

Only `admit()` and settling change state; reading `state` does not (after `reset_after` an
open breaker *reads* half-open, and becomes it on the next `admit()`). The clock is injected,
so tests move time instead of sleeping; `transitions` keeps the last `history` changes.

Several breakers can watch one provider (one per server process). Each `listeners` callback
hears this breaker's own changes of state; `adopt(state, open_for)` takes a state another
breaker decided — open for so many seconds more, half-open, or closed — without telling the
listeners, so a change passed along is never passed back. Carrying it between them is the
caller's business.
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


class Permit:
    """One admitted call. The first settlement counts; later ones (a `finally`) do nothing."""

    def __init__(self, breaker: CircuitBreaker | None, epoch: int, probe: bool) -> None:
        self._breaker = breaker
        self._epoch = epoch
        self.probe = probe
        self.settled = False

    @classmethod
    def unguarded(cls) -> Permit:
        """A call made without the breaker's leave (nowhere else to go): nothing is recorded."""
        return cls(None, 0, probe=False)

    def succeeded(self) -> None:
        self._settle(True)

    def failed(self) -> None:
        self._settle(False)

    def release(self) -> None:
        """The call ended without saying anything about the provider's health."""
        self._settle(None)

    def _settle(self, verdict: bool | None) -> None:
        if self.settled:
            return
        self.settled = True
        if self._breaker is not None:
            self._breaker._settle(self._epoch, self.probe, verdict)


class CircuitBreaker:
    def __init__(
        self,
        window: int = 20,
        min_calls: int = 10,
        failure_rate: float = 0.5,
        reset_after: float = 30.0,
        probes: int = 3,
        clock: Callable[[], float] = time.monotonic,
        history: int = 100,
    ) -> None:
        self._outcomes: deque[bool] = deque(maxlen=window)
        self._min_calls = min_calls
        self._failure_rate = failure_rate
        self._reset_after = reset_after
        self._probes = probes
        self._clock = clock
        self._state: State = "closed"
        self._epoch = 0  # bumped on every change of state: permits from before it are stale
        self._opened_at = 0.0
        self._probes_out = 0  # admitted and not yet settled
        self._probes_passed = 0
        self.transitions: deque[Transition] = deque(maxlen=history)
        self.listeners: list[Callable[[Transition], None]] = []  # told of this breaker's own changes

    @property
    def state(self) -> State:
        """The state a call arriving now would meet. Reading it changes nothing."""
        return "half_open" if self._cooled_down() else self._state

    def admit(self) -> Permit | None:
        """A permit for a call now, or None: refused. In half-open, only the probes get one."""
        if self._cooled_down():
            self._move("half_open")
        if self._state == "closed":
            return Permit(self, self._epoch, probe=False)
        if self._state == "half_open" and self._probes_out + self._probes_passed < self._probes:
            self._probes_out += 1
            return Permit(self, self._epoch, probe=True)
        return None

    def open_for(self) -> float:
        """Seconds before an open breaker admits a probe; 0 when it is not open."""
        if self._state != "open":
            return 0.0
        return max(0.0, self._opened_at + self._reset_after - self._clock())

    def adopt(self, state: State, open_for: float = 0.0) -> None:
        """Take a state decided elsewhere: `open` refuses calls for `open_for` seconds from now,
        `closed` starts a fresh window, `half_open` admits probes. Permits from before are stale,
        as on any change; the listeners are not told (the decision was not this breaker's)."""
        if state == "open":
            self._opened_at = self._clock() - self._reset_after + open_for
        elif state == "closed":
            self._outcomes.clear()
        self._move(state, notify=False)

    def _cooled_down(self) -> bool:
        return self._state == "open" and self._clock() - self._opened_at >= self._reset_after

    def _settle(self, epoch: int, probe: bool, verdict: bool | None) -> None:
        if epoch != self._epoch:
            return  # admitted under an earlier state: its slot and verdict are gone with it
        if probe:
            self._probes_out -= 1
            self._settle_probe(verdict)
        elif verdict is not None:
            self._settle_call(verdict)

    def _settle_call(self, success: bool) -> None:
        self._outcomes.append(success)
        failures = self._outcomes.count(False)
        if len(self._outcomes) >= self._min_calls and failures / len(self._outcomes) >= self._failure_rate:
            self._open()

    def _settle_probe(self, verdict: bool | None) -> None:
        if verdict is False:
            self._open()
        elif verdict is True:
            self._probes_passed += 1
            if self._probes_passed >= self._probes:
                self._outcomes.clear()
                self._move("closed")

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._move("open")

    def _move(self, new: State, notify: bool = True) -> None:
        change = Transition(self._clock(), self._state, new) if new != self._state else None
        if change is not None:
            self.transitions.append(change)
        self._state = new
        self._epoch += 1
        self._probes_out = self._probes_passed = 0
        if change is not None and notify:
            for listener in self.listeners:  # last: a listener reads the state it was told of
                listener(change)
