"""The regression gate: a run must not fall below its dataset's stored baseline.

A baseline (evals/baselines/<dataset>.json) records each scorer's pass rate and the must-pass
cases. A run fails the gate when a must-pass case fails, or when any scorer's rate drops by
more than the tolerance below the baseline. Baselines change only deliberately, with
`switchboard run --update-baseline`.
"""

from __future__ import annotations

from typing import Any

DEFAULT_TOLERANCE = 0.02


def baseline_from(summary: dict[str, Any], flags: str, tolerance: float = DEFAULT_TOLERANCE) -> dict[str, Any]:
    return {
        "flags": flags,
        "tolerance": tolerance,
        "pass_at_1": round(summary["pass_at_1"], 4),
        "scorers": {name: round(entry["rate"], 4) for name, entry in summary["scorers"].items()},
    }


def gate_problems(summary: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Everything that fails the gate, in words; empty when the run holds the line."""
    tolerance = float(baseline.get("tolerance", DEFAULT_TOLERANCE))
    problems = [f"must-pass case {case} failed" for case in summary["must_pass_failures"]]
    for name, floor in baseline["scorers"].items():
        entry = summary["scorers"].get(name)
        rate = entry["rate"] if entry else 0.0
        if rate < floor - tolerance:
            problems.append(f"scorer {name}: {rate:.1%} is below the baseline {floor:.1%} (tolerance {tolerance:.0%})")
    return problems
