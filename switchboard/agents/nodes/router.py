"""Router: one cheap structured call decides which specialist takes the turn.

A message about nothing the shop does (a poem, homework, politics) is routed `out_of_scope` and
declined politely, without a specialist or any tool: the turn's outcome is `declined`.

A specialist may hand the turn back ("not my question"); the router then chooses again, told
why. With `loop_guard` on, the same router↔specialist pass made once too often is ping-pong:
the turn goes to a person with the reason recorded. Without it, only the graph's recursion
limit ends a ping-pong: with an error, after a dozen rounds of paid calls.

With `router_fallback` on, a decision less confident than the turn's threshold (the setting
SWITCHBOARD_ROUTER_FALLBACK_THRESHOLD) does not go to the specialist it names but to the fallback:
the generalist with every read-only tool (nodes/fallback.py); the record's route says `fallback`.

With `escalation_triggers` on, a turn the router is unsure of (or whose customer is plainly
fed up) goes to a person. With `structured_output` on, the decision is validated against its schema and a malformed one
is re-asked once with what was wrong (patterns/structured_output.py); without it, anything
unreadable silently goes to the knowledge specialist.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from switchboard.agents.calling import Writer, ask_model
from switchboard.agents.context import TurnContext
from switchboard.agents.events import GuardPassed, GuardTripped, RouteChosen, Step
from switchboard.agents.history import history, trim_history
from switchboard.agents.llm.types import ChatRequest, Message
from switchboard.agents.nodes.specialist import handoffs_of
from switchboard.agents.state import ConversationState
from switchboard.patterns.frustration import measure
from switchboard.patterns.loop_guard import LoopGuard
from switchboard.patterns.structured_output import ask_validated

ROUTES = ("orders", "knowledge", "account", "human", "out_of_scope")
Route = Literal["orders", "knowledge", "account", "human", "out_of_scope", "fallback"]
NextStep = Literal["orders", "knowledge", "account", "escalate", "decline", "fallback"]
FALLBACK = "fallback"  # the route, and the node, of a turn the router was unsure of
NOT_A_SPECIALIST = ("human", "out_of_scope")  # a person takes these, or nobody: the turn is declined
FALLBACK_ROUTE = "knowledge"
LOW_CONFIDENCE = 0.3  # below this the demo router is wrong more often than right
FRUSTRATED = 0.5
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "route": {"type": "string", "enum": list(ROUTES)},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["route", "confidence"],
}


class Decision(BaseModel):
    route: Literal["orders", "knowledge", "account", "human", "out_of_scope"]
    confidence: float = Field(ge=0, le=1)


async def router(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Fits the history to its budget (`context_window`) first: the router is the turn's first
    reader of it, and the specialist it chooses reads the same window from the state."""
    trimmed = await trim_history(state, runtime)
    return {**trimmed, **await _route({**state, **trimmed}, runtime)}


async def _route(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    ctx, write = runtime.context, runtime.stream_writer
    bounced = state.get("handoff") == "router"
    write(Step("router", f"Choosing again ({state.get('handoff_reason')})" if bounced else "Choosing a specialist"))
    system: Message = {"role": "system", "content": ctx.prompt("router")}
    conversation = history(state, ctx)
    messages = [system, *conversation, *(_handed_back_note(state) if bounced else [])]

    async def ask(feedback: str | None) -> str:
        extra: list[Message] = [{"role": "user", "content": feedback}] if feedback else []
        request = ChatRequest([*messages, *extra], ctx.router_model, json_schema=SCHEMA, max_tokens=40)
        return (await ask_model(ctx, write, request, purpose="router", shows_text=False)).text

    if ctx.on("structured_output"):
        route, confidence = await _validated(ask, write)
    else:
        route, confidence = parse_decision(await ask(None))
    write(RouteChosen(route, confidence, by="router"))
    trigger = (
        escalation_trigger(conversation[-1].get("content", "") if conversation else "", route, confidence)
        if ctx.on("escalation_triggers")
        else None
    )
    if trigger:
        write(GuardTripped("escalation_triggers", "escalate", trigger))
        return {"route": "human", "handoff": None, "handoff_reason": trigger}
    if ctx.on("escalation_triggers"):
        write(GuardPassed("escalation_triggers", f"no trigger: {route} at confidence {confidence:.2f}"))
    if ctx.on("router_fallback") and route not in NOT_A_SPECIALIST:
        return _dispatch(state, ctx, write, _sure_or_fallback(ctx, write, route, confidence))
    return _dispatch(state, ctx, write, route)


def _sure_or_fallback(ctx: TurnContext, write: Writer, route: str, confidence: float) -> str:
    """`router_fallback`: the route chosen, or `fallback` when the router is less sure than
    `ctx.fallback_below` (reported as the turn's route, with the router's confidence)."""
    if confidence >= ctx.fallback_below:
        write(GuardPassed("router_fallback", f"{route} at confidence {confidence:.2f} ≥ {ctx.fallback_below:g}"))
        return route
    why = f"router unsure ({route} at confidence {confidence:.2f} < {ctx.fallback_below:g})"
    write(GuardTripped("router_fallback", "fallback", f"{why}: the generalist takes it with read-only tools"))
    write(RouteChosen(FALLBACK, confidence, by="router_fallback"))
    return FALLBACK


def _handed_back_note(state: ConversationState) -> list[Message]:
    reason = state.get("handoff_reason", "")
    return [{"role": "system", "content": f"A specialist handed this message back ({reason}). Choose again."}]


def _dispatch(state: ConversationState, ctx: TurnContext, write: Writer, route: str) -> dict[str, Any]:
    """Pass the turn on, unless with `loop_guard` on that would make it ping-pong."""
    passes = handoffs_of(state)
    if route in NOT_A_SPECIALIST:
        return {"route": route, "handoff": None, "handoff_reason": ""}  # not a bounced specialist's reason
    guard = LoopGuard(ctx.loop_caps, handoffs=passes) if ctx.on("loop_guard") else None
    halt = guard.check_handoff("router", route) if guard else None
    if halt is not None:
        write(GuardTripped("loop_guard", "halt", f"{halt.kind}: {halt.detail}"))
        return {"route": "human", "handoff": None, "handoff_reason": f"agent halted ({halt.kind}): {halt.detail}"}
    if guard is not None:
        write(GuardPassed("loop_guard", f"router → {route}: not a pass made before, no ping-pong"))
    return {"route": route, "handoff": None, "handoff_reason": "", "handoffs": [*passes, ("router", route)]}


def escalation_trigger(text: str, route: str, confidence: float) -> str | None:
    """Why a person should take this turn, beyond the customer asking for one (chapter 7)."""
    if route in NOT_A_SPECIALIST:
        return None  # the router already sends it to a person, or declines it
    # Unsure of a message with no letters or digits ("👍"), a person would have nothing more to
    # act on than the assistant: the specialist asks what is wanted instead of opening a ticket.
    if confidence < LOW_CONFIDENCE and any(c.isalnum() for c in text):
        return f"router unsure ({route} at confidence {confidence:.2f})"
    feeling = measure(text)
    if feeling.score >= FRUSTRATED:
        return f"customer frustrated ({', '.join(feeling.signals)})"
    return None


async def _validated(ask: Callable[[str | None], Awaitable[str]], write: Writer) -> tuple[str, float]:
    outcome = await ask_validated(ask, Decision, attempts=2)
    asked_again = outcome.rejections if outcome.value is not None else outcome.rejections[:-1]
    for rejected in asked_again:
        write(GuardTripped("structured_output", "reask", rejected.errors))
    if outcome.value is None:
        write(GuardTripped("structured_output", "fallback", f"no valid decision: {FALLBACK_ROUTE} takes the turn"))
        return FALLBACK_ROUTE, 0.0
    write(GuardPassed("structured_output", f"decision valid against its schema after {len(asked_again) + 1} ask(s)"))
    return outcome.value.route, outcome.value.confidence


def parse_decision(text: str) -> tuple[str, float]:
    """The route the model chose; anything unreadable goes to the knowledge specialist."""
    try:
        decision = json.loads(text)
        route = str(decision["route"])
        confidence = float(decision.get("confidence", 0.0))
    except (ValueError, KeyError, TypeError):
        return FALLBACK_ROUTE, 0.0
    return (route, confidence) if route in ROUTES else (FALLBACK_ROUTE, 0.0)


def next_after_router(state: ConversationState) -> NextStep:
    route = state.get("route", FALLBACK_ROUTE)
    steps: dict[str, NextStep] = {
        "orders": "orders",
        "knowledge": "knowledge",
        "account": "account",
        "human": "escalate",
        "out_of_scope": "decline",
        FALLBACK: "fallback",
    }
    return steps.get(route, "knowledge")
