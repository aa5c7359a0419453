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
                   reservation with the call's real usage without making the caller wait: the
                   charge is held and written by the next check's transaction, or by a flush
                   `flush_after` later if no check comes first, or at shutdown (`settled`).

**Exact under concurrency.** Check-then-charge alone lets two turns of one customer both pass
the check before either is charged, and together overrun. So a check reserves: in one database
transaction the ledger compares charged + reserved + expected with each limit and, if the call
may go, records the reservation (spend_ledger.py says how the windows are locked on SQLite and
Postgres). Invariant: at every moment, each window's charged + unexpired reserved spend is
what its finished calls spent plus at most the expected spend of the calls still running or
whose charge is still held (below); and no call passes a refuse budget unless charged + reserved
+ its expected fits the limit. The charge after the call — answered, failed, or cancelled when
the customer left — deletes the reservation and adds the real spend, in one transaction. A
reservation carries an expiry (`hold_for` after the check, longer than any call may take): if
the process dies between check and charge, it stops counting then and start-up deletes it, so
none holds a budget for ever.

**One commit per call, not two.** A turn's calls follow one another, and so do turns, so the
charge of one call is held in memory until the next check and written by that check's
transaction (the charge first, then the locks and the read: the verdict counts it at what it
spent). While held, its reservation still counts at the expected spend, at least what the call
spent, so another process over-counts for that moment, never under-counts (a charge with no
reservation, a judge's, is the exception: unseen elsewhere until written); this process's checks
always write it before reading. A turn's last call has no next check within the turn: its charge
rides in the turn's end transaction (the answer and its record: `riding`). With neither within
`flush_after`, a flush writes every held charge in one transaction of its own. A process killed
with a charge held loses that charge (at most `flush_after` of its spend; the reservation then
counts until it expires), where writing at once lost only the charges in flight; shutdown writes
them (`settled`). A check cancelled while its transaction runs lets it finish, then releases the
reservation it made.

An eval run spends in windows of its own (`run:<id>/…`, see Owners.rehearsal) rather than not
at all: a run replaying a scripted customer then meets the same budgets a live one would, and
no live customer finds their day spent by a rehearsal.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from switchboard.agents.record import BudgetAction
from switchboard.app.cost.spend_ledger import Charge, Decide, Hold, SpendLedger
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
    """The token budget's check and charge, against the spend ledger, on an injected clock.

    A charge is held in memory and written by the next check's transaction (settling it and
    reserving the next call are one commit), or by a flush `flush_after` seconds after it was
    made if no check comes first (`sleep`: injected), or by a turn's end transaction (`riding`),
    or by `settled` (at shutdown)."""

    def __init__(
        self,
        book: BudgetBook,
        ledger: SpendLedger,
        now: Callable[[], datetime],
        hold_for: timedelta,
        flush_after: float = 0.1,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._book = book
        self._ledger = ledger
        self._now = now
        self._hold_for = hold_for
        self._flush_after = flush_after
        self._sleep = sleep
        self._held: list[Charge] = []  # charged, not yet in a transaction
        self._timer: asyncio.Task[None] | None = None  # the flush waiting for its delay
        self._writing: set[asyncio.Task[None]] = set()  # flushes under way
        self._checking: set[asyncio.Task[BudgetVerdict]] = set()  # checks' transactions under way

    async def check(self, owners: Owners, expected: Spend) -> BudgetVerdict:
        """The verdict, its `hold` naming the reservation made for the call (None if refused).
        The transaction runs in a task of its own: a check cancelled while it runs (the customer
        left) lets it finish, then releases the reservation it made."""
        await self.written()  # charges already being written count at what they spent, not their hold
        now = self._now()
        hold = Hold(uuid.uuid4().hex, tuple(window_keys(owners, now)), expected, now, now + self._hold_for)
        budgets = self._book.current.budgets()
        task = self._start(self._reserve(hold, lambda spent: assess(budgets, spent, expected, owners, now)))
        try:
            verdict = await asyncio.shield(task)
        except asyncio.CancelledError:
            task.add_done_callback(functools.partial(self._release, hold))
            raise
        return replace(verdict, hold=hold.id) if verdict.allowed else verdict

    def charge(self, owners: Owners, spent: Spend, hold: str | None = None) -> None:
        """What a call spent, in place of its reservation (`hold`; None: it was not checked).
        Held, not awaited: a turn being cancelled (the customer left mid-answer) cannot cancel
        the write of what its call had already cost."""
        self.charge_keys(window_keys(owners, self._now()), spent, hold)

    def charge_keys(self, keys: Sequence[str], spent: Spend, hold: str | None = None) -> None:
        """`charge`, to windows named by key (an eval run's judge: patterns' `judge_key`)."""
        self._hold([Charge(hold, tuple(keys), spent)])

    async def drop_expired(self) -> None:
        """At start-up: reservations a dead process left unsettled, past their expiry, deleted."""
        dropped = await self._ledger.drop_expired(self._now())
        if dropped:
            log.warning("%d spend reservation(s) left by an earlier run expired unsettled", dropped)

    @asynccontextmanager
    async def riding(self, s: AsyncSession) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        """The charges held, written by another transaction (`s`'s: a turn's end) when it calls the
        write yielded; held again if that transaction fails, its commit included."""
        charges = self._take()
        try:
            yield functools.partial(self._ledger.settle_in, s, charges)
        except BaseException:
            self._hold(charges)
            raise

    async def settled(self) -> None:
        """Every charge made so far is in the ledger (before a report, and at shutdown)."""
        while self._held or self._writing or self._checking:
            self._flush()
            await asyncio.gather(*self._writing, *self._checking, return_exceptions=True)

    async def _reserve(self, hold: Hold, decide: Decide) -> BudgetVerdict:
        """The check's transaction, carrying every charge held; if it fails they are held again."""
        charges = self._take()
        try:
            return await self._ledger.reserve(hold, decide, charges)
        except BaseException:
            self._hold(charges)
            raise

    def _release(self, hold: Hold, task: asyncio.Task[BudgetVerdict]) -> None:
        """A cancelled check's reservation, if it made one, settled at nothing spent."""
        if not task.cancelled() and task.exception() is None and task.result().allowed:
            self.charge_keys(hold.keys, Spend(), hold.id)

    def _hold(self, charges: list[Charge]) -> None:
        self._held.extend(charges)
        if self._held and self._timer is None:
            self._timer = asyncio.get_running_loop().create_task(self._flush_later())

    def _take(self) -> list[Charge]:
        """The charges held, now the caller's to write; the flush waiting for them called off."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        charges, self._held = self._held, []
        return charges

    async def _flush_later(self) -> None:
        await self._sleep(self._flush_after)
        self._timer = None
        self._flush()

    def _flush(self) -> None:
        """The charges held, written now, in one transaction of their own."""
        if charges := self._take():
            task = asyncio.get_running_loop().create_task(self._ledger.settle_all(charges))
            self._writing.add(task)
            task.add_done_callback(self._written)

    def _start(self, work: Coroutine[Any, Any, BudgetVerdict]) -> asyncio.Task[BudgetVerdict]:
        task = asyncio.get_running_loop().create_task(work)
        self._checking.add(task)
        task.add_done_callback(self._checking.discard)
        return task

    def _written(self, task: asyncio.Task[None]) -> None:
        self._writing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("calls' spend was not counted", exc_info=task.exception())

    async def written(self) -> None:
        """The flushes under way have finished (the charges still held stay held)."""
        while self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)
