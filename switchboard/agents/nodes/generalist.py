"""Generalist: one agent with every tool, used when the `router` flag is off.

It is the baseline the router is measured against: one long prompt and a long tool list for
every message, instead of a cheap routing call and a focused specialist.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.context import TurnContext
from switchboard.agents.events import RouteChosen, Step
from switchboard.agents.history import trim_history
from switchboard.agents.nodes.specialist import run_specialist
from switchboard.agents.state import ConversationState
from switchboard.agents.tools import TOOLS, toolset


async def generalist(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    runtime.stream_writer(Step("generalist", "Working on it"))
    runtime.stream_writer(RouteChosen("generalist", 1.0, by="generalist"))
    trimmed = await trim_history(state, runtime)  # the turn's only reader of the history
    names = [n for n in TOOLS if runtime.context.on("rag") or n != "search_kb"]
    answered = await run_specialist("generalist", {**state, **trimmed}, runtime, toolset(*names))
    return {**trimmed, **answered}
