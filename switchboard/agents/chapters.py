"""Which chapter of the book wires each part of the app: `switchboard serve --chapter N` builds
the graph, the gateway and the turn from the parts of chapters 1..N only (DESIGN §6).

Pure data and two small readers. The chapters are the registry's (app/lab/registry.py): a part
belongs to the chapter of the pattern that introduced it. `KEPT` parts are wired in every
chapter, whatever chapter explains them: chapters remove optional patterns, never security.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["node", "wrapper", "guard"]
END = "__end__"
LAST_CHAPTER = 12


@dataclass(frozen=True)
class Part:
    """One wired piece: a graph node, a gateway wrapper or a guard of the turn.

    `instead` (nodes only): where a turn that would go to this node goes while it is not wired,
    by the node it comes from (`"*"`: from anywhere else); END when nothing is named.
    """

    name: str
    chapter: int
    kind: Kind
    adds: str  # one line: what wiring it adds
    instead: Mapping[str, str] = field(default_factory=dict)


PARTS: tuple[Part, ...] = (
    Part("generalist", 1, "node", "START → generalist → END: one agent with every tool answers"),
    Part(
        "router", 2, "node", "START → router → orders | knowledge | account | fallback | decline", {"*": "generalist"}
    ),
    Part("orders", 2, "node", "router → orders → END (or back to the router)"),
    Part("knowledge", 2, "node", "router → knowledge → END (or back to the router)"),
    Part("account", 2, "node", "router → account → END (or back to the router)"),
    Part("fallback", 2, "node", "router → fallback (unsure: the generalist, read-only tools) → END"),
    Part("decline", 2, "node", "router → decline (out of scope) → END"),
    Part("guard_input", 6, "node", "START → guard_input → END if blocked, else on", {"*": "cache_lookup"}),
    # Before chapter 7 nobody is in the loop: the router's "a person, please" goes to the
    # fallback generalist, and a specialist's handoff ends the turn on its own answer.
    Part("escalate", 7, "node", "router | specialist → escalate (a ticket for a person) → END", {"router": "fallback"}),
    Part("cache_lookup", 10, "node", "guard_input → cache_lookup → END on a hit, else on", {"*": "router"}),
    Part("retry", 9, "wrapper", "gateway: retry with backoff from a shared retry budget"),
    Part("breaker", 9, "wrapper", "gateway: a circuit breaker per provider"),
    Part("failover", 9, "wrapper", "gateway: the chain's later providers, also mid-stream"),
    Part("quota", 12, "wrapper", "gateway: each provider's model quota, checked before a call"),
    Part("kill_switch", 1, "wrapper", "gateway: the operator's stop for every call (kept: safety)"),
    Part("session_authorisation", 1, "guard", "tools: the customer comes from the session (kept: security)"),
    Part("online_evals", 8, "guard", "turn: one turn in N graded by the judge, after it ends"),
    Part("token_budget", 10, "guard", "turn: every model call checked and charged against the budgets"),
    Part("semantic_cache", 10, "guard", "turn: a finished answer offered to the answer cache"),
    Part("pii_redaction", 11, "guard", "turn: personal data masked before a model reads it; answers checked"),
    Part("tracing", 12, "guard", "turn: spans kept for the trace viewer"),
    Part("rate_limit", 12, "guard", "door: each customer's and storefront's messages counted per window"),
    Part("load_shedding", 12, "guard", "door: a message past the process's capacity refused with a 503"),
)
BY_NAME: Mapping[str, Part] = {p.name: p for p in PARTS}
# Wired at every chapter: an operator can always stop every call, and a tool never takes the
# customer from the model's arguments. Their chapters explain them; they do not add them.
KEPT: frozenset[str] = frozenset({"kill_switch", "session_authorisation"})


def check_chapter(chapter: int | None) -> int:
    """The chapter served: N in 1..LAST_CHAPTER, or the last one for None (the full app)."""
    if chapter is None:
        return LAST_CHAPTER
    if not 1 <= chapter <= LAST_CHAPTER:
        raise ValueError(f"chapter {chapter} does not exist: use 1 … {LAST_CHAPTER}")
    return chapter


def wired(chapter: int | None, kind: Kind | None = None) -> tuple[str, ...]:
    """The parts built into the chapter-N app (None: all): chapter ≤ N, or kept for safety."""
    last = check_chapter(chapter)
    return tuple(p.name for p in PARTS if (kind is None or p.kind == kind) and (p.chapter <= last or p.name in KEPT))


def contributed(chapter: int) -> tuple[Part, ...]:
    """What chapter N adds to chapter N−1's app: the lines `switchboard wiring N` prints."""
    check_chapter(chapter)
    return tuple(p for p in PARTS if p.chapter == chapter)


def stand_in(target: str, source: str, nodes: frozenset[str]) -> str:
    """Where an edge `source → target` leads when `target` is not among the wired `nodes`:
    the target's `instead` (for this source, else for any), followed until a wired node or END."""
    seen: set[str] = set()
    while target != END and target not in nodes and target not in seen:
        seen.add(target)
        part = BY_NAME[target]
        target = part.instead.get(source, part.instead.get("*", END))
    return target if target == END or target in nodes else END
