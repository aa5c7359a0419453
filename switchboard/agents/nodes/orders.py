"""Orders specialist: status, tracking, cancellations and refunds of the customer's orders."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.context import TurnContext
from switchboard.agents.events import Step
from switchboard.agents.nodes.specialist import run_specialist
from switchboard.agents.state import ConversationState
from switchboard.agents.tools import specialist_toolset


async def orders(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    runtime.stream_writer(Step("orders", "Looking at your orders"))
    names = ["get_order", "list_orders", "track_shipment", "request_refund", "update_address"]
    if runtime.context.on("rag"):
        names.append("search_kb")
    return await run_specialist("orders", state, runtime, specialist_toolset(*names))
