"""The audit log of operator actions: who did what, when, from where, and what it changed.

Recording an action is one call, `await audit.record(actor, action, before, after)`, made right
after the action succeeded. Where the action is itself a database write, the store doing it
takes a `Stamp` instead (`audit.stamp(actor, action)`) and adds `stamp.entry(before, after)` in
its own transaction, so the change and its entry are committed together or not at all. An
action that was refused (a 4xx) is not recorded: nothing changed.

Who is how the operator signed in (`admin_token` header, `admin_cookie`, or `cli`), never the
token. The log is write-once: this module has no update or delete, and the table's triggers
(migration 0004) refuse them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, JsonValue
from sqlmodel import col, select

from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import AuditEntry

Action = Literal[
    "flags.set",
    "flags.preset",
    "chaos.set",
    "chaos.preset",
    "approval.approve",
    "approval.edit",
    "approval.deny",
    "approval.reply",
    "conversation.take_over",
    "conversation.hand_back",
    "conversation.human_reply",
    "budgets.change",
    "knowledge.ingest",
    "knowledge.chunking",
    "kill_switch.set",
    "call.replay",
    "run.replay_case",
    "prompts.rollout",
    "prompts.promote",
    "prompts.rollback",
]
ACTIONS: tuple[str, ...] = get_args(Action)
SignIn = Literal["admin_token", "admin_cookie", "cli"]
ADDRESS_CHARS = 64
AGENT_CHARS = 200
NOTE_CHARS = 2000


class Actor(BaseModel):
    """Who acted and from where, as the request said it (truncated: a client chooses these)."""

    model_config = ConfigDict(frozen=True)
    sign_in: SignIn
    address: str = ""
    user_agent: str = ""

    @classmethod
    def of(cls, sign_in: SignIn, address: str, user_agent: str) -> Actor:
        return cls(sign_in=sign_in, address=address[:ADDRESS_CHARS], user_agent=user_agent[:AGENT_CHARS])


class AuditView(BaseModel):
    """One entry, as the API and the page show it."""

    id: int
    at: datetime
    action: str
    sign_in: str
    address: str
    user_agent: str
    target: str
    before: JsonValue
    after: JsonValue
    note: str

    @classmethod
    def of(cls, row: AuditEntry) -> AuditView:
        view = cls.model_validate(row.model_dump())
        # SQLite hands datetimes back without their zone; they were written in UTC
        return view if view.at.tzinfo else view.model_copy(update={"at": view.at.replace(tzinfo=UTC)})


@dataclass(frozen=True)
class Stamp:
    """An action about to be done: the entry it leaves once its before and after are known."""

    actor: Actor
    action: Action
    at: datetime
    target: str = ""
    note: str = ""

    def entry(self, before: JsonValue, after: JsonValue) -> AuditEntry:
        return AuditEntry(
            at=self.at,
            action=self.action,
            target=self.target,
            before=before,
            after=after,
            note=self.note[:NOTE_CHARS],
            **self.actor.model_dump(),
        )


class AuditLog:
    def __init__(self, sessions: Sessions, now: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._now = now

    def stamp(self, actor: Actor, action: Action, target: str = "", note: str = "") -> Stamp:
        return Stamp(actor, action, self._now(), target, note)

    async def record(
        self,
        actor: Actor,
        action: Action,
        before: JsonValue,
        after: JsonValue,
        *,
        target: str = "",
        note: str = "",
    ) -> AuditView:
        """An action that has just succeeded, in a transaction of its own."""
        row = self.stamp(actor, action, target, note).entry(before, after)
        async with self._sessions() as s, s.begin():
            s.add(row)
        return AuditView.of(row)

    async def newest(self, action: str | None = None, before_id: int | None = None, limit: int = 50) -> list[AuditView]:
        """Newest first; `before_id` pages on (the entries older than that one)."""
        query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        if before_id is not None:
            query = query.where(col(AuditEntry.id) < before_id)
        async with self._sessions() as s:
            return [AuditView.of(row) for row in (await s.exec(query)).all()]


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what differs between two states, on each side: `{a: 1}` → `{a: 2}`, not all of both.
    Nested mappings (a provider's dials) are compared one level down."""
    was: dict[str, Any] = {}
    now: dict[str, Any] = {}
    for key in {**before, **after}:
        old, new = before.get(key), after.get(key)
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            old, new = changes(old, new)
            if not old and not new:
                continue
        elif old == new:
            continue
        was[key], now[key] = old, new
    return was, now
