"""A canary's figures (chapter 12): each version of one prompt, measured on the live turns served it.

From the records (live turns only: an eval run's are its own): turns, outcomes, routes, cost per
turn and latency; from the online evaluator's window, the mean judge score of the graded turns.
A record written before the version matrix names no versions and is left out, never counted
for the stable version by guess.

**The resolved score** is the figure to compare versions by. The judge grades only turns with
evidence, so a prompt that misroutes a customer to a person (no evidence, never graded) leaves
the judge's mean untouched, or even raises it by grading only its survivors. A support desk
counts such a turn as a failure to resolve, so the resolved score is a turn's expected grade
with every unresolved turn (escalated, declined, blocked, degraded, error) scoring 0:

    resolved_score = answered_rate × mean score of the graded turns that were answered

(the graded answered turns stand for all answered ones: grading is a sample). Some turns should
go to a person, and they lower every version alike: a canary's conversations are a sticky random
share of the same traffic. So the figure compares versions; it is not an absolute quality.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from switchboard.agents.record import TurnRecord
from switchboard.app.runs.online_evals import Grade, OnlineEvaluator
from switchboard.app.shop.prompt_rollouts import PromptRollouts, RolloutView
from switchboard.app.turns.records import RecordStore
from switchboard.evals.report import percentile

FIGURES_FROM = 5000  # the newest live records a canary's figures are measured on


class VersionFigures(BaseModel):
    version: str
    turns: int
    outcomes: dict[str, int]
    routes: dict[str, int]
    answered_rate: float | None
    cost_per_turn_usd: float | None
    p50_ms: float | None
    p95_ms: float | None
    graded: int  # online evals' grades in the window
    online_score: float | None  # their mean (0–1)
    resolved_score: float | None  # answered_rate × the graded answered turns' mean (module docstring)


class CanaryFigures(BaseModel):
    rollout: RolloutView
    figures: list[VersionFigures]  # the stable version's, then the candidate's (if any)


async def canary_figures(
    prompt: str, rollouts: PromptRollouts, records: RecordStore, online: OnlineEvaluator
) -> CanaryFigures:
    """The prompt's stable and candidate versions, measured on the newest live turns."""
    rollout = await rollouts.get(prompt)
    versions = [rollout.stable, *([rollout.candidate] if rollout.candidate else [])]
    live = await records.live(FIGURES_FROM)
    figures = version_figures(prompt, versions, live, online.grades_of(prompt))
    return CanaryFigures(rollout=RolloutView.of(rollout), figures=figures)


def version_figures(
    prompt: str, versions: Sequence[str], records: Sequence[TurnRecord], grades: Mapping[str, Sequence[Grade]]
) -> list[VersionFigures]:
    """One column per version named, in that order (a version with no turns yet has empty figures)."""
    served: dict[str, list[TurnRecord]] = {v: [] for v in versions}
    for record in records:
        version = record.prompt_versions.get(prompt)
        if version in served and not record.run_id:
            served[version].append(record)
    return [_figures(v, served[v], grades.get(v, ())) for v in versions]


def _figures(version: str, records: list[TurnRecord], grades: Sequence[Grade]) -> VersionFigures:
    n = len(records)
    outcomes = Counter(r.outcome for r in records)
    latencies = [r.total_ms for r in records if r.total_ms is not None]
    scores = [g.score for g in grades]
    answered_rate = outcomes["answered"] / n if n else None
    return VersionFigures(
        version=version,
        turns=n,
        outcomes=dict(outcomes.most_common()),
        routes=dict(Counter(r.route or "none" for r in records).most_common()),
        answered_rate=answered_rate,
        cost_per_turn_usd=sum(r.cost_usd for r in records) / n if n else None,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        graded=len(scores),
        online_score=_mean(scores),
        resolved_score=resolved_score(answered_rate, [g.score for g in grades if g.resolved]),
    )


def resolved_score(answered_rate: float | None, answered_scores: Sequence[float]) -> float | None:
    """answered_rate × mean(answered_scores): an unresolved turn scores 0, an answered one the
    graded answered turns' mean. None without turns, or with answered turns but none graded yet;
    0 when no turn was answered (nothing to grade, and nothing resolved)."""
    if answered_rate is None:
        return None
    if answered_rate == 0:
        return 0.0
    mean = _mean(answered_scores)
    return None if mean is None else answered_rate * mean


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
