"""Approval by a person (chapter 7), as a LangGraph interrupt.

Each approval is a small graph run on a thread of its own: it stops at `interrupt()` with the
request, and the checkpointer keeps it there — across server restarts — until someone resumes
it with a decision (`Command(resume=...)`). Then it carries the decision out and returns the
message the customer gets. Its own thread, rather than the conversation's, so that the customer
can go on chatting while the request waits.

Requests: a refund beyond the assistant's limits, or an address change after the order shipped.
Decisions: approve, edit (approve a different amount, or a corrected address given as the note),
deny (with a note), reply (a person's answer, nothing executed), expired (the deadline passed).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from switchboard.agents.context import TurnContext

Decision = Literal["approve", "edit", "deny", "reply", "expired"]


class PersonsDecision(TypedDict):
    """What a waiting run is resumed with. Plain data, because the checkpointer stores it."""

    approval_id: str  # keys the refund, so that a run resumed twice pays once
    decision: Decision
    amount: float | None  # an edit's refund, when it changes the amount
    note: str
    by: str


class ApprovalState(TypedDict, total=False):
    request: dict[str, Any]  # kind, order_id, amount, reason
    decision: PersonsDecision
    reply: str


ApprovalGraph = CompiledStateGraph[ApprovalState, TurnContext, ApprovalState, ApprovalState]


async def await_person(state: ApprovalState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    decision: PersonsDecision = interrupt(state["request"])
    reply = await carry_out(runtime.context, state["request"], decision)
    return {"decision": decision, "reply": reply}


def refund_amount(request: dict[str, Any], decision: PersonsDecision) -> float:
    """What approving pays: an edit's amount if it gives one, else the amount asked for."""
    if decision["decision"] == "edit" and decision["amount"]:
        return float(decision["amount"])
    return float(request["amount"])


async def carry_out(ctx: TurnContext, request: dict[str, Any], decision: PersonsDecision) -> str:
    kind, note = decision["decision"], decision["note"].strip()
    if kind == "reply":
        return note
    if kind == "expired":
        return f"I'm sorry — no one could review your request about order #{request['order_id']} in time, so it " + (
            "has been declined for now. Reply here and we'll pick it up again."
        )
    if request.get("kind") == "address":
        return await _address(ctx, request, decision, note)
    return await _refund(ctx, request, decision, note)


async def _refund(ctx: TurnContext, request: dict[str, Any], decision: PersonsDecision, note: str) -> str:
    order_id = request["order_id"]
    if decision["decision"] not in ("approve", "edit"):
        return f"A colleague reviewed your refund for order #{order_id} and couldn't approve it." + _also(note)
    approver = f"approved by {decision['by']}"
    asked = refund_amount(request, decision)
    done = await ctx.shop.approve_refund(ctx.customer_id, order_id, asked, approver, decision["approval_id"])
    if done.decision == "too_much":
        left = f"only ${done.left:.2f} is left to refund on it"
        return f"A colleague approved it, but order #{order_id} could not be refunded: {left}."
    if done.decision != "approved":
        return f"A colleague approved it, but order #{order_id} could not be refunded: {done.decision}."
    paid = done.amount  # a repeat of this approval answers with what it paid the first time
    return f"Good news: a colleague approved your refund of ${paid:.2f} for order #{order_id}." + _also(note)


async def _address(ctx: TurnContext, request: dict[str, Any], decision: PersonsDecision, note: str) -> str:
    """An edit approves a corrected address, given as the note."""
    order_id = request["order_id"]
    if decision["decision"] == "deny":
        return f"A colleague looked at changing where order #{order_id} goes and couldn't do it." + _also(note)
    address = note if decision["decision"] == "edit" and note else request["address"]
    done = await ctx.shop.redirect_shipment(ctx.customer_id, order_id, address, f"approved by {decision['by']}")
    if done.decision != "updated":
        return f"A colleague approved it, but order #{order_id} can no longer be redirected."
    return f"Good news: a colleague asked the carrier to redirect order #{order_id} to {address}."


def _also(note: str) -> str:
    return f" They add: {note}" if note else ""


def build_approval_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> ApprovalGraph:
    graph = StateGraph(ApprovalState, context_schema=TurnContext)
    graph.add_node("await_person", await_person)
    graph.add_edge(START, "await_person")
    graph.add_edge("await_person", END)
    return graph.compile(checkpointer=checkpointer)
