"""The switchboard: every pattern is a flag with a chapter, a default and the metric it moves.

Flags whose pattern is not built yet are listed — so the whole plan is visible — but marked
`built=False`; they cannot be switched on and nothing pretends they work. A request takes a
snapshot of the flags when it starts, so a change applies to the next request, never to one
in flight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CHAPTERS = {
    1: "Streaming UX",
    2: "Router agent",
    3: "Tool reliability",
    4: "Retrieval (RAG)",
    5: "Loop guards",
    6: "Injection defence",
    7: "Human escalation",
    8: "Evals",
    9: "Resilience",
    10: "Cost",
    11: "Safety of data",
    12: "Operations",
}


@dataclass(frozen=True)
class Flag:
    name: str
    chapter: int
    title: str
    description: str
    moves: str  # the metric it moves
    default: bool = True
    built: bool = False
    mode: bool = False  # how another switch runs, not a pattern of its own: off by default, and in presets


def _f(
    name: str, chapter: int, title: str, description: str, moves: str, built: bool = False, mode: bool = False
) -> Flag:
    return Flag(name, chapter, title, description, moves, default=built and not mode, built=built, mode=mode)


REGISTRY: tuple[Flag, ...] = (
    _f(
        "streaming",
        1,
        "Token streaming",
        "Send the answer token by token as it is written, instead of whole at the end.",
        "time to first token",
        built=True,
    ),
    _f(
        "backpressure",
        1,
        "Backpressure",
        "Bound the buffer between model and browser; slow readers slow the producer.",
        "memory under slow clients",
    ),
    _f(
        "router",
        2,
        "Router + specialists",
        "A cheap routing call picks a focused specialist, instead of one generalist with every tool.",
        "cost per turn, tool accuracy",
        built=True,
    ),
    _f(
        "router_fallback",
        2,
        "Low-confidence fallback",
        "Below a confidence threshold the router hands the turn to a fallback agent.",
        "misroutes",
    ),
    _f(
        "tool_validation",
        3,
        "Argument validation",
        "Validate tool arguments against schemas; return repairable errors.",
        "tool error rate",
        built=True,
    ),
    _f(
        "tool_retries",
        3,
        "Idempotent tool retries",
        "Retry transient tool failures with an idempotency key; timeouts per tool.",
        "tool success rate",
        built=True,
    ),
    _f(
        "session_authorisation",
        3,
        "Authorisation from the session",
        "Tools refuse another customer's data whatever the model asks (switchable to show the damage).",
        "cross-customer leaks",
        built=True,
    ),
    _f(
        "rag",
        4,
        "Retrieval",
        "Answer policy questions from retrieved help-centre passages, with citations.",
        "grounded answers",
        built=True,
    ),
    _f(
        "hybrid_search",
        4,
        "Hybrid search",
        "Combine keyword (BM25) and vector search with rank fusion.",
        "retrieval hit rate",
        built=True,
    ),
    _f(
        "citation_validation",
        4,
        "Citation validation",
        "Check every cited article was actually retrieved.",
        "invalid citations",
    ),
    _f(
        "loop_guard",
        5,
        "Loop guards",
        "Cap steps, tokens, time and dollars per turn; catch repeated calls and ping-pong.",
        "runaway turns",
        built=True,
    ),
    _f(
        "structured_output",
        5,
        "Structured output validation",
        "Validate the router's JSON against its schema; re-ask once with the errors, then fall back.",
        "misroutes from malformed output",
        built=True,
    ),
    _f(
        "injection_scan",
        6,
        "Input injection scan",
        "Score user text against heuristics and known attacks; allow, flag or block.",
        "blocked attacks, false positives",
        built=True,
    ),
    _f(
        "scan_in_parallel",
        6,
        "Scan in parallel (a mode of the input scan)",
        "Run the input scan beside the model instead of before it: no wait for the verdict, but text may show and tools may run before a block lands.",
        "latency; tools run and text shown before a block",
        built=True,
        mode=True,
    ),
    _f(
        "spotlighting",
        6,
        "Spotlighting",
        "Mark retrieved and tool text as data, not instructions.",
        "indirect injections obeyed",
        built=True,
    ),
    _f(
        "canary",
        6,
        "Output canary",
        "Plant a canary in the system prompt and block answers that leak it.",
        "prompt leaks",
        built=True,
    ),
    _f(
        "least_privilege",
        6,
        "Least privilege",
        "No write tools in a turn flagged as suspicious.",
        "unauthorised tool calls",
        built=True,
    ),
    _f(
        "human_approval",
        7,
        "Approval before risky tools",
        "Large or out-of-policy refunds wait for a person in the console.",
        "risky actions without review",
        built=True,
    ),
    _f(
        "escalation_triggers",
        7,
        "Escalation triggers",
        "Escalate on request, low confidence or frustration.",
        "escalations",
        built=True,
    ),
    _f(
        "online_evals",
        8,
        "Online evals",
        "Grade one live turn in N with the judge model, in the background (costs judge calls).",
        "eval score",
        built=True,
    ),
    _f(
        "retry_budget",
        9,
        "Retry with budget",
        "Exponential backoff with jitter, drawn from a shared retry budget.",
        "answered rate under faults",
        built=True,
    ),
    _f(
        "circuit_breaker",
        9,
        "Circuit breaker",
        "Stop calling a failing provider; probe it before trusting it again.",
        "latency under outage",
        built=True,
    ),
    _f(
        "failover",
        9,
        "Provider failover",
        "Try the next provider, also when a stream dies mid-answer.",
        "answered rate, tier served",
        built=True,
    ),
    _f(
        "degradation",
        9,
        "Degradation ladder",
        "Cached answer, then knowledge-base-only answer, then an honest 'unavailable' with a ticket.",
        "graceful answers",
        built=True,
    ),
    _f(
        "latency_budget",
        9,
        "Latency budget",
        "A deadline per turn, passed to every call and tool.",
        "p95 latency",
        built=True,
    ),
    _f(
        "token_budget",
        10,
        "Token and dollar budgets",
        "Budgets per request, customer and tenant.",
        "cost per turn",
    ),
    _f(
        "semantic_cache",
        10,
        "Semantic cache",
        "Answer repeated questions from a cache of similar ones.",
        "cache hits, cost",
    ),
    _f(
        "model_routing",
        10,
        "Model routing",
        "Send simple turns to the small model and hard ones to the large.",
        "cost per turn, quality",
    ),
    _f(
        "pii_redaction",
        11,
        "PII redaction",
        "Redact personal data before it reaches a model, logs or traces; withhold answers carrying another customer's.",
        "leaked PII",
        built=True,
    ),
    _f("tracing", 12, "Tracing", "Spans for every node, call and tool.", "time to diagnose"),
    _f(
        "prompt_canary",
        12,
        "Prompt canary rollout",
        "Serve a new prompt version to a share of traffic and compare.",
        "regressions caught",
    ),
    _f("rate_limit", 12, "Rate limiting", "Per-customer token-bucket limits.", "abuse absorbed"),
    _f(
        "load_shedding",
        12,
        "Concurrency limit and load shedding",
        "Cap turns in flight; shed the excess quickly.",
        "p99 latency under load",
    ),
)

BY_NAME: Mapping[str, Flag] = {f.name: f for f in REGISTRY}


class FlagError(ValueError):
    """A flag name or preset that does not exist, or a pattern that is not built yet."""


class FlagBoard:
    """The live state of every flag."""

    def __init__(self, registry: tuple[Flag, ...] = REGISTRY, max_chapter: int | None = None) -> None:
        self._registry = {f.name: f for f in registry}
        self.max_chapter = max_chapter
        self._values = {f.name: f.default for f in registry}
        if max_chapter is not None:
            self.apply_preset(f"chapter-{max_chapter}")

    @property
    def registry(self) -> list[Flag]:
        return list(self._registry.values())

    def snapshot(self) -> dict[str, bool]:
        return dict(self._values)

    def set_many(self, changes: Mapping[str, object]) -> None:
        """All or nothing: one bad name or value and no flag changes."""
        checked = {name: self._check(name, value) for name, value in changes.items()}
        self._values.update(checked)

    def _check(self, name: str, value: object) -> bool:
        flag = self._registry.get(name)
        if flag is None:
            raise FlagError(f"unknown flag {name!r}")
        if not isinstance(value, bool):
            raise FlagError(f"flag {name!r} takes true or false, not {value!r}")
        if value and not flag.built:
            raise FlagError(f"flag {name!r} (chapter {flag.chapter}) is not built yet")
        if value and self.max_chapter is not None and flag.chapter > self.max_chapter:
            raise FlagError(
                f"flag {name!r} belongs to chapter {flag.chapter}; this server stops at chapter {self.max_chapter}"
            )
        return value

    def apply_preset(self, preset: str) -> None:
        values = preset_values(preset, list(self._registry.values()))
        if self.max_chapter is not None:
            values = {n: v and self._registry[n].chapter <= self.max_chapter for n, v in values.items()}
        self._values = values


def preset_values(preset: str, registry: list[Flag]) -> dict[str, bool]:
    """`all-on` (every built pattern), `all-off`, or `chapter-N` (built patterns of chapters 1..N).
    Modes stay off in every preset: they change how a pattern runs, and are chosen on purpose."""
    if preset == "all-on":
        return {f.name: f.built and not f.mode for f in registry}
    if preset == "all-off":
        return {f.name: False for f in registry}
    if preset.startswith("chapter-") and preset[8:].isdigit():
        last = int(preset[8:])
        if 1 <= last <= max(CHAPTERS):
            return {f.name: f.built and not f.mode and f.chapter <= last for f in registry}
    raise FlagError(f"unknown preset {preset!r}: use all-on, all-off or chapter-1 … chapter-{max(CHAPTERS)}")


def parse_flag_spec(spec: str, registry: list[Flag]) -> dict[str, bool]:
    """A preset (`all-on`, `all-off`, `chapter-N`) or `name=on,name=off,...` over the defaults."""
    if "=" not in spec:
        return preset_values(spec, registry)
    board = FlagBoard(tuple(registry))
    changes: dict[str, object] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, value = item.partition("=")
        if value not in ("on", "off", "true", "false"):
            raise FlagError(f"flag {name!r}: use on or off, not {value!r}")
        changes[name.strip()] = value in ("on", "true")
    board.set_many(changes)
    return board.snapshot()


def config_name(snapshot: Mapping[str, bool], registry: list[Flag]) -> str:
    """A configuration named by what differs from the nearest baseline: "defaults",
    "defaults − rag", "all-off + router + rag", "chapter-4 + pii_redaction".

    The baselines are the defaults, all-off and each chapter-N preset short of the last; the one
    needing the fewest differences names it (the defaults win a tie, then all-off, then the
    lowest chapter). Only built flags count: the others are off everywhere. The name and the
    registry give back the snapshot, so names tell configurations apart.
    """
    built = [f for f in registry if f.built]
    wanted = {f.name: bool(snapshot.get(f.name)) for f in built}
    named = [_differences(name, preset_values(name, built), wanted, built) for name in _baselines(built)]
    return min(named, key=lambda label: label.count(" + ") + label.count(" − "))


def _baselines(built: list[Flag]) -> list[str]:
    last = max(f.chapter for f in built)
    return ["all-on", "all-off", *(f"chapter-{n}" for n in sorted({f.chapter for f in built}) if n < last)]


def _differences(baseline: str, base: dict[str, bool], wanted: dict[str, bool], built: list[Flag]) -> str:
    label = "defaults" if baseline == "all-on" else baseline
    for flag in built:
        if wanted[flag.name] != base[flag.name]:
            label += f" {'+' if wanted[flag.name] else '−'} {flag.name}"
    return label


def snapshot_key(snapshot: Mapping[str, bool], registry: list[Flag]) -> str:
    """A short, readable name for a configuration: the built flags and their states."""
    return " ".join(f"{f.name}={'on' if snapshot.get(f.name) else 'off'}" for f in registry if f.built)
