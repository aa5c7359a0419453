"""What the budget windows have spent: each customer today and each tenant this month, beside the
limit that applies (GET /api/spend and the panel's Budgets box).

Read from the spend ledger by key (patterns/spend_budget.py's window keys), so it shows exactly
what the budgets act on: live spend only, an eval run's windows (`run:<id>/…`) left out.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from switchboard.app.cost.budgets import BudgetSet, BudgetSpec
from switchboard.app.cost.spend_ledger import SpendLedger, literal
from switchboard.patterns.spend_budget import Spend


class WindowSpend(BaseModel):
    tenant: str
    customer: str | None = None  # None: the tenant's month
    period: str  # the UTC day (2026-12-03) or month (2026-12)
    tokens: int
    usd: float
    used: float | None  # of the nearer limit: 1.0 is the budget spent; None: not limited

    @classmethod
    def of(cls, spend: Spend, spec: BudgetSpec, **where: str) -> WindowSpend:
        shares = [
            spend.tokens / spec.max_tokens if spec.max_tokens else None,
            spend.usd / spec.max_usd if spec.max_usd else None,
        ]
        known = [share for share in shares if share is not None]
        return cls(tokens=spend.tokens, usd=round(spend.usd, 6), used=round(max(known), 4) if known else None, **where)


class SpendReport(BaseModel):
    day: str
    month: str
    budgets: BudgetSet
    customers: list[WindowSpend]  # today, most spent first
    tenants: list[WindowSpend]  # this month, most spent first


async def spend_report(
    ledger: SpendLedger, budgets: BudgetSet, now: datetime, tenant: str | None = None, customer: str | None = None
) -> SpendReport:
    day, month = f"{now:%Y-%m-%d}", f"{now:%Y-%m}"
    return SpendReport(
        day=day,
        month=month,
        budgets=budgets,
        customers=_by_spend(await _customers(ledger, budgets.customer_day, day, tenant, customer)),
        tenants=_by_spend(await _tenants(ledger, budgets.tenant_month, month, tenant)),
    )


async def _customers(
    ledger: SpendLedger, spec: BudgetSpec, day: str, tenant: str | None, customer: str | None
) -> list[WindowSpend]:
    """Keys `customer:<tenant>/<customer>:<day>`, narrowed to a tenant or a customer if asked."""
    who = f"{_exactly(tenant)}/{_exactly(customer)}"
    rows = await ledger.matching(f"customer:{who}:{literal(day)}")
    spends = []
    for key, spend in rows.items():
        owner, _, customer_id = key.removeprefix("customer:").removesuffix(f":{day}").partition("/")
        spends.append(WindowSpend.of(spend, spec, tenant=owner, customer=customer_id, period=day))
    return spends


async def _tenants(ledger: SpendLedger, spec: BudgetSpec, month: str, tenant: str | None) -> list[WindowSpend]:
    rows = await ledger.matching(f"tenant:{_exactly(tenant)}:{literal(month)}")
    return [
        WindowSpend.of(spend, spec, tenant=key.removeprefix("tenant:").removesuffix(f":{month}"), period=month)
        for key, spend in rows.items()
    ]


def _exactly(value: str | None) -> str:
    """A filter's part of a LIKE pattern: the value itself, or anything when not asked."""
    return "%" if value is None else literal(value)


def _by_spend(spends: list[WindowSpend]) -> list[WindowSpend]:
    return sorted(spends, key=lambda s: (-s.usd, -s.tokens, s.tenant, s.customer or ""))
