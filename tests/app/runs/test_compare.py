"""Runs side by side: labels that tell runs apart, the switches that differ, the case table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from switchboard.app.lab.flags import REGISTRY, preset_values
from switchboard.app.runs.compare import approvals_line, compare, run_labels
from switchboard.app.shop.models import Run

ALL_ON = preset_values("all-on", list(REGISTRY))


def verdict(scorer: str, passed: bool) -> dict[str, Any]:
    return {"scorer": scorer, "passed": passed, "detail": "", "advisory": False}


def case(case_id: str, passed: bool, failed: str | None = None) -> dict[str, Any]:
    verdicts = [verdict("route", True)] + ([verdict(failed, False)] if failed else [])
    turn = {
        "user": f"question {case_id}",
        "answer": f"answer {case_id}",
        "record_id": f"r_{case_id}",
        "expect": {"route": "orders", "contains": ["10057"]},
        "verdicts": verdicts,
    }
    return {"case_id": case_id, "attempt": 1, "passed": passed, "turns": [turn]}


def run(run_id: str, flags: dict[str, bool], cases: list[dict[str, Any]], chaos: str = "calm") -> Run:
    summary = {"scorers": {}, "case_passed": {c["case_id"]: c["passed"] for c in cases}, "chaos": {"preset": chaos}}
    return Run(
        id=run_id,
        name=run_id,
        created_at=datetime(2026, 6, 1, tzinfo=UTC),
        dataset="evals/golden.jsonl",
        dataset_hash="h",
        code_version="c",
        flags=flags,
        summary=summary,
        cases=cases,
    )


def test_labels_name_the_configuration_and_number_repeats() -> None:
    runs = [
        run("a", ALL_ON, []),
        run("b", {**ALL_ON, "rag": False}, []),
        run("c", ALL_ON, []),
        run("d", ALL_ON, [], chaos="primary-down"),
    ]
    assert run_labels(runs, list(REGISTRY)) == [
        "defaults",
        "defaults − rag",
        "defaults #2",
        "defaults · chaos primary-down",
    ]


def test_only_the_switches_that_differ_head_the_comparison() -> None:
    runs = [run("a", ALL_ON, []), run("b", {**ALL_ON, "rag": False, "router": False}, [])]
    differences = compare(runs, list(REGISTRY)).differences
    assert [(d.name, d.states) for d in differences] == [("router", ["on", "off"]), ("rag", ["on", "off"])]


def test_cases_show_what_was_asked_expected_and_failed_and_which_newly_fail() -> None:
    before = run("a", ALL_ON, [case("one", True), case("two", False, "contains")])
    after = run("b", ALL_ON, [case("one", False, "tools"), case("two", False, "contains"), case("new", True)])
    rows = {r.case_id: r for r in compare([before, after], list(REGISTRY)).cases}
    assert list(rows) == ["one", "two", "new"]
    assert rows["one"].newly_failing and not rows["two"].newly_failing and not rows["new"].newly_failing
    assert rows["one"].question == "question one" and rows["one"].expected == "route orders · contains: 10057"
    assert [c.failed for c in rows["one"].cells] == [[], ["tools"]]
    assert rows["one"].cells[1].record_ids == ["r_one"] and rows["new"].cells[0].passed is None


def test_a_runs_own_approvals_are_summed_up_in_words() -> None:
    assert approvals_line(None) == "approvals: not recorded (an older run)"
    assert approvals_line({"raised": 0, "policy": "deny", "resolved": {}}) == "approvals this run raised: none"
    line = approvals_line({"raised": 3, "policy": "deny", "resolved": {"deny": 2, "expired": 1}})
    assert line == "approvals this run raised: 3, resolved by policy (deny) as 2 deny, 1 expired"
