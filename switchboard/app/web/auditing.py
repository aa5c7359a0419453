"""The operator's actions that live in memory (flags, chaos) or span several transactions (an
approval's decision), audited right after they succeed: before and after are only what changed.

Actions that are one database write (budgets, take-over, a human reply) are audited by their
store, in the same transaction (a `Stamp`; app/shop/audit.py)."""

from __future__ import annotations

from typing import Any

from pydantic import JsonValue

from switchboard.app.services import Services
from switchboard.app.shop.audit import Action, Actor, changes
from switchboard.app.shop.models import Approval
from switchboard.app.turns.approvals import ConsoleDecision

DECISIONS: dict[str, Action] = {
    "approve": "approval.approve",
    "edit": "approval.edit",
    "deny": "approval.deny",
    "reply": "approval.reply",
}


async def flags_changed(services: Services, actor: Actor, before: dict[str, bool], preset: str | None) -> None:
    was, now = changes(before, services.flags.snapshot())
    action: Action = "flags.preset" if preset else "flags.set"
    await services.audit.record(actor, action, was, now, target=preset or "")


async def chaos_changed(services: Services, actor: Actor, before: dict[str, Any], preset: str | None) -> None:
    was, now = changes(before, services.chaos.view())
    action: Action = "chaos.preset" if preset else "chaos.set"
    await services.audit.record(actor, action, was, now, target=preset or "")


async def decision_made(services: Services, actor: Actor, decided: Approval, decision: ConsoleDecision) -> None:
    """A decision is only carried out on a pending approval, so that is what it was before."""
    action = DECISIONS[decision.decision]
    after: dict[str, JsonValue] = {"status": decided.status, "amount": decision.amount, "reply": decided.reply}
    before: dict[str, JsonValue] = {"status": "pending", "request": decided.request}
    await services.audit.record(actor, action, before, after, target=decided.id, note=decision.note)
