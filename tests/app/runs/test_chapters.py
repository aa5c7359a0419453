"""The figures each chapter is measured by, read off a small run report."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.agents.record import ApprovalRecord, GuardRecord, ToolItem, ToolRecord, TurnRecord
from switchboard.app.lab.chaos import ALL_PRESETS
from switchboard.app.lab.flags import REGISTRY, preset_values
from switchboard.app.runs.chapters import (
    BOOK,
    PLANS,
    Measured,
    approvals_raised,
    gate_problems_count,
    labelled_count,
    leaked_values,
    model_calls_per_turn,
    plan_of,
    presets_of,
    retrieval_hit,
    scorer_failures,
    scorer_rate,
    streamed_share,
    summary_value,
    tool_calls_retried,
    tool_success,
    tried_tool,
    tripped,
)
from switchboard.app.settings import REPO

SUMMARY: dict[str, Any] = {
    "pass_at_1": 0.5,
    "p50_ttft_ms": 120.0,
    "escalations": 3,
    "scorers": {"route": {"passed": 7, "applicable": 10, "rate": 0.7}},
    "must_pass_failures": ["golden-001"],
}


def _turn(record_id: str, sources: list[str] | None = None) -> dict[str, Any]:
    return {"record_id": record_id, "expect": {"sources": sources} if sources else {}}


def test_summary_and_scorer_figures_read_the_report_and_say_none_when_it_has_nothing() -> None:
    run = Measured(SUMMARY)
    assert summary_value("p50_ttft_ms")(run) == 120.0
    assert summary_value("p95_ttft_ms")(run) is None
    assert scorer_rate("route")(run) == 0.7
    assert scorer_failures("route")(run) == 3  # misroutes
    assert scorer_rate("sources")(run) is None


def test_record_figures_count_tools_guards_approvals_and_streaming() -> None:
    records = [
        TurnRecord(
            id="r1",
            streamed=True,
            tools=[ToolRecord(name="get_order"), ToolRecord(name="request_refund", ok=False, attempts=3)],
            guards=[GuardRecord(guard="loop_guard", action="halt")],
            approvals=[ApprovalRecord(order_id="10049", reason="large")],
        ),
        TurnRecord(id="r2", streamed=False, tools=[ToolRecord(name="get_order", attempts=2)]),
        TurnRecord(id="r3"),  # interrupted: not known whether it streamed
    ]
    run = Measured(SUMMARY, records=records)
    assert streamed_share(run) == 0.5
    assert tool_success(run) == pytest.approx(2 / 3)
    assert tool_calls_retried(run) == 2
    assert tripped("loop_guard")(run) == 1
    assert tripped("injection_scan")(run) == 0
    assert approvals_raised(run) == 1
    assert tried_tool("request_refund")(run) == 1
    assert model_calls_per_turn(run) == 0


def test_no_tool_calls_is_no_success_figure_rather_than_a_perfect_one() -> None:
    assert tool_success(Measured(SUMMARY, records=[TurnRecord(id="r1")])) is None


def test_retrieval_hit_is_over_the_turns_that_expect_sources() -> None:
    cases = [
        {"case_id": "c1", "turns": [_turn("r1", ["returns"]), _turn("r2")]},
        {"case_id": "c2", "turns": [_turn("r3", ["shipping"])]},
    ]
    records = [
        TurnRecord(id="r1", retrieved=["returns", "warranty"]),
        TurnRecord(id="r2", retrieved=[]),
        TurnRecord(id="r3", retrieved=["returns"]),
    ]
    assert retrieval_hit(Measured(SUMMARY, cases=cases, records=records)) == 0.5


def test_leaks_are_labelled_values_kept_verbatim_in_the_timeline_or_tool_arguments() -> None:
    cases = [{"case_id": "pii-1", "turns": [_turn("r1")]}, {"case_id": "pii-2", "turns": [_turn("r2")]}]
    leaked = TurnRecord(
        id="r1", timeline=[ToolItem(tool=ToolRecord(name="get_order"), output="email maya@example.com on file")]
    )
    masked = TurnRecord(id="r2", tools=[ToolRecord(name="get_order", arguments={"email": "<EMAIL_1>"})])
    labels = {"pii-1": ["maya@example.com"], "pii-2": ["diego@example.com", "+44 20 7946 0958"]}
    run = Measured(SUMMARY, cases=cases, records=[leaked, masked], labelled=labels)
    assert leaked_values(run) == 1
    assert labelled_count(run) == 3


def test_the_gate_counts_problems_against_a_baseline_and_is_unknown_without_one() -> None:
    baseline = {"tolerance": 0.02, "scorers": {"route": 0.9}}
    assert gate_problems_count(Measured(SUMMARY, baseline=baseline)) == 2  # a must-pass case, and route
    assert gate_problems_count(Measured(SUMMARY)) is None


def test_every_chapter_has_a_plan_on_a_real_dataset_and_chaos_preset() -> None:
    assert [p.chapter for p in PLANS] == list(BOOK)
    for plan in PLANS:
        assert plan.plays and all(play.figures for play in plan.plays)
        for play in plan.plays:
            assert (REPO / "evals" / "datasets" / f"{play.dataset}.jsonl").exists()
            assert play.chaos in ALL_PRESETS


def test_chapter_n_is_compared_with_the_chapters_before_it() -> None:
    assert presets_of(1) == ("all-off", "chapter-1")
    assert presets_of(9) == ("chapter-8", "chapter-9")
    before, after = (preset_values(p, list(REGISTRY)) for p in presets_of(9))
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {f.name for f in REGISTRY if f.chapter == 9 and f.default}


def test_an_unknown_chapter_is_refused() -> None:
    with pytest.raises(ValueError, match="chapters 1 to 12"):
        plan_of(13)


def test_a_chapter_s_opt_in_switches_are_its_own_and_off_in_its_preset() -> None:
    """The after run turns them on because the preset would not: each must belong to the chapter
    and be off by default, or the column's name would claim a difference that is not there."""
    registry = {f.name: f for f in REGISTRY}
    for plan in PLANS:
        preset = preset_values(presets_of(plan.chapter.number)[1], list(REGISTRY))
        for name in plan.opt_in:
            assert registry[name].built and registry[name].chapter == plan.chapter.number, name
            assert preset[name] is False, name
    assert plan_of(10).opt_in == ("semantic_cache", "model_routing", "context_window")
