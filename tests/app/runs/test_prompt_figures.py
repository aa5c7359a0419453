"""A canary's figures: each version measured on the live turns it served, and only those."""

from __future__ import annotations

from switchboard.agents.record import TurnRecord
from switchboard.app.runs.prompt_figures import version_figures


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
    stable, candidate = version_figures("router", ["5", "5-worse"], records, {"5": [0.8, 0.6], "5-worse": [0.2]})
    assert (stable.turns, stable.answered_rate, stable.outcomes) == (2, 1.0, {"answered": 2})
    assert abs((stable.cost_per_turn_usd or 0) - 0.02) < 1e-12 and stable.p50_ms == 100 and stable.p95_ms == 300
    assert abs((stable.online_score or 0) - 0.7) < 1e-12 and stable.graded == 2
    assert (candidate.turns, candidate.answered_rate, candidate.outcomes) == (1, 0.0, {"escalated": 1})
    assert candidate.online_score == 0.2


def test_eval_runs_turns_and_records_naming_no_versions_are_left_out() -> None:
    records = [turn(None), turn("5", run_id="run_1"), turn("4")]
    (stable,) = version_figures("router", ["5"], records, {})
    assert stable.turns == 0 and stable.answered_rate is None and stable.online_score is None and stable.p50_ms is None
