"""The operator's actions that live in memory (flags, chaos), shared with the other replicas and
audited right after they succeed: before and after are only what changed.

Actions that end in a database write (budgets, take-over, a human reply, an approval's decision)
are audited by their store, in the same transaction (a `Stamp`; app/shop/audit.py)."""

from __future__ import annotations

from typing import Any

from switchboard.app.services import Services
from switchboard.app.shop.audit import Action, Actor, changes

DECISIONS: dict[str, Action] = {
    "approve": "approval.approve",
    "edit": "approval.edit",
    "deny": "approval.deny",
    "reply": "approval.reply",
}


async def flags_changed(services: Services, actor: Actor, before: dict[str, bool], preset: str | None) -> None:
    await services.boards.push("flags")  # first: it takes the board's state before anything else runs
    was, now = changes(before, services.flags.snapshot())
    action: Action = "flags.preset" if preset else "flags.set"
    await services.audit.record(actor, action, was, now, target=preset or "")


async def chaos_changed(services: Services, actor: Actor, before: dict[str, Any], preset: str | None) -> None:
    await services.boards.push("chaos")
    was, now = changes(before, services.chaos.view())
    action: Action = "chaos.preset" if preset else "chaos.set"
    await services.audit.record(actor, action, was, now, target=preset or "")
