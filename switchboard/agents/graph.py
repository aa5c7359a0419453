"""The support graph. Wiring only: what runs after what.

Every step first checks the turn's deadline (`on_the_clock`): a turn past its latency budget
stops between steps with `DeadlineExceeded`, as it does before each model and tool call.

START ─► (guard_input ─► END if blocked) ─► (cache_lookup ─► END on a hit) ─► router ─► specialist ...

                     router ─► orders | knowledge | account ─► (handoff?) ─► escalate ─► END
                       │  │  ▲                    │
                       │  │  └──── hand_back ─────┘
                       │  ├► fallback (router_fallback, unsure) ─► (handoff?) ─► escalate ─► END
                       │  └► decline (out of scope) ─► END
                       └► generalist (router flag off) ──────────────────────────┘

The cache (`semantic_cache`, opt-in) sits after the input guard and before the first model call.

`build_graph(chapter=N)` (`switchboard serve --chapter N`) adds only the nodes of chapters 1..N
(agents/chapters.py): at 1 the picture is START ─► generalist ─► END.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable
from typing import Any, Literal, Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict

from switchboard.agents.chapters import stand_in, wired
from switchboard.agents.context import TurnContext
from switchboard.agents.nodes.account import account
from switchboard.agents.nodes.cache_lookup import after_cache, cache_lookup, first_step
from switchboard.agents.nodes.decline import decline
from switchboard.agents.nodes.escalate import escalate
from switchboard.agents.nodes.fallback import fallback
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
LABELS = {
    "__start__": "Message in",
    "guard_input": "Input guard",
    "cache_lookup": "Answer cache",
    "router": "Router",
    "generalist": "Generalist",
    "fallback": "Fallback (unsure)",
    "orders": "Orders",
    "knowledge": "Knowledge",
    "account": "Account",
    "escalate": "Escalate to a person",
    "decline": "Decline",
    "__end__": "Answer out",
}


class Node(Protocol):
    def __call__(self, state: ConversationState, runtime: Runtime[TurnContext]) -> Awaitable[dict[str, Any]]: ...


NODES: dict[str, Node] = {
    "guard_input": guard_input,
    "cache_lookup": cache_lookup,
    "router": router,
    "generalist": generalist,
    "fallback": fallback,
    "escalate": escalate,
    "decline": decline,
    **SPECIALISTS,
}


def on_the_clock(name: str, node: Node) -> Node:
    """The node, refused once the turn is past its deadline: the check between every two steps
    (a `DeadlineExceeded`, which the app answers from its degradation ladder)."""

    @functools.wraps(node)
    async def timed(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        trace = runtime.context.trace  # the node is a span under the turn's; what it calls, under it
        attributes = {"switchboard.node": name}
        with trace.tracer.start_as_current_span(f"node {name}", context=trace.parent, attributes=attributes):
            runtime.context.check_deadline(f"the {name} step")
            return await node(state, runtime)

    return timed


def entry(
    state: ConversationState, runtime: Runtime[TurnContext]
) -> Literal["guard_input", "cache_lookup", "router", "generalist"]:
    if runtime.context.on("injection_scan") and not runtime.context.on("scan_in_parallel"):
        return "guard_input"  # blocking mode; in parallel mode the app scans beside the graph
    return first_step(runtime.context)


def after_specialist(state: ConversationState) -> str:
    handoff = state.get("handoff")
    return "router" if handoff == "router" else "escalate" if handoff else END


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None, chapter: int | None = None) -> Graph:
    """The graph of chapters 1..`chapter` (None: every chapter): only their nodes are added, and
    an edge to a node not wired leads where agents/chapters.py says instead."""
    graph = StateGraph(ConversationState, context_schema=TurnContext)
    names = frozenset(wired(chapter, "node"))
    for name, node in NODES.items():
        if name in names:
            graph.add_node(name, on_the_clock(name, node))

    def edges(source: str, path: Any, targets: list[str]) -> None:
        if source == START or source in names:
            graph.add_conditional_edges(source, path, {t: stand_in(t, source, names) for t in targets})

    edges("guard_input", after_guard, ["cache_lookup", "router", "generalist", END])
    edges("cache_lookup", after_cache, ["router", "generalist", END])
    for name in SPECIALISTS:
        edges(name, after_specialist, ["router", "escalate", END])
    edges(START, entry, ["guard_input", "cache_lookup", "router", "generalist"])
    edges("router", next_after_router, [*SPECIALISTS, "escalate", "decline", "fallback"])
    edges("generalist", after_specialist, ["escalate", END])
    edges("fallback", after_specialist, ["escalate", END])
    for name in ("escalate", "decline"):
        if name in names:
            graph.add_edge(name, END)
    return graph.compile(checkpointer=checkpointer).with_config(recursion_limit=RECURSION_LIMIT)


class AgentNode(BaseModel):
    """A node of the graph as the agent view draws it: `layer` is its row, top to bottom."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    layer: int


class AgentEdge(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str
    target: str
    conditional: bool
    back: bool = False  # against the flow: a specialist handing the turn back to the router


class AgentMap(BaseModel):
    """The nodes a turn can pass through and how they connect, read off the compiled graph."""

    model_config = ConfigDict(frozen=True)

    nodes: list[AgentNode]
    edges: list[AgentEdge]


def agent_map(graph: Graph) -> AgentMap:
    """The graph as the agent view draws it: each node on the row of its longest path from the
    start, and the edges that run back up (hand-backs) marked, so the picture reads top down."""
    drawn = graph.get_graph()
    pairs = [(e.source, e.target) for e in drawn.edges]
    back = _back_edges(START, pairs)
    layers = _layers(list(drawn.nodes), [p for p in pairs if p not in back])
    nodes = [AgentNode(name=n, label=LABELS.get(n, n), layer=layers[n]) for n in drawn.nodes]
    edges = [
        AgentEdge(source=e.source, target=e.target, conditional=e.conditional, back=(e.source, e.target) in back)
        for e in drawn.edges
    ]
    return AgentMap(nodes=nodes, edges=edges)


def _back_edges(start: str, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Edges into a node still being explored, depth first from the start: the cycles' way back."""
    back: set[tuple[str, str]] = set()
    done: set[str] = set()

    def visit(node: str, path: set[str]) -> None:
        for source, target in pairs:
            if source != node:
                continue
            if target in path:
                back.add((source, target))
            elif target not in done:
                visit(target, path | {target})
        done.add(node)

    visit(start, {start})
    return back


def _layers(nodes: list[str], pairs: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from the start over an acyclic set of edges (a node's row)."""
    layer = dict.fromkeys(nodes, 0)
    for _ in nodes:  # relax as often as there are nodes: enough for any acyclic graph
        for source, target in pairs:
            layer[target] = max(layer[target], layer[source] + 1)
    return layer
