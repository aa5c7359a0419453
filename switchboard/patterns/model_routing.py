"""Model routing: send each turn to the cheapest model likely to answer it well.

Two ways to choose, both advice for the caller's policy:

`by_complexity` scores the request before any model runs, from what makes support questions hard:

    score = 0.35·[tokens > long_tokens] + 0.25·[asks for reasoning] + 0.2·[several questions]
          + 0.2·[deep conversation]
    large  <=>  score >= threshold

"Asks for reasoning" is a word like why / compare / difference / explain / recommend; "several
questions" is two or more question marks, "and also", or "and" before a second question word
("…my balance and what are points worth?"); "deep" is more than `deep_turns` earlier
turns. The weights are a starting point to tune on a run, not a law.

`cascade` answers with the small model first and asks a check about its answer: the check passes
(keep the cheap answer) or names what failed, and the large model answers instead. The check is
the caller's (valid citations, grounded sentences, no refusal); this module only records the
step, so the turn can say which model answered and why.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

Size = Literal["small", "large"]
_REASONING = re.compile(
    r"\b(why|compare|comparison|difference|explain|recommend|versus|vs|which (?:is|should))\b", re.I
)
_SEVERAL = re.compile(
    r"\?.*\?|\band also\b|\bas well as\b"
    r"|\band (?:how|what|when|where|why|which|who|can|could|do|does|is|are|will|would)\b",
    re.I | re.S,
)


@dataclass(frozen=True)
class Route:
    size: Size
    reason: str
    score: float = 0.0


@dataclass(frozen=True)
class ComplexityPolicy:
    threshold: float = 0.4
    long_tokens: int = 60
    deep_turns: int = 6


def by_complexity(question: str, tokens: int, earlier_turns: int, policy: ComplexityPolicy) -> Route:
    signs = {
        "long": (0.35, tokens > policy.long_tokens),
        "asks for reasoning": (0.25, bool(_REASONING.search(question))),
        "several questions": (0.2, bool(_SEVERAL.search(question))),
        "deep conversation": (0.2, earlier_turns > policy.deep_turns),
    }
    score = round(sum(weight for weight, present in signs.values() if present), 2)
    named = ", ".join(name for name, (_, present) in signs.items() if present) or "a short, single question"
    return Route("large" if score >= policy.threshold else "small", named, score)


Answer = Callable[[Size], Awaitable[str]]
Check = Callable[[str], str | None]  # None: the answer passes; otherwise what failed


@dataclass(frozen=True)
class Cascaded:
    text: str
    route: Route
    small_answer: str | None = None  # the answer that failed the check, when the large one replaced it


async def cascade(answer: Answer, check: Check) -> Cascaded:
    """The small model's answer if it passes the check, else the large model's, with the reason."""
    cheap = await answer("small")
    failed = check(cheap)
    if failed is None:
        return Cascaded(cheap, Route("small", "the small model's answer passed the check"))
    return Cascaded(await answer("large"), Route("large", f"the small model's answer failed: {failed}"), cheap)
