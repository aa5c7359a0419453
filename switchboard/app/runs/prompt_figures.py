"""A canary's figures (chapter 12): each version of one prompt, measured on the live turns served it.

From the records (live turns only: an eval run's are its own): turns, outcomes, routes, cost per
turn and latency; from the online evaluator's window, the mean judge score of the graded turns.
A record written before the version matrix names no versions and is left out, never counted
for the stable version by guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from switchboard.agents.record import TurnRecord
from switchboard.app.runs.online_evals import OnlineEvaluator
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
    figures = version_figures(prompt, versions, live, online.scores_of(prompt))
    return CanaryFigures(rollout=RolloutView.of(rollout), figures=figures)


def version_figures(
    prompt: str, versions: Sequence[str], records: Sequence[TurnRecord], scores: Mapping[str, Sequence[float]]
) -> list[VersionFigures]:
    """One column per version named, in that order (a version with no turns yet has empty figures)."""
    served: dict[str, list[TurnRecord]] = {v: [] for v in versions}
    for record in records:
        version = record.prompt_versions.get(prompt)
        if version in served and not record.run_id:
            served[version].append(record)
    return [_figures(v, served[v], scores.get(v, ())) for v in versions]


def _figures(version: str, records: list[TurnRecord], scores: Sequence[float]) -> VersionFigures:
    n = len(records)
    outcomes = Counter(r.outcome for r in records)
    latencies = [r.total_ms for r in records if r.total_ms is not None]
    return VersionFigures(
        version=version,
        turns=n,
        outcomes=dict(outcomes.most_common()),
        routes=dict(Counter(r.route or "none" for r in records).most_common()),
        answered_rate=outcomes["answered"] / n if n else None,
        cost_per_turn_usd=sum(r.cost_usd for r in records) / n if n else None,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        graded=len(scores),
        online_score=sum(scores) / len(scores) if scores else None,
    )
