"""One definition of a resolved turn: the run summary and the /cost page give the same cost per
resolved turn for the same records, and a hand-off to a person is paid for but not resolved."""

from __future__ import annotations

import pytest

from switchboard.agents.record import Outcome, TurnRecord
from switchboard.app.cost.spend_report import spend_report
from switchboard.evals.engine import CaseResult, TurnOutcome
from switchboard.evals.report import summarise
from switchboard.evals.resolution import cost_per_resolved, is_resolved

SPENT: list[tuple[Outcome, float]] = [
    ("answered", 0.002),
    ("answered", 0.003),
    ("escalated", 0.004),
    ("degraded", 0.0005),
    ("error", 0.0005),
]


def records() -> list[TurnRecord]:
    return [
        TurnRecord(outcome=outcome, cost_usd=cost, flags_key="k", created_at="2026-12-03T10:00:00")
        for outcome, cost in SPENT
    ]


def results(rows: list[TurnRecord]) -> list[CaseResult]:
    return [CaseResult(f"case-{n}", 1, [], False, [TurnOutcome("q", "a", r, [])]) for n, r in enumerate(rows)]


def test_only_answered_turns_are_resolved() -> None:
    assert [is_resolved(r) for r in records()] == [True, True, False, False, False]
    assert cost_per_resolved(records()) == pytest.approx(0.010 / 2)  # all the spend, over the two answers
    assert cost_per_resolved([r for r in records() if not is_resolved(r)]) is None


def test_the_run_summary_and_the_cost_page_agree() -> None:
    summary = summarise(results(records()))
    page = spend_report(records(), registry=[])
    assert summary["cost_per_resolved_usd"] == pytest.approx(0.005)
    assert page.cost_per_resolved_usd == pytest.approx(0.005)
    assert summary["resolved"] == page.resolved == 2
    assert summary["answered_rate"] == pytest.approx(3 / 5)  # handled: the hand-off counts there, on purpose
