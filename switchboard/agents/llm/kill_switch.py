"""The kill switch: one operator control that stops every model call at once.

The gateway asks it before every attempt — a call's first, each retry, each failover — so no
caller can go round it: the router, the specialists, the summariser, the judge and the cascade
all call through the gateway. A call refused here raises `CallsStopped`: no provider is called,
no breaker counts it, nothing is retried, and the app answers without a model. A stream already
under way when the switch is turned on runs to its end; every call after it is refused.

Only the state in force lives here. Where it is kept (the database) and who may turn it (the
operator) is the app's business: app/turns/kill_switch.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.agents.llm.types import CallsStopped


@dataclass(frozen=True)
class KillState:
    on: bool = False
    reason: str = ""  # the operator's note, for the operator's side: customers are never shown it
    changed_at: str | None = None  # ISO 8601, UTC; None: never turned since the database was made


class KillSwitch:
    """Holds the state in force. A change swaps it whole; the next call sees the new one."""

    def __init__(self, state: KillState | None = None) -> None:
        self.state = state or KillState()

    @property
    def on(self) -> bool:
        return self.state.on

    def check(self) -> None:
        """Raise `CallsStopped` when the switch is on; otherwise do nothing."""
        if self.state.on:
            raise CallsStopped()
