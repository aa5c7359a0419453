"""Spend budgets: limits on tokens and dollars per request, per customer per day and per tenant
per month, each with the action to take when it runs out.

A budget covers a window, and a window has a key so its spend can be counted and stored:

    request         the turn itself                      request:<turn id>
    customer_day    one customer, one UTC calendar day   customer:<tenant>/<id>:2026-12-03
    tenant_month    one tenant, one UTC calendar month   tenant:<id>:2026-12

A customer's key names their tenant: customer ids are only unique within a storefront, and the
tenant's customers can be listed by key alone.

A rehearsal (an eval run replaying scripted customers) spends in windows of its own, the keys
prefixed `run:<id>/`: its budgets act as they would live, and no live customer's day is spent.

Before a model call, for every budget:  spent(window) + expected(call) > limit  means exhausted.
Expected is the caller's estimate (prompt tokens counted, output at its cap), so a call that
would overrun is stopped before it starts rather than noticed after it is paid for.

Calls run at once, so "spent" must include what calls already let through are about to spend:
the guard (app/cost/budgets.py) counts, in every window, what has been charged plus what checks
that passed have reserved and not yet settled. Checking and reserving happen in one step, so
the invariant is: charged + reserved + expected(call) ≤ limit when a call is let through
under a refuse budget, whatever other calls check at the same moment. The charge after a call
replaces its reservation with what it really spent (at most the expected, short of an estimate
of a cut-off stream).

When several budgets are exhausted the strictest action wins: refuse (answer politely without a
model), then degrade (use the cheaper model), then warn (go ahead, but record it). The verdict
says which budget decided, so the turn's record and the panel can say why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Window = Literal["request", "customer_day", "tenant_month"]
Action = Literal["allow", "warn", "degrade", "refuse"]
_STRICTNESS: dict[Action, int] = {"allow": 0, "warn": 1, "degrade": 2, "refuse": 3}


@dataclass(frozen=True)
class Spend:
    tokens: int = 0
    usd: float = 0.0

    def __add__(self, other: Spend) -> Spend:
        return Spend(self.tokens + other.tokens, self.usd + other.usd)


@dataclass(frozen=True)
class Budget:
    window: Window
    action: Action
    max_tokens: int | None = None  # None: tokens not limited
    max_usd: float | None = None  # None: dollars not limited

    def exceeded_by(self, total: Spend) -> bool:
        over_tokens = self.max_tokens is not None and total.tokens > self.max_tokens
        return over_tokens or (self.max_usd is not None and total.usd > self.max_usd)


@dataclass(frozen=True)
class Owners:
    """Who a call is spent for: the keys of its windows come from these and the clock."""

    request: str
    customer: str
    tenant: str
    rehearsal: str | None = None  # an eval run's id: its windows are its own, apart from live spend


@dataclass(frozen=True)
class BudgetVerdict:
    action: Action
    budget: Budget | None = None  # the budget that decided; None when every one had room
    spent: Spend = Spend()  # that budget's window, before this call (charged + reserved)
    hold: str | None = None  # the reservation of this call's expected spend, for its charge to settle

    @property
    def allowed(self) -> bool:
        return self.action != "refuse"


WINDOWS: tuple[Window, ...] = ("request", "customer_day", "tenant_month")


def window_key(window: Window, owners: Owners, now: datetime) -> str:
    prefix = "" if owners.rehearsal is None else f"run:{owners.rehearsal}/"
    if window == "request":
        return f"{prefix}request:{owners.request}"
    if window == "customer_day":
        return f"{prefix}customer:{owners.tenant}/{owners.customer}:{now:%Y-%m-%d}"
    return f"{prefix}tenant:{owners.tenant}:{now:%Y-%m}"


def window_keys(owners: Owners, now: datetime) -> list[str]:
    """Every window a call spends in: what its usage is charged to."""
    return [window_key(window, owners, now) for window in WINDOWS]


def judge_key(rehearsal: str) -> str:
    """Where an eval run's judge calls are charged: the run's own, apart from its turns' windows
    (no budget limits a grade, but what grading cost is counted)."""
    return f"run:{rehearsal}/judge"


def live_judge_key(now: datetime) -> str:
    """Where the online evaluator's grades of live turns are charged: the platform's own month,
    apart from any tenant's (grading is the operator's choice, not the storefront's spend)."""
    return f"judge:live:{now:%Y-%m}"


def replay_key(now: datetime) -> str:
    """Where an operator's replays of stored model calls are charged: the platform's own month,
    like the judge's, since replaying is the operator's choice, not the storefront's spend."""
    return f"replay:live:{now:%Y-%m}"


def assess(
    budgets: Sequence[Budget], spent: Mapping[str, Spend], expected: Spend, owners: Owners, now: datetime
) -> BudgetVerdict:
    """The strictest action among the budgets this call would overrun; "allow" if none."""
    verdict = BudgetVerdict("allow")
    for budget in budgets:
        so_far = spent.get(window_key(budget.window, owners, now), Spend())
        if budget.exceeded_by(so_far + expected) and _STRICTNESS[budget.action] > _STRICTNESS[verdict.action]:
            verdict = BudgetVerdict(budget.action, budget, so_far)
    return verdict


def explain(verdict: BudgetVerdict, expected: Spend) -> str:
    """The verdict in words, for the turn's record and the agent view."""
    budget = verdict.budget
    if budget is None:
        return f"within every budget (this call: up to {_amount(expected)})"
    return (
        f"{budget.window} budget: {_amount(verdict.spent)} spent + up to {_amount(expected)} "
        f"for this call > the limit of {_limit(budget)}"
    )


def _amount(spend: Spend) -> str:
    return f"{spend.tokens:,} tokens / ${spend.usd:.4f}"


def _limit(budget: Budget) -> str:
    tokens = f"{budget.max_tokens:,} tokens" if budget.max_tokens is not None else None
    usd = f"${budget.max_usd:.4f}" if budget.max_usd is not None else None
    return " / ".join(part for part in (tokens, usd) if part)
