"""Chapter 10's token budgets in the app: the limits in force, and the guard every call asks.

    BudgetSet      the three budgets — per request, per customer per UTC day, per tenant per UTC
                   month — each a token limit, a dollar limit and an action (refuse | degrade |
                   warn). Starts from settings (SWITCHBOARD_BUDGET_*); an edit on the panel
                   (PUT /api/budgets) is stored in the database and wins from then on, across
                   restarts, until the next edit.
    BudgetBook     holds the set in force. An edit swaps it whole, so a call checks against the
                   old set or the new one, never half of each; the next call sees the new one.
    LedgerGuard    agents/context.py's SpendGuard: `check` weighs a call against the ledger's
                   spend for its windows (patterns/spend_budget.py decides); `charge` adds a
                   call's usage to them without making the caller wait.

An eval run spends in windows of its own (`run:<id>/…`, see Owners.rehearsal) rather than not
at all: a run replaying a scripted customer then meets the same budgets a live one would, and
no live customer finds their day spent by a rehearsal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from switchboard.agents.record import BudgetAction
from switchboard.app.cost.spend_ledger import SpendLedger
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

    async def load(self) -> None:
        """At start-up: the panel's last edit, if there was one, replaces the settings' values."""
        async with self._sessions() as s:
            stored = await s.get(Meta, STORED_KEY)
        if stored is not None:
            self.current = BudgetSet.model_validate_json(stored.value)

    async def change(self, changes: BudgetChanges) -> BudgetSet:
        edited = changes.applied_to(self.current)
        async with self._sessions() as s:
            await s.merge(Meta(key=STORED_KEY, value=edited.model_dump_json()))
            await s.commit()
        self.current = edited
        return edited


class LedgerGuard:
    """The token budget's check and charge, against the spend ledger, on an injected clock."""

    def __init__(self, book: BudgetBook, ledger: SpendLedger, now: Callable[[], datetime]) -> None:
        self._book = book
        self._ledger = ledger
        self._now = now
        self._writing: set[asyncio.Task[None]] = set()

    async def check(self, owners: Owners, expected: Spend) -> BudgetVerdict:
        await self.settled()  # this turn's earlier calls count before its next one is weighed
        now = self._now()
        spent = await self._ledger.spent(window_keys(owners, now))
        return assess(self._book.current.budgets(), spent, expected, owners, now)

    def charge(self, owners: Owners, spent: Spend) -> None:
        """Written in a task of its own: a turn being cancelled (the customer left mid-answer)
        cannot cancel the write of what its call had already cost."""
        task = asyncio.get_running_loop().create_task(self._ledger.add(window_keys(owners, self._now()), spent))
        self._writing.add(task)
        task.add_done_callback(self._written)

    def _written(self, task: asyncio.Task[None]) -> None:
        self._writing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a call's spend was not counted", exc_info=task.exception())

    async def settled(self) -> None:
        """Every charge made so far is in the ledger (before a check, and at shutdown)."""
        while self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)
