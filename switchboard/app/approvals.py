"""The approval desk (chapter 7): opens approvals, lists the queue, carries out decisions.

An approval is a row (for the queue and its context) plus a paused LangGraph run on a thread
of its own (agents/approval.py), checkpointed like every conversation, so that a pending
approval survives a restart. A decision resumes that run, which carries it out; the desk posts
its message into the customer's conversation. Past its deadline an approval is declined with a
message, by `expire_overdue`, which the app calls on a timer (and tests call with their clock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from langgraph.types import Command
from sqlmodel import col, select

from switchboard.agents.approval import ApprovalGraph
from switchboard.agents.context import TurnContext
from switchboard.agents.events import ApprovalRequested
from switchboard.app.db import Sessions
from switchboard.app.models import Approval
from switchboard.app.store import ConversationStore, new_id

DECISIONS = ("approve", "edit", "deny", "reply")
ContextFactory = Callable[[str, str], TurnContext]


class ApprovalError(ValueError):
    """No such approval, it was already decided, or the decision is malformed."""


class ApprovalDesk:
    def __init__(
        self,
        sessions: Sessions,
        graph: ApprovalGraph,
        conversations: ConversationStore,
        make_context: ContextFactory,
        now: Callable[[], datetime],
        deadline: timedelta,
    ) -> None:
        self._sessions = sessions
        self._graph = graph
        self._conversations = conversations
        self._make_context = make_context
        self._now = now
        self._deadline = deadline

    async def open(self, conversation_id: str, customer_id: str, wanted: ApprovalRequested) -> Approval:
        request = asdict(wanted)
        now = self._now()
        approval = Approval(
            id=new_id("ap_"),
            conversation_id=conversation_id,
            customer_id=customer_id,
            request=request,
            created_at=now,
            deadline_at=now + self._deadline,
        )
        async with self._sessions() as s, s.begin():
            s.add(approval)
        await self._graph.ainvoke({"request": request}, _thread(approval.id), context=self._context(approval))
        return approval

    async def pending(self) -> list[Approval]:
        async with self._sessions() as s:
            query = select(Approval).where(Approval.status == "pending").order_by(col(Approval.created_at))
            return list((await s.exec(query)).all())

    async def decide(self, approval_id: str, decision: dict[str, Any]) -> Approval:
        """Resume the paused run with the decision; post its message to the customer."""
        approval = await self._pending(approval_id)
        result = await self._graph.ainvoke(
            Command(resume=decision), _thread(approval_id), context=self._context(approval)
        )
        reply = str(result.get("reply", ""))
        await self._conversations.add_message(approval.conversation_id, "assistant", reply)
        return await self._close(approval_id, decision, reply)

    async def expire_overdue(self) -> list[str]:
        overdue = [a for a in await self.pending() if a.deadline_at <= self._now()]
        for approval in overdue:
            await self.decide(approval.id, {"decision": "expired", "by": "deadline"})
        return [a.id for a in overdue]

    async def _pending(self, approval_id: str) -> Approval:
        async with self._sessions() as s:
            approval = await s.get(Approval, approval_id)
        if approval is None:
            raise ApprovalError(f"no approval {approval_id!r}")
        if approval.status != "pending":
            raise ApprovalError(f"approval {approval_id} was already decided: {approval.status}")
        return approval

    async def _close(self, approval_id: str, decision: dict[str, Any], reply: str) -> Approval:
        async with self._sessions() as s, s.begin():
            approval = await s.get(Approval, approval_id)
            assert approval is not None
            approval.status = str(decision["decision"])
            approval.decided_at = self._now()
            approval.decided_by = str(decision.get("by") or "")
            approval.reply = reply
        return approval

    def _context(self, approval: Approval) -> TurnContext:
        return self._make_context(approval.customer_id, approval.conversation_id)


def _thread(approval_id: str) -> Any:
    return {"configurable": {"thread_id": f"approval:{approval_id}"}}


def checked_decision(body: dict[str, Any], by: str) -> dict[str, Any]:
    """A decision from the console, validated: what it is, and what it needs."""
    kind = body.get("decision")
    if kind not in DECISIONS:
        raise ApprovalError(f"decision must be one of {', '.join(DECISIONS)}, not {kind!r}")
    amount_ok = isinstance(body.get("amount"), int | float) and body["amount"] > 0
    if kind == "edit" and not amount_ok and not str(body.get("note") or "").strip():
        raise ApprovalError("an edit needs a positive amount (a refund) or the corrected address as the note")
    if kind == "reply" and not str(body.get("note") or "").strip():
        raise ApprovalError("a reply needs a note: the words the customer will read")
    return {"decision": kind, "amount": body.get("amount"), "note": body.get("note"), "by": by}
