"""Router: one cheap structured call decides which specialist takes the turn."""

from __future__ import annotations

import json
from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.calling import ask_model
from switchboard.agents.context import TurnContext
from switchboard.agents.events import RouteChosen, Step
from switchboard.agents.llm.types import ChatRequest, Message
from switchboard.agents.nodes.specialist import history
from switchboard.agents.state import ConversationState

ROUTES = ("orders", "knowledge", "account", "human")
FALLBACK_ROUTE = "knowledge"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "route": {"type": "string", "enum": list(ROUTES)},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["route", "confidence"],
}


async def router(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    ctx = runtime.context
    runtime.stream_writer(Step("router", "Choosing a specialist"))
    system: Message = {"role": "system", "content": ctx.prompts.get("router").text}
    messages = [system, *history(state)]
    request = ChatRequest(messages, ctx.router_model, json_schema=SCHEMA, max_tokens=40)
    reply = await ask_model(ctx, runtime.stream_writer, request, purpose="router", shows_text=False)
    route, confidence = parse_decision(reply.text)
    runtime.stream_writer(RouteChosen(route, confidence, by="router"))
    return {"route": route}


def parse_decision(text: str) -> tuple[str, float]:
    """The route the model chose; anything unreadable goes to the knowledge specialist.

    Validating and re-asking on malformed output is chapter 5's structured-output pattern.
    """
    try:
        decision = json.loads(text)
        route = str(decision["route"])
        confidence = float(decision.get("confidence", 0.0))
    except (ValueError, KeyError, TypeError):
        return FALLBACK_ROUTE, 0.0
    return (route, confidence) if route in ROUTES else (FALLBACK_ROUTE, 0.0)


def next_after_router(state: ConversationState) -> str:
    route = state.get("route", FALLBACK_ROUTE)
    return "escalate" if route == "human" else route
