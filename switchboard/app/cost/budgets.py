"""Chapter 10's token budgets in the app: the limits in force, and the guard every call asks.

    BudgetSet      the three budgets — per request, per customer per UTC day, per tenant per UTC
                   month — each a token limit, a dollar limit and an action (refuse | degrade |
                   warn). Starts from settings (SWITCHBOARD_BUDGET_*); an edit on the panel
                   (PUT /api/budgets) is stored in the database and wins from then on, across
                   restarts, until the next edit.
    BudgetBook     holds the set in force. An edit swaps it whole, so a call checks against the
                   old set or the new one, never half of each; the next call sees the new one
                   (on other replicas sharing a Redis, after their next pull: app/shared/boards.py).
    LedgerGuard    agents/context.py's SpendGuard: `check` weighs a call against the ledger's
                   spend for its windows (patterns/spend_budget.py decides) and, in the same
                   transaction, reserves its expected spend there; `charge` settles the
                   reservation with the call's real usage without making the caller wait.

**Exact under concurrency.** Check-then-charge alone lets two turns of one customer both pass
the check before either is charged, and together overrun. So a check reserves: in one database
transaction the ledger compares charged + reserved + expected with each limit and, if the call
may go, records the reservation (spend_ledger.py says how the windows are locked on SQLite and
Postgres). Invariant: at every moment, each window's charged + unexpired reserved spend is
what its finished calls spent plus at most the expected spend of the calls still running; and
no call passes a refuse budget unless charged + reserved + its expected fits the limit. The
charge after the call — answered, failed, or cancelled when the customer left — deletes the
reservation and adds the real spend, in one transaction. A reservation carries an expiry
(`hold_for` after the check, longer than any call may take): if the process dies between check
and charge, it stops counting then and start-up deletes it, so none holds a budget for ever.

An eval run spends in windows of its own (`run:<id>/…`, see Owners.rehearsal) rather than not
at all: a run replaying a scripted customer then meets the same budgets a live one would, and
no live customer finds their day spent by a rehearsal.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from switchboard.agents.record import BudgetAction
from switchboard.app.cost.spend_ledger import Hold, SpendLedger
from switchboard.app.shop.audit import Stamp
from switchboard.app.shop.audit import changes as audit_changes
from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import Meta
from switchboard.patterns.spend_budget import Budget, BudgetVerdict, Owners, Spend, Window, assess, window_keys

log = logging.getLogger(__name__)
STORED_KEY = "token_budgets"  # the Meta row holding the panel's last edit


class BudgetSpec(BaseModel):
    """One budget as the settings, the panel and the API give it. None: that measure is not limited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: BudgetAction
    max_tokens: int | None = Field(None, ge=1)
    max_usd: float | None = Field(None, gt=0, allow_inf_nan=False)

    def budget(self, window: Window) -> Budget:
        return Budget(window, self.action, self.max_tokens, self.max_usd)


class BudgetSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    request: BudgetSpec
    customer_day: BudgetSpec
    tenant_month: BudgetSpec

    def budgets(self) -> tuple[Budget, ...]:
        return (
            self.request.budget("request"),
            self.customer_day.budget("customer_day"),
            self.tenant_month.budget("tenant_month"),
        )


class BudgetChanges(BaseModel):
    """An edit: the budgets named are replaced whole; the others stay as they are."""

    model_config = ConfigDict(extra="forbid")

    request: BudgetSpec | None = None
    customer_day: BudgetSpec | None = None
    tenant_month: BudgetSpec | None = None

    def applied_to(self, current: BudgetSet) -> BudgetSet:
        named = {window: getattr(self, window) for window in type(self).model_fields}
        return current.model_copy(update={window: spec for window, spec in named.items() if spec is not None})


class BudgetBook:
    def __init__(self, sessions: Sessions, starting: BudgetSet) -> None:
        self._sessions = sessions
        self.current = starting

    def document(self) -> dict[str, object]:
        """The set in force, to be shared with other replicas (app/shared/boards.py)."""
        return self.current.model_dump(mode="json")

    def restore(self, document: object) -> None:
        """Another replica's edit, already stored by it: swapped in whole, or a ValidationError."""
        self.current = BudgetSet.model_validate(document)

    async def load(self) -> None:
        """At start-up: the panel's last edit, if there was one, replaces the settings' values."""
        async with self._sessions() as s:
            stored = await s.get(Meta, STORED_KEY)
        if stored is not None:
            self.current = BudgetSet.model_validate_json(stored.value)

    async def change(self, changes: BudgetChanges, stamp: Stamp | None = None) -> BudgetSet:
        """`stamp`: the operator's action, audited in the same transaction as the change."""
        edited = changes.applied_to(self.current)
        async with self._sessions() as s:
            await s.merge(Meta(key=STORED_KEY, value=edited.model_dump_json()))
            if stamp is not None:
                s.add(stamp.entry(*audit_changes(self.current.model_dump(mode="json"), edited.model_dump(mode="json"))))
            await s.commit()
        self.current = edited
        return edited


class LedgerGuard:
    """The token budget's check and charge, against the spend ledger, on an injected clock."""

    def __init__(self, book: BudgetBook, ledger: SpendLedger, now: Callable[[], datetime], hold_for: timedelta) -> None:
        self._book = book
        self._ledger = ledger
        self._now = now
        self._hold_for = hold_for
        self._writing: set[asyncio.Task[None]] = set()

    async def check(self, owners: Owners, expected: Spend) -> BudgetVerdict:
        """The verdict, its `hold` naming the reservation made for the call (None if refused)."""
        await self.settled()  # this turn's earlier calls count at what they spent, not their hold
        now = self._now()
        hold = Hold(uuid.uuid4().hex, tuple(window_keys(owners, now)), expected, now, now + self._hold_for)
        budgets = self._book.current.budgets()
        verdict = await self._ledger.reserve(hold, lambda spent: assess(budgets, spent, expected, owners, now))
        return replace(verdict, hold=hold.id) if verdict.allowed else verdict

    def charge(self, owners: Owners, spent: Spend, hold: str | None = None) -> None:
        """What a call spent, in place of its reservation (`hold`; None: it was not checked).
        Written in a task of its own: a turn being cancelled (the customer left mid-answer)
        cannot cancel the write of what its call had already cost."""
        self.charge_keys(window_keys(owners, self._now()), spent, hold)

    def charge_keys(self, keys: Sequence[str], spent: Spend, hold: str | None = None) -> None:
        """`charge`, to windows named by key (an eval run's judge: patterns' `judge_key`)."""
        task = asyncio.get_running_loop().create_task(self._ledger.settle(hold, keys, spent))
        self._writing.add(task)
        task.add_done_callback(self._written)

    async def drop_expired(self) -> None:
        """At start-up: reservations a dead process left unsettled, past their expiry, deleted."""
        dropped = await self._ledger.drop_expired(self._now())
        if dropped:
            log.warning("%d spend reservation(s) left by an earlier run expired unsettled", dropped)

    def _written(self, task: asyncio.Task[None]) -> None:
        self._writing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a call's spend was not counted", exc_info=task.exception())

    async def settled(self) -> None:
        """Every charge made so far is in the ledger (before a check, and at shutdown)."""
        while self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)
