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


class ApprovalState(TypedDict, total=False):
    request: dict[str, Any]  # kind, order_id, amount, reason
    decision: dict[str, Any]  # {"decision": Decision, "amount"?: float, "note"?: str, "by"?: str}
    reply: str


ApprovalGraph = CompiledStateGraph[ApprovalState, TurnContext, ApprovalState, ApprovalState]


async def await_person(state: ApprovalState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    decision: dict[str, Any] = interrupt(state["request"])
    reply = await carry_out(runtime.context, state["request"], decision)
    return {"decision": decision, "reply": reply}


async def carry_out(ctx: TurnContext, request: dict[str, Any], decision: dict[str, Any]) -> str:
    kind, note = decision.get("decision"), str(decision.get("note") or "").strip()
    if kind == "reply":
        return note
    if kind == "expired":
        return f"I'm sorry — no one could review your request about order #{request['order_id']} in time, so it " + (
            "has been declined for now. Reply here and we'll pick it up again."
        )
    if request.get("kind") == "address":
        return await _address(ctx, request, decision, note)
    return await _refund(ctx, request, decision, note)


async def _refund(ctx: TurnContext, request: dict[str, Any], decision: dict[str, Any], note: str) -> str:
    kind, order_id = decision.get("decision"), request["order_id"]
    if kind in ("approve", "edit"):
        amount = float(decision.get("amount") or request["amount"]) if kind == "edit" else float(request["amount"])
        done = await ctx.shop.approve_refund(ctx.customer_id, order_id, amount, f"approved by {decision.get('by')}")
        if done["decision"] != "approved":
            return f"A colleague approved it, but order #{order_id} could not be refunded: {done['decision']}."
        return f"Good news: a colleague approved your refund of ${amount:.2f} for order #{order_id}." + _also(note)
    return f"A colleague reviewed your refund for order #{order_id} and couldn't approve it." + _also(note)


async def _address(ctx: TurnContext, request: dict[str, Any], decision: dict[str, Any], note: str) -> str:
    """An edit approves a corrected address, given as the note."""
    order_id = request["order_id"]
    if decision.get("decision") == "deny":
        return f"A colleague looked at changing where order #{order_id} goes and couldn't do it." + _also(note)
    address = note if decision.get("decision") == "edit" and note else request["address"]
    done = await ctx.shop.redirect_shipment(ctx.customer_id, order_id, address, f"approved by {decision.get('by')}")
    if done["decision"] != "updated":
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
