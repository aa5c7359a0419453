"""The approval desk (chapter 7): opens approvals, lists the queue, carries out decisions.

An approval is a row (for the queue and its context) plus a paused LangGraph run on a thread
of its own (agents/approval.py), checkpointed like every conversation, so that a pending
approval survives a restart. A decision resumes that run, which carries it out; the desk posts
its message into the customer's conversation. Past its deadline an approval is declined with a
message, by `expire_overdue`, which the app calls on a timer (and tests call with their clock).

A decision moves money, so it happens once. Before anything is carried out it is claimed with
    UPDATE approval SET status = 'deciding' WHERE id = :id AND status = 'pending'
which the database applies atomically: of two decisions at the same moment (two people, or a
person and the deadline sweeper) exactly one changes the row, and the other gets AlreadyDecided
with nothing it asked for done. The winner resumes the run, then posts the message and closes
the approval in one transaction. If carrying out fails, the claim goes back to pending; a claim
left by a process that died mid-decision goes back (`release_claims`, at start-up and on the lease
sweep): a claim records its process's lease, and only a lapsed lease's claims go back, so a
replica starting up never releases another's decision in flight (app/shop/leases.py). Deciding such
an approval again is safe: a refund is keyed by its approval in the schema (`ApprovalRefund`),
and resuming a run that already finished answers with what it did, without doing it again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, Self

from langgraph.types import Command
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import col, select, update

from switchboard.agents.approval import ApprovalGraph, Decision, PersonsDecision, refund_amount
from switchboard.agents.context import TurnContext
from switchboard.agents.events import ApprovalRequested
from switchboard.app.shop.audit import Stamp
from switchboard.app.shop.db import Sessions
from switchboard.app.shop.leases import ProcessLeases
from switchboard.app.shop.models import Approval, Customer, Message, RunConversation
from switchboard.app.shop.refund_ledger import cents
from switchboard.app.shop.store import ShopStore
from switchboard.app.turns.conversations import new_id
from switchboard.app.turns.feed import ConversationFeed, Feed, message_posted

PENDING, CLAIMED = "pending", "deciding"
NOTE_LIMIT = 4000
ContextFactory = Callable[[str, str, str], TurnContext]  # customer, conversation, tenant
log = logging.getLogger(__name__)


class ApprovalError(Exception):
    """Why a decision was not carried out. Each kind below is one HTTP status in the console."""


class ApprovalNotFound(ApprovalError):
    """No approval has that id (404)."""


class AlreadyDecided(ApprovalError):
    """Another decision claimed it first; nothing this one asked for was done (409)."""


class InvalidDecision(ApprovalError):
    """The decision cannot be carried out as given, e.g. more than is left to refund (422).
    Raised before the claim: the approval still waits."""


class DecisionFailed(ApprovalError):
    """Carrying the decision out raised. It was logged; the approval waits again (500)."""


class ConsoleDecision(BaseModel):
    """A person's decision, as the console sends it (a JSON body or the page's form)."""

    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "edit", "deny", "reply"]
    amount: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    note: str = Field(default="", max_length=NOTE_LIMIT)

    @model_validator(mode="after")
    def _has_what_it_needs(self) -> Self:
        if self.decision == "edit" and self.amount is None and not self.note.strip():
            raise PydanticCustomError(
                "edit_needs_a_change", "an edit needs a positive amount (a refund) or the corrected address as the note"
            )
        if self.decision == "reply" and not self.note.strip():
            raise PydanticCustomError("reply_needs_words", "a reply needs a note: the words the customer will read")
        return self


RunPolicy = Literal["deny"]  # an eval run's approvals are declined: a run must not move money


class RunApprovals(BaseModel):
    """What a run's approvals came to: how many it raised and how each was resolved."""

    raised: int = 0
    policy: RunPolicy = "deny"
    resolved: dict[str, int] = Field(default_factory=dict)  # status (deny, expired, ...) -> approvals


class ApprovalDesk:
    def __init__(
        self,
        sessions: Sessions,
        graph: ApprovalGraph,
        shop: ShopStore,
        make_context: ContextFactory,
        now: Callable[[], datetime],
        deadline: timedelta,
        feed: Feed | None = None,
        leases: ProcessLeases | None = None,
    ) -> None:
        """`feed` hears each decision's message, so that the customer's open chat shows it.
        `leases`: this process's, recorded on its claims; None (one process, tests) releases all."""
        self._sessions = sessions
        self._leases = leases
        self._feed: Feed = feed or ConversationFeed()
        self._graph = graph
        self._shop = shop
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
        await self._graph.ainvoke({"request": request}, _thread(approval.id), context=await self._context(approval))
        return approval

    async def pending(self) -> list[Approval]:
        """Every approval waiting, live and raised by eval runs alike (the deadline sweeps both)."""
        async with self._sessions() as s:
            query = select(Approval).where(Approval.status == PENDING).order_by(col(Approval.created_at))
            return list((await s.exec(query)).all())

    async def live(self, tenant: str | None = None) -> list[Approval]:
        """The Human console's queue: waiting approvals of real conversations, none raised by a run;
        with `tenant`, only those of that storefront's customers."""
        run_played = select(RunConversation.conversation_id)
        query = select(Approval).where(Approval.status == PENDING, col(Approval.conversation_id).not_in(run_played))
        if tenant is not None:
            query = query.join(Customer, col(Customer.id) == Approval.customer_id).where(Customer.tenant_id == tenant)
        async with self._sessions() as s:
            return list((await s.exec(query.order_by(col(Approval.created_at)))).all())

    async def raised_by(self, run_id: str) -> list[Approval]:
        """A run's own queue: the approvals its conversations raised, in any state."""
        played = select(RunConversation.conversation_id).where(RunConversation.run_id == run_id)
        async with self._sessions() as s:
            query = select(Approval).where(col(Approval.conversation_id).in_(played))
            return list((await s.exec(query.order_by(col(Approval.created_at)))).all())

    async def resolve_for_run(self, run_id: str, policy: RunPolicy = "deny") -> RunApprovals:
        """Decide every approval a run left waiting by the run's policy, signed as that policy, so
        that eval traffic never waits for a person. One the deadline took first stays expired; one
        whose decision failed (logged) is counted as pending, and stays out of the live queue."""
        note = f"Eval run {run_id}: decided by the run's policy ({policy}), not by a person."
        for approval in [a for a in await self.raised_by(run_id) if a.status == PENDING]:
            try:
                await self.decide(approval.id, ConsoleDecision(decision=policy, note=note), f"run policy: {policy}")
            except (AlreadyDecided, DecisionFailed):
                continue
        resolved = Counter(a.status for a in await self.raised_by(run_id))
        return RunApprovals(raised=sum(resolved.values()), policy=policy, resolved=dict(resolved))

    async def decide(
        self, approval_id: str, decision: ConsoleDecision, by: str, stamp: Stamp | None = None
    ) -> Approval:
        """Carry out a person's decision, once: checked, claimed, carried out, closed with its message.
        `stamp`: the operator's action, audited in the transaction that closes the approval."""
        approval = await self._waiting(approval_id)
        resume = _resume(approval.id, decision.decision, by, decision.amount, decision.note)
        await self._check_amount(approval, resume)
        return await self._settle(approval, resume, stamp)

    async def expire_overdue(self) -> list[str]:
        """Decline what is past its deadline. One a person decides meanwhile is theirs; one that
        fails (already logged) waits for the next sweep."""
        expired = []
        for approval in [a for a in await self.pending() if a.deadline_at <= self._now()]:
            try:
                await self._settle(approval, _resume(approval.id, "expired", "deadline"))
            except (AlreadyDecided, DecisionFailed):
                continue
            expired.append(approval.id)
        return expired

    async def release_claims(self) -> int:
        """Approvals claimed by a process that died before closing them wait again: those whose
        claim's lease has lapsed (or that have none); without leases, every claim."""
        claimed = [col(Approval.status) == CLAIMED]
        if self._leases is not None:
            claimed.append(self._leases.orphaned(Approval.owner))
        async with self._sessions() as s, s.begin():
            released = await s.exec(update(Approval).where(*claimed).values(status=PENDING, owner=None))
        if released.rowcount:
            log.warning("%d approval(s) left mid-decision by an earlier run are pending again", released.rowcount)
        return int(released.rowcount)

    async def _waiting(self, approval_id: str) -> Approval:
        async with self._sessions() as s:
            approval = await s.get(Approval, approval_id)
        if approval is None:
            raise ApprovalNotFound(f"no approval {approval_id!r}")
        if approval.status != PENDING:
            raise AlreadyDecided(f"approval {approval_id} was already decided: {approval.status}")
        return approval

    async def _check_amount(self, approval: Approval, decision: PersonsDecision) -> None:
        """A refund pays at most what is left on the order: said now, while the approval still
        waits. (The refund ledger enforces it again when paying, against refunds racing this one.)"""
        request = approval.request
        if request.get("kind") == "address" or decision["decision"] not in ("approve", "edit"):
            return
        asked, order_id = refund_amount(request, decision), request["order_id"]
        left = await self._shop.left_to_refund(approval.customer_id, order_id) or 0.0
        if cents(asked) > cents(left):
            raise InvalidDecision(
                f"amount: ${asked:.2f} is more than the ${left:.2f} left to refund on order #{order_id}"
            )

    async def _settle(self, approval: Approval, decision: PersonsDecision, stamp: Stamp | None = None) -> Approval:
        await self._claim(approval.id)
        try:
            return await self._carry_out(approval, decision, stamp)
        except Exception as exc:
            await self._release(approval.id)
            log.exception("carrying out %r on approval %s failed; it waits again", decision["decision"], approval.id)
            raise DecisionFailed(f"carrying out approval {approval.id} failed; it is pending again") from exc

    async def _claim(self, approval_id: str) -> None:
        async with self._sessions() as s, s.begin():
            claim = update(Approval).where(col(Approval.id) == approval_id, col(Approval.status) == PENDING)
            claimed = await s.exec(claim.values(status=CLAIMED, owner=self._leases and self._leases.id))
        if claimed.rowcount != 1:
            raise AlreadyDecided(f"approval {approval_id} was already decided by another decision")

    async def _release(self, approval_id: str) -> None:
        async with self._sessions() as s, s.begin():
            claimed = update(Approval).where(col(Approval.id) == approval_id, col(Approval.status) == CLAIMED)
            await s.exec(claimed.values(status=PENDING, owner=None))

    async def _carry_out(self, approval: Approval, decision: PersonsDecision, stamp: Stamp | None) -> Approval:
        """Resume the run, then post its message, close the approval and audit the decision in one
        transaction. A run that had already finished answers with the decision it carried out then."""
        thread, context = _thread(approval.id), await self._context(approval)
        result = await self._graph.ainvoke(Command(resume=decision), thread, context=context)
        done: PersonsDecision = result.get("decision", decision)
        reply = str(result.get("reply", ""))
        message = _message(approval.conversation_id, reply, self._now())
        async with self._sessions() as s, s.begin():
            s.add(message)
            closed = await s.get(Approval, approval.id)
            assert closed is not None  # approvals are never deleted
            closed.status, closed.decided_by, closed.reply = done["decision"], done["by"], reply
            closed.decided_at = self._now()
            if stamp is not None:
                s.add(stamp.entry(*_audited(approval, done, reply)))
        self._feed.publish(approval.conversation_id, message_posted(message.id, message.role, reply))
        return closed

    async def _context(self, approval: Approval) -> TurnContext:
        """The context a decision resumes in: the tenant as the shop's records have the customer."""
        tenant_id = await self._shop.tenant_of(approval.customer_id)
        return self._make_context(approval.customer_id, approval.conversation_id, tenant_id)


def _resume(
    approval_id: str, decision: Decision, by: str, amount: float | None = None, note: str = ""
) -> PersonsDecision:
    return PersonsDecision(approval_id=approval_id, decision=decision, amount=amount, note=note, by=by)


def _audited(approval: Approval, done: PersonsDecision, reply: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A decision is only carried out on a pending approval, so that is what it was before."""
    before = {"status": "pending", "request": approval.request}
    return before, {"status": done["decision"], "amount": done["amount"], "reply": reply}


def _message(conversation_id: str, reply: str, now: datetime) -> Message:
    return Message(id=new_id("m_"), conversation_id=conversation_id, role="assistant", content=reply, created_at=now)


def _thread(approval_id: str) -> Any:
    return {"configurable": {"thread_id": f"approval:{approval_id}"}}
