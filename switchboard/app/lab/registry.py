"""The registry of switches: every pattern with its chapter, a default and the metric it moves.

Pure data, read by the flag board (flags.py). A pattern not built yet is listed — so the whole
plan is visible — with `built=False`.
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
    name: str,
    chapter: int,
    title: str,
    description: str,
    moves: str,
    built: bool = False,
    mode: bool = False,
    opt_in: bool = False,
) -> Flag:
    """`opt_in`: built but off by default, because it trades something the defaults promise."""
    default = built and not mode and not opt_in
    return Flag(name, chapter, title, description, moves, default=default, built=built, mode=mode)


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
        built=True,
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
        "Below a confidence threshold the router hands the turn to the generalist with read-only tools.",
        "misroutes",
        built=True,
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
        "Check every cited article was retrieved in the turn, as the answer streams; remove any other with a mark.",
        "invalid citations",
        built=True,
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
        "Budgets per request, customer per day and tenant per month; when one would run out: refuse, use the cheaper model, or warn.",
        "cost per turn",
        built=True,
    ),
    _f(
        "semantic_cache",
        10,
        "Semantic cache",
        "Answer a question asked before (the same words, or a paraphrase close enough, naming the same "
        "orders and products and leading to the same help-centre article) with its stored answer and no model "
        "call: the customer's own answers and their shop's shared ones only, dropped when an article they cited "
        "changes or their time is up.",
        "cache hits, cost",
        built=True,
        opt_in=True,  # trades freshness for cost: an answer may be up to its TTL old
    ),
    _f(
        "model_routing",
        10,
        "Model routing",
        "Send simple turns to the small model and hard ones to the large; a small answer that fails a check "
        "is redone by the large model.",
        "cost per turn, quality",
        built=True,
        opt_in=True,  # the cascade holds the small model's answer back until it is checked: no streaming
    ),
    _f(
        "context_window",
        10,
        "Context trimming",
        "Send a model the newest turns whole and a cached summary of the older ones, within a token budget.",
        "input tokens per turn",
        built=True,
        opt_in=True,  # the summary costs a call and drops detail: worth it on long conversations
    ),
    _f(
        "pii_redaction",
        11,
        "PII redaction",
        "Redact personal data before it reaches a model, logs or traces; withhold answers carrying another customer's.",
        "leaked PII",
        built=True,
    ),
    _f(
        "tracing",
        12,
        "Tracing",
        "OpenTelemetry spans for the request, every node, model call and attempt, tool and search; a waterfall per turn.",
        "time to diagnose",
        built=True,
        # Opt-in, for now: with the lean span recorder, bench/tracing.py times tracing's own work
        # inside traced turns at about 0.3 ms of CPU (p50), within the ≤ 0.5 ms goal, plus about
        # 0.3 ms more behind the turn (the JSON row and its batched write); whole turns on a busy
        # machine cannot resolve the difference. Whether to turn it on by default is the
        # integrator's call (README, "What tracing costs").
        opt_in=True,
    ),
    _f(
        "prompt_canary",
        12,
        "Prompt canary rollout",
        "Serve a candidate prompt version to a share of conversations (sticky per conversation; set on the "
        "Prompts page) and compare the two versions' live figures; off, everyone gets the stable version.",
        "regressions caught",
        built=True,
    ),
    _f(
        "rate_limit",
        12,
        "Rate limiting",
        "Refuse a customer's message, before it is stored or any model called, once they have sent too many "
        "in a minute or their turns have used too many model tokens: a 429 with Retry-After, and the chat says "
        "when to try again.",
        "abuse absorbed",
        built=True,
        opt_in=True,  # the demo signs many people in as the same few customers: they would refuse each other
    ),
    _f(
        "model_quota",
        12,
        "Model quotas",
        "Count each provider's requests and tokens per minute per model (SWITCHBOARD_MODEL_QUOTAS) and skip a "
        "provider at its quota before it is called: the next in the chain answers, and with all at quota the "
        "turn degrades as on an outage.",
        "provider 429s avoided",
        built=True,
    ),
    _f(
        "load_shedding",
        12,
        "Concurrency limit and load shedding",
        "Refuse a new message at once, before it is stored or any model called, when every turn slot is "
        "taken and the line for one is full or would take longer than the max wait: a 503 with Retry-After, "
        "and the chat says when to try again.",
        "p95 latency under load",
        built=True,
    ),
)

BY_NAME: Mapping[str, Flag] = {f.name: f for f in REGISTRY}
