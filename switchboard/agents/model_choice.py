"""`model_routing`: which model answers this turn, and why.

Off, every answer comes from the large model (`ctx.model`). On, per `ctx.routing.mode`:

- `complexity`: the question's complexity score (patterns/model_routing.py) picks the size
  before any model runs — cheap to decide, blind to how the answer turns out.
- `cascade`: the small model answers first and `check_answer` reads its answer; when the check
  fails the large model takes the turn over from where the small one stopped (with the tool
  results it already has), and the small answer is never shown.
- `complexity+cascade`: what the question shows (several parts, asks for reasoning, long) goes
  straight to the large model; everything else goes through the cascade, which catches what
  only the answer shows (a refusal, no citation, a part left out).

A cascaded small answer is held back until it is checked, so it reaches the customer whole,
not streamed: the time to first token of a cheap answer is its whole (short) writing time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from switchboard.agents.context import TurnContext
from switchboard.agents.llm.tokens import count_tokens
from switchboard.agents.llm.types import Message
from switchboard.patterns.hybrid_search import terms
from switchboard.patterns.model_routing import Route, Size, by_complexity

_REFUSAL = re.compile(r"\b(?:i don'?t know|i couldn'?t find|i'd rather not guess|i'm not sure)\b", re.I)
_CITATION = re.compile(r"\[[a-z0-9][a-z0-9._-]*\]")
_PART_BREAK = re.compile(
    r"\?\s*|;\s+|,?\s+(?:and also|also|plus|as well as)\s+"
    r"|,?\s+and\s+(?=(?:how|what|when|where|why|which|who|can|could|do|does|is|are|will|would)\b)",
    re.I,
)
PART_WORDS = 3  # a fragment shorter than this is not a question of its own
COVERED = 0.5  # a part is answered when the answer uses at least this share of its content words


@dataclass(frozen=True)
class ModelChoice:
    size: Size
    model: str
    reason: str
    checked: bool  # the answer goes through the cascade's check before it is shown


def choose_model(ctx: TurnContext, messages: list[Message]) -> ModelChoice | None:
    """The turn's first choice (None: routing is off, the large model answers as always)."""
    if not ctx.on("model_routing"):
        return None
    if ctx.routing.mode == "cascade":
        return ModelChoice("small", ctx.small_model, "cascade: the small model answers first, then a check", True)
    question, earlier = _question(messages)
    route = by_complexity(question, count_tokens(question), earlier, ctx.routing.complexity)
    return ModelChoice(route.size, _model(ctx, route.size), _why(route, ctx), _checks(ctx, route.size))


def escalated(ctx: TurnContext, failed: str) -> ModelChoice:
    """The large model, taking over from a small answer that failed the check."""
    return ModelChoice("large", ctx.model, f"the small model's answer failed the check: {failed}", False)


def check_answer(question: str, answer: str, passages_given: bool) -> str | None:
    """What is wrong with a (small model's) answer, or None when it may be shown."""
    if not answer.strip():
        return "it gave no answer"
    if _REFUSAL.search(answer):
        return "it said it could not answer"
    if passages_given and not _CITATION.search(answer):
        return "it cited nothing although help-centre passages were given"
    left_out = unanswered_parts(question, answer)
    if left_out:
        return f"it left part of a {len(parts_of(question))}-part question unanswered (“{left_out[0]}”)"
    return None


def parts_of(question: str) -> list[str]:
    """The separate questions of a multi-part message ("…10057? and can I return boots?")."""
    parts = [p.strip(" ,.!") for p in _PART_BREAK.split(question)]
    return [p for p in parts if len(p.split()) >= PART_WORDS]


def unanswered_parts(question: str, answer: str) -> list[str]:
    """The parts most of whose content words the answer never uses: a crude, cheap sign that
    they went unanswered (a real deployment might ask an embedding or the judge instead)."""
    parts = parts_of(question)
    if len(parts) < 2:
        return []
    said = set(terms(answer))
    return [p for p in parts if len(set(terms(p)) & said) < COVERED * len(set(terms(p)))]


def _question(messages: list[Message]) -> tuple[str, int]:
    users = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
    return (users[-1] if users else ""), max(len(users) - 1, 0)


def _model(ctx: TurnContext, size: Size) -> str:
    return ctx.model if size == "large" else ctx.small_model


def _checks(ctx: TurnContext, size: Size) -> bool:
    return size == "small" and ctx.routing.mode == "complexity+cascade"


def _why(route: Route, ctx: TurnContext) -> str:
    threshold = ctx.routing.complexity.threshold
    sign = "≥" if route.size == "large" else "<"
    then = ", then a check on its answer" if _checks(ctx, route.size) else ""
    return f"complexity {route.score:.2f} {sign} {threshold:.2f} ({route.reason}){then}"
