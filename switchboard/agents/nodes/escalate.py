"""Escalate: open a ticket and tell the customer, plainly, that a person will follow up."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.context import TurnContext
from switchboard.agents.events import Step, TicketOpened, Token
from switchboard.agents.state import ConversationState


async def escalate(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    ctx = runtime.context
    runtime.stream_writer(Step("escalate", "Passing this to a person"))
    reason = state.get("handoff_reason") or "customer asked for a person"
    ticket_id = await ctx.shop.open_ticket(ctx.customer_id, ctx.conversation_id, reason)
    runtime.stream_writer(TicketOpened(ticket_id, reason))
    text = ctx.prompt("escalate", ticket_id=ticket_id)
    lead = "\n\n" if state.get("handoff") else ""
    runtime.stream_writer(Token(lead + text))
    return {
        "messages": [{"role": "assistant", "content": text}],
        "handoff": None,
        "handoff_reason": "",
    }
