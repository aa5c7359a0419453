"""Tidewater Outfitters' rules, as the help centre states them (data/tenants/tidewater/kb), in one place.

Refunds: within 45 days of delivery, not final sale, not refunded before. Support approves up
to $250 on its own; above that, or outside the policy, a person reviews it. Standard returns
pay a $6.95 label fee out of the refund.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

RETURN_WINDOW = timedelta(days=45)
AUTO_REFUND_LIMIT = 250.00
RETURN_LABEL_FEE = 6.95
TRANSIT_BUSINESS_DAYS = {"standard": 5, "express": 2}


@dataclass(frozen=True)
class RefundDecision:
    decision: str  # approved | needs_review | not_eligible | already_refunded
    amount: float
    reason: str


def refund_decision(
    *,
    status: str,
    delivered_at: datetime | None,
    total: float,
    has_final_sale: bool,
    refunded: bool,
    now: datetime,
) -> RefundDecision:
    amount = round(max(total - RETURN_LABEL_FEE, 0.0), 2)
    if refunded or status in ("returned", "refunded"):
        return RefundDecision("already_refunded", 0.0, "a refund was already requested for it.")
    if status in ("processing", "shipped", "cancelled") or delivered_at is None:
        return RefundDecision("not_eligible", 0.0, _undelivered_reason(status))
    if has_final_sale:
        return RefundDecision("not_eligible", 0.0, "it contains a final-sale item, which can't be returned.")
    if now - delivered_at > RETURN_WINDOW:
        return RefundDecision("needs_review", amount, "it was delivered more than 45 days ago.")
    if amount > AUTO_REFUND_LIMIT:
        return RefundDecision(
            "needs_review",
            amount,
            f"refunds over ${AUTO_REFUND_LIMIT:.0f} need a person's approval.",
        )
    return RefundDecision("approved", amount, "within the 45-day returns policy.")


def _undelivered_reason(status: str) -> str:
    if status == "cancelled":
        return "it was cancelled, so nothing was charged."
    if status == "processing":
        return "it hasn't shipped yet — it can be cancelled instead, at no cost."
    return "it hasn't been delivered yet; once it arrives it can be returned within 45 days."


def return_deadline(delivered_at: datetime | None) -> datetime | None:
    return delivered_at + RETURN_WINDOW if delivered_at else None


def estimated_delivery(shipped_at: datetime, method: str) -> datetime:
    return add_business_days(shipped_at, TRANSIT_BUSINESS_DAYS.get(method, 5))


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
