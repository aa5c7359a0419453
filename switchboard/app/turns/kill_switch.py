"""The operator's kill switch in the app: one control that stops every model call at once.

    KillSwitchChange   the API's and the panel's edit: `{"on": true, "reason": "..."}`.
    KillSwitchBoard    turns the gateway's switch (agents/llm/kill_switch.py) and keeps its state
                       in the database's key-value table (`Meta`, as the budgets' edits are kept),
                       so a restart comes back with the switch where the operator left it.

While it is on, the gateway calls no provider; turns are answered by the degradation ladder's
rungs that need no model (runner.py), and online evals grade nothing.

**Several replicas.** Each process holds the state in memory, read from the database at start-up.
With SWITCHBOARD_REDIS_URL set, an edit is also pushed to Redis and the other replicas adopt it
before their next request (app/shared/boards.py); the database stays the record a restart of
the whole fleet comes back from. Without Redis, an edit reaches other processes when they restart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictBool

from switchboard.agents.llm.kill_switch import KillState, KillSwitch
from switchboard.app.shop.audit import Stamp
from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import Meta

STORED_KEY = "kill_switch"  # the Meta row holding the switch's last state
MAX_REASON_CHARS = 200


class KillSwitchChange(BaseModel):
    """An edit. `on` must be a JSON boolean: "yes" or 1 is a 422, not a guess."""

    model_config = ConfigDict(extra="forbid")

    on: StrictBool
    reason: str = Field("", max_length=MAX_REASON_CHARS)


class KillSwitchDocument(BaseModel):
    """The state as replicas share it: `KillState`, checked strictly."""

    model_config = ConfigDict(extra="forbid")

    on: StrictBool
    reason: str = Field(max_length=MAX_REASON_CHARS)
    changed_at: str | None


class KillSwitchView(BaseModel):
    on: bool
    reason: str
    changed_at: str | None


class KillSwitchBoard:
    def __init__(self, sessions: Sessions, switch: KillSwitch, now: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._switch = switch
        self._now = now

    @property
    def on(self) -> bool:
        return self._switch.on

    def view(self) -> KillSwitchView:
        return KillSwitchView.model_validate(asdict(self._switch.state))

    def document(self) -> dict[str, object]:
        """The state in force, to be shared with other replicas (app/shared/boards.py)."""
        return asdict(self._switch.state)

    def restore(self, document: object) -> None:
        """Another replica's state, already stored by it: adopted whole, or a ValidationError."""
        self._switch.state = KillState(**KillSwitchDocument.model_validate(document).model_dump())

    async def load(self) -> None:
        """At start-up: the switch as the operator last left it (off if never turned)."""
        async with self._sessions() as s:
            stored = await s.get(Meta, STORED_KEY)
        if stored is not None:
            self._switch.state = KillState(**json.loads(stored.value))

    async def change(self, change: KillSwitchChange, stamp: Stamp | None = None) -> KillSwitchView:
        """Stored first, then in force: the next model call sees it, and so does a restart. With
        a `stamp`, the audit entry is written in the same transaction as the new state."""
        reason = " ".join(change.reason.split()) if change.on else ""  # turned off, the old reason is stale
        state = KillState(on=change.on, reason=reason, changed_at=self._now().isoformat(timespec="seconds"))
        before: dict[str, JsonValue] = {"on": self._switch.state.on, "reason": self._switch.state.reason}
        async with self._sessions() as s:
            await s.merge(Meta(key=STORED_KEY, value=json.dumps(asdict(state))))
            if stamp is not None:
                after: dict[str, JsonValue] = {"on": state.on, "reason": state.reason}
                s.add(stamp.entry(before, after))
            await s.commit()
        self._switch.state = state
        return self.view()
