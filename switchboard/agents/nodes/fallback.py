"""Fallback: the turn the router was unsure of (`router_fallback`), answered by the generalist.

Below the confidence threshold a specialist chosen by a guess is as likely wrong as right, and a
wrong specialist has the wrong tools. The generalist's prompt and every tool that reads — but
none that changes anything — takes the turn instead: an unsure guess can read the customer's
orders or the help centre, and cannot refund or re-address anything. It cannot hand the turn back.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.context import TurnContext
from switchboard.agents.events import Step
from switchboard.agents.nodes.specialist import run_specialist
from switchboard.agents.state import ConversationState
from switchboard.agents.tools import TOOLS, Tool


async def fallback(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    runtime.stream_writer(Step("fallback", "Not sure who should take this: answering with every read-only tool"))
    return await run_specialist("generalist", state, runtime, read_only_tools(runtime.context))


def read_only_tools(ctx: TurnContext) -> list[Tool]:
    """Every tool that changes nothing in the shop (help-centre search only with `rag` on)."""
    return [t for name, t in TOOLS.items() if not t.writes and (ctx.on("rag") or name != "search_kb")]
