"""The support graph. Wiring only: what runs after what.

Every step first checks the turn's deadline (`on_the_clock`): a turn past its latency budget
stops between steps with `DeadlineExceeded`, as it does before each model and tool call.

START ─► (guard_input ─► END if blocked) ─► router ─► orders | knowledge | account ─► (handoff?) ─► escalate ─► END
                                          │  │  ▲                    │
                                          │  │  └──── hand_back ─────┘
                                          │  └► decline (out of scope) ─► END
                                          └► generalist (router flag off) ──────────────────────────┘
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable
from typing import Any, Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from switchboard.agents.context import TurnContext
from switchboard.agents.nodes.account import account
from switchboard.agents.nodes.decline import decline
from switchboard.agents.nodes.escalate import escalate
from switchboard.agents.nodes.generalist import generalist
from switchboard.agents.nodes.guard_input import after_guard, guard_input
from switchboard.agents.nodes.knowledge import knowledge
from switchboard.agents.nodes.orders import orders
from switchboard.agents.nodes.router import next_after_router, router
from switchboard.agents.state import ConversationState

SPECIALISTS = {"orders": orders, "knowledge": knowledge, "account": account}
# Steps one turn may take. The longest sound path is about six (a guard, the router, a
# specialist, one hand-back, a second specialist, escalation); LangGraph's own default is
# 10,007, which would let a ping-pong run for thousands of paid calls before anything stops it.
RECURSION_LIMIT = 25
Graph = CompiledStateGraph[ConversationState, TurnContext, ConversationState, ConversationState]


class Node(Protocol):
    def __call__(self, state: ConversationState, runtime: Runtime[TurnContext]) -> Awaitable[dict[str, Any]]: ...


def on_the_clock(name: str, node: Node) -> Node:
    """The node, refused once the turn is past its deadline: the check between every two steps
    (a `DeadlineExceeded`, which the app answers from its degradation ladder)."""

    @functools.wraps(node)
    async def timed(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        runtime.context.check_deadline(f"the {name} step")
        return await node(state, runtime)

    return timed


def entry(state: ConversationState, runtime: Runtime[TurnContext]) -> str:
    if runtime.context.on("injection_scan") and not runtime.context.on("scan_in_parallel"):
        return "guard_input"  # blocking mode; in parallel mode the app scans beside the graph
    return "router" if runtime.context.on("router") else "generalist"


def after_specialist(state: ConversationState) -> str:
    handoff = state.get("handoff")
    return "router" if handoff == "router" else "escalate" if handoff else END


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> Graph:
    graph = StateGraph(ConversationState, context_schema=TurnContext)
    nodes: dict[str, Node] = {
        "guard_input": guard_input,
        "router": router,
        "generalist": generalist,
        "escalate": escalate,
        "decline": decline,
        **SPECIALISTS,
    }
    for name, node in nodes.items():
        graph.add_node(name, on_the_clock(name, node))
    graph.add_conditional_edges("guard_input", after_guard, ["router", "generalist", END])
    for name in SPECIALISTS:
        graph.add_conditional_edges(name, after_specialist, ["router", "escalate", END])
    graph.add_conditional_edges(START, entry, ["guard_input", "router", "generalist"])
    graph.add_conditional_edges("router", next_after_router, [*SPECIALISTS, "escalate", "decline"])
    graph.add_conditional_edges("generalist", after_specialist, ["escalate", END])
    graph.add_edge("escalate", END)
    graph.add_edge("decline", END)
    return graph.compile(checkpointer=checkpointer).with_config(recursion_limit=RECURSION_LIMIT)
