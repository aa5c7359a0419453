"""A storefront's rules, as its help centre states them, in one typed place.

Each tenant's `tenant.json` carries its `policy` (validated when the tenant is loaded); the
functions here take it as a value, so the same order facts are judged by the rules of the shop
that sold it. Tidewater Outfitters (data/tenants/tidewater/kb): refunds within 45 days of
delivery, support approves up to $250 on its own, a $6.95 label fee comes out of the refund, and
a late return goes to a person. Summit Cycles (data/tenants/summit/kb): 30 days, a $9.95 label
fee, or $59 for a freight pickup when a bike or e-bike goes back, and after 30 days no standard
return at all (faults go to the warranty instead). Summit's
help centre states no approval limit, so its tenant.json keeps the same $250 before a person
checks a refund: an internal control, not a promise to customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator

LateReturn = Literal["needs_review", "not_eligible"]


class FreightReturn(BaseModel):
    """Goods too big for a label go back by a freight pickup, which costs its own fee. One pickup
    collects the whole order, so an order holding any of them pays this fee instead of the label's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    categories: frozenset[str] = Field(min_length=1)  # product categories, as the seed's products name them
    fee: float = Field(ge=0)


class ShopPolicy(BaseModel):
    """One storefront's returns, refund and delivery rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    return_window_days: PositiveInt  # from delivery, as tracking shows it
    late_return: LateReturn  # outside the window: a person may still allow it, or it is refused
    auto_refund_limit: float = Field(ge=0)  # the assistant approves refunds up to this on its own
    return_label_fee: float = Field(ge=0)  # deducted from every standard refund
    transit_business_days: dict[str, PositiveInt]  # per shipping method, the late end of its range
    freight_return: FreightReturn | None = None  # None: everything goes back with a label
    ticket_reply_business_days: PositiveInt  # how soon a person answers a ticket, as the help centre promises

    @field_validator("transit_business_days")
    @classmethod
    def _has_standard(cls, days: dict[str, int]) -> dict[str, int]:
        if "standard" not in days:
            raise ValueError("needs a 'standard' shipping method (the estimate for any method not listed)")
        return days

    @property
    def reply_within(self) -> str:
        """The ticket promise as replies say it: "1 business day", "2 business days"."""
        days = self.ticket_reply_business_days
        return f"{days} business day{'s' if days > 1 else ''}"

    @property
    def return_window(self) -> timedelta:
        return timedelta(days=self.return_window_days)

    def return_fee(self, categories: frozenset[str]) -> float:
        """What the return costs an order holding products of these categories."""
        freight = self.freight_return
        if freight is not None and categories & freight.categories:
            return freight.fee
        return self.return_label_fee


@dataclass(frozen=True)
class RefundDecision:
    decision: str  # approved | needs_review | not_eligible | already_refunded
    amount: float
    reason: str


def refund_decision(
    policy: ShopPolicy,
    *,
    status: str,
    delivered_at: datetime | None,
    total: float,
    has_final_sale: bool,
    refunded: bool,
    now: datetime,
    categories: frozenset[str] = frozenset(),
) -> RefundDecision:
    """`categories`: the product categories the order holds (they decide how it goes back)."""
    amount = round(max(total - policy.return_fee(categories), 0.0), 2)
    if refunded or status in ("returned", "refunded"):
        return RefundDecision("already_refunded", 0.0, "a refund was already requested for it.")
    if status in ("processing", "shipped", "cancelled") or delivered_at is None:
        return RefundDecision("not_eligible", 0.0, _undelivered_reason(policy, status))
    if has_final_sale:
        return RefundDecision("not_eligible", 0.0, "it contains a final-sale item, which can't be returned.")
    if now - delivered_at > policy.return_window:
        return _late(policy, amount)
    if amount > policy.auto_refund_limit:
        return RefundDecision(
            "needs_review",
            amount,
            f"refunds over ${policy.auto_refund_limit:.0f} need a person's approval.",
        )
    return RefundDecision("approved", amount, f"within the {policy.return_window_days}-day returns policy.")


def _late(policy: ShopPolicy, amount: float) -> RefundDecision:
    days = policy.return_window_days
    if policy.late_return == "not_eligible":
        return RefundDecision(
            "not_eligible", 0.0, f"it was delivered more than {days} days ago; a fault may be covered by the warranty."
        )
    return RefundDecision("needs_review", amount, f"it was delivered more than {days} days ago.")


def _undelivered_reason(policy: ShopPolicy, status: str) -> str:
    if status == "cancelled":
        return "it was cancelled, so nothing was charged."
    if status == "processing":
        return "it hasn't shipped yet — it can be cancelled instead, at no cost."
    return f"it hasn't been delivered yet; once it arrives it can be returned within {policy.return_window_days} days."


def return_deadline(policy: ShopPolicy, delivered_at: datetime | None) -> datetime | None:
    return delivered_at + policy.return_window if delivered_at else None


def estimated_delivery(policy: ShopPolicy, shipped_at: datetime, method: str) -> datetime:
    days = policy.transit_business_days
    return add_business_days(shipped_at, days.get(method, days["standard"]))


def add_business_days(start: datetime, days: int) -> datetime:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@dataclass(frozen=True)
class AddressDecision:
    decision: str  # updated | needs_review | not_possible
    reason: str


def address_change(status: str) -> AddressDecision:
    """Before shipping the address is simply changed; once shipped only a person can ask the
    carrier to redirect the parcel; after that it is too late."""
    if status == "processing":
        return AddressDecision("updated", "it hasn't shipped yet.")
    if status == "shipped":
        return AddressDecision("needs_review", "it has already shipped, so the carrier has to be asked to redirect it.")
    return AddressDecision("not_possible", f"it is {status.replace('_', ' ')}.")
