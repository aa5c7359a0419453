"""The input guard (chapter 6): scan the customer's message before any model sees it.

The scanner returns a verdict as a value; this node decides what to do with it: `block` ends
the turn with a refusal, `flag` lets it go on marked as suspicious (so that, with
`least_privilege` on, no tool that changes anything is offered), `allow` changes nothing.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime

from switchboard.agents.context import TurnContext
from switchboard.agents.events import GuardPassed, GuardTripped, Step, Token
from switchboard.agents.nodes.cache_lookup import first_step
from switchboard.agents.state import ConversationState

REFUSAL = (
    "I can't help with that request. I'm here for questions about your orders, returns, "
    "shipping and our gear — what can I do for you?"
)


async def guard_input(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    ctx, write = runtime.context, runtime.stream_writer
    write(Step("guard_input", "Checking the message"))
    messages = state.get("messages", [])
    text = messages[-1].get("content", "") if messages else ""
    verdict = ctx.scanner.scan(text) if ctx.scanner else None
    if verdict is None or verdict.action == "allow":
        if verdict is not None:
            write(GuardPassed("injection_scan", f"allowed at score {verdict.score:.2f}: {_why(verdict.reasons)}"))
        return {"suspicious": False, "blocked": False}
    write(GuardTripped("injection_scan", verdict.action, f"score {verdict.score:.2f}: {'; '.join(verdict.reasons)}"))
    if verdict.action == "flag":
        return {"suspicious": True, "blocked": False}
    write(Token(REFUSAL))
    return {"suspicious": True, "blocked": True, "messages": [{"role": "assistant", "content": REFUSAL}]}


def _why(reasons: tuple[str, ...]) -> str:
    return "; ".join(reasons) if reasons else "no sign of an attack"


def after_guard(
    state: ConversationState, runtime: Runtime[TurnContext]
) -> Literal["__end__", "cache_lookup", "router", "generalist"]:
    """A blocked message ends the turn; one let through goes to the cache first, when it is on."""
    if state.get("blocked"):
        return "__end__"
    return first_step(runtime.context)
