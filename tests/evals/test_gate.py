from typing import Any

from switchboard.evals.gate import baseline_from, gate_problems


def summary(rates: dict[str, float], must_fail: list[str] | None = None) -> dict[str, Any]:
    return {
        "pass_at_1": 0.5,
        "must_pass_failures": must_fail or [],
        "scorers": {k: {"rate": v, "passed": 0, "applicable": 0} for k, v in rates.items()},
    }


def test_a_run_within_tolerance_passes_and_a_drop_or_must_pass_failure_does_not() -> None:
    baseline = baseline_from(summary({"route": 0.80, "sources": 0.50}), "all-on", tolerance=0.02)
    assert gate_problems(summary({"route": 0.79, "sources": 0.55}), baseline) == []
    problems = gate_problems(summary({"route": 0.70, "sources": 0.50}, ["golden-001"]), baseline)
    assert problems == [
        "must-pass case golden-001 failed",
        "scorer route: 70.0% is below the baseline 80.0% (tolerance 2%)",
    ]


def test_a_scorer_that_vanished_counts_as_zero() -> None:
    baseline = baseline_from(summary({"blocking": 0.3}), "all-on")
    assert gate_problems(summary({}), baseline) == ["scorer blocking: 0.0% is below the baseline 30.0% (tolerance 2%)"]
