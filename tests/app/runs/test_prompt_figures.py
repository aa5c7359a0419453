"""A canary's figures: each version measured on the live turns it served, and only those."""

from __future__ import annotations

import pytest

from switchboard.agents.record import TurnRecord
from switchboard.app.runs.online_evals import Grade
from switchboard.app.runs.prompt_figures import resolved_score, version_figures


def turn(
    router: str | None, outcome: str = "answered", cost: float = 0.01, ms: float = 100.0, **extra: object
) -> TurnRecord:
    versions = {"router": router} if router else {}
    return TurnRecord(prompt_versions=versions, outcome=outcome, cost_usd=cost, total_ms=ms, route="orders", **extra)  # type: ignore[arg-type]


def test_each_version_is_measured_on_its_own_turns() -> None:
    records = [
        turn("5", cost=0.01, ms=100),
        turn("5", cost=0.03, ms=300),
        turn("5-worse", "escalated", cost=0.02, ms=200),
    ]
    grades = {"5": [Grade(0.8, True), Grade(0.6, True)], "5-worse": [Grade(0.2, False)]}
    stable, candidate = version_figures("router", ["5", "5-worse"], records, grades)
    assert (stable.turns, stable.answered_rate, stable.outcomes) == (2, 1.0, {"answered": 2})
    assert abs((stable.cost_per_turn_usd or 0) - 0.02) < 1e-12 and stable.p50_ms == 100 and stable.p95_ms == 300
    assert abs((stable.online_score or 0) - 0.7) < 1e-12 and stable.graded == 2
    assert (candidate.turns, candidate.answered_rate, candidate.outcomes) == (1, 0.0, {"escalated": 1})
    assert candidate.online_score == 0.2


def test_eval_runs_turns_and_records_naming_no_versions_are_left_out() -> None:
    records = [turn(None), turn("5", run_id="run_1"), turn("4")]
    (stable,) = version_figures("router", ["5"], records, {})
    assert stable.turns == 0 and stable.answered_rate is None and stable.online_score is None and stable.p50_ms is None


def test_a_version_whose_turns_escalate_scores_lower_though_the_judge_grades_it_as_well() -> None:
    """The canary's trap: the judge grades the answered turns of both alike (0.8), the misrouted
    turns that escalate have no evidence and are never graded. Only the resolved score tells."""
    stable_turns = [turn("5") for _ in range(9)] + [turn("5", "escalated")]
    worse_turns = [turn("5-worse") for _ in range(5)] + [turn("5-worse", "escalated") for _ in range(5)]
    grades = {"5": [Grade(0.8, True)] * 3, "5-worse": [Grade(0.8, True)] * 3}
    stable, worse = version_figures("router", ["5", "5-worse"], stable_turns + worse_turns, grades)
    assert stable.online_score == pytest.approx(0.8) and worse.online_score == pytest.approx(0.8)
    assert stable.resolved_score == pytest.approx(0.72) and worse.resolved_score == pytest.approx(0.4)


def test_the_resolved_score_grades_answered_turns_only() -> None:
    """A graded turn that then escalated is already counted as 0 by the answered rate; its own
    grade does not also stand for the answered turns."""
    records = [turn("5"), turn("5", "escalated")]
    (figures,) = version_figures("router", ["5"], records, {"5": [Grade(1.0, True), Grade(0.2, False)]})
    assert abs((figures.online_score or 0) - 0.6) < 1e-12 and figures.resolved_score == 0.5


def test_the_resolved_score_without_grades() -> None:
    assert resolved_score(None, []) is None  # no turns
    assert resolved_score(0.5, []) is None  # answered turns, none graded yet
    assert resolved_score(0.0, []) == 0.0  # nothing answered: nothing resolved, whatever a grade would say
