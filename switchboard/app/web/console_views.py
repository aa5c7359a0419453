"""What the Human console shows a person deciding: each waiting request as a card (the exchange
that raised it, when it declines by itself), and a sentence confirming each decision made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from switchboard.app.shop.models import Message
from switchboard.app.web.responses import ApprovalView, QueuedApproval, RecentMessage


def raising_exchange(messages: list[Message], opened_at: datetime) -> list[RecentMessage]:
    """The customer's message that led to the request (the last one before it was opened) and
    the assistant's answer to it; the last two messages if no message of the customer's precedes it."""
    asked = [i for i, m in enumerate(messages) if m.role == "user" and _utc(m.created_at) <= _utc(opened_at)]
    if not asked:
        return [RecentMessage(role=m.role, content=m.content) for m in messages[-2:]]
    question = messages[asked[-1]]
    answer = next((m for m in messages[asked[-1] + 1 :] if m.role == "assistant"), None)
    return [RecentMessage(role=m.role, content=m.content) for m in (question, answer) if m is not None]


class HeldConversation(BaseModel):
    """A recent conversation in the console's table: who answers it, and its latest messages."""

    id: str
    customer_id: str
    tenant_id: str  # the customer's storefront
    tenant_name: str
    held: bool  # a person has taken it over
    recent: list[RecentMessage]


class ApprovalCard(BaseModel):
    """One waiting request, as its card shows it."""

    approval: QueuedApproval
    declines_at: str  # "10:04 UTC"
    declines_in: str  # "in 12 min", "in under a minute", "now"


def approval_card(approval: QueuedApproval, now: datetime) -> ApprovalCard:
    deadline = _utc(datetime.fromisoformat(approval.deadline_at))
    return ApprovalCard(approval=approval, declines_at=f"{deadline:%H:%M} UTC", declines_in=_time_left(deadline - now))


def _time_left(left: timedelta) -> str:
    seconds = left.total_seconds()
    if seconds <= 0:
        return "at the next sweep"
    if seconds < 60:
        return "in under a minute"
    minutes = int(seconds // 60)
    return f"in {minutes} min" if minutes < 120 else f"in {minutes // 60} h {minutes % 60} min"


def _utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; every one this app stores is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def decision_summary(decided: ApprovalView, amount: float | None) -> str:
    """'Refund of $40.00 on order #10057 approved; the customer has been told.' `amount`: an edit's."""
    request, order = decided.request, f"order #{decided.request.get('order_id')}"
    told = "the customer has been told"
    if decided.status == "reply":
        return f"Your reply about {order} is in the customer's conversation"
    if request.get("kind") == "address":
        address = {"approve": request.get("address"), "edit": "the address in your note"}.get(decided.status)
        done = f"approved: {address}" if address else _VERBS.get(decided.status, decided.status)
        return f"New delivery address for {order} {done}; {told}"
    asked = float(request.get("amount") or 0)
    paid = amount if decided.status == "edit" and amount else asked
    instead = f" (asked: ${asked:.2f})" if paid != asked else ""
    return f"Refund of ${paid:.2f}{instead} on {order} {_VERBS.get(decided.status, decided.status)}; {told}"


_VERBS = {"approve": "approved", "edit": "approved", "deny": "denied", "expired": "declined (its deadline passed)"}
