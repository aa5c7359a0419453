"""Account specialist: the customer's details on file, loyalty tier and points."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.context import TurnContext
from switchboard.agents.events import Step
from switchboard.agents.nodes.specialist import run_specialist
from switchboard.agents.state import ConversationState
from switchboard.agents.tools import specialist_toolset


async def account(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    runtime.stream_writer(Step("account", "Checking your account"))
    names = ["get_account"]
    if runtime.context.on("rag"):
        names.append("search_kb")
    return await run_specialist("account", state, runtime, specialist_toolset(*names))
