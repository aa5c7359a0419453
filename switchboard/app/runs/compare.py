"""Runs side by side, as a person reads them: each run named by what its configuration changes,
the switches that differ between the runs, the figures with the better value marked, and every
case with its question, expectation, answers and failing scorers.

The page (routes/runs.py) and the charts (ui/static/runs.js) render these views as they are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from switchboard.app.lab.flags import Flag, config_name, snapshot_key
from switchboard.app.shop.models import Run
from switchboard.evals.report import MetricRow, metric_rows

MAX_COMPARED = 6  # what fits side by side at 1280 px


class RunColumn(BaseModel):
    """One run as a column: its distinct label and, one click away, everything it ran under."""

    id: str
    label: str  # config_name (+ chaos, dataset, "#2" where needed to tell runs apart)
    name: str  # as stored: the CLI's --name, or config and dataset
    dataset: str
    created_at: str  # "03 Dec 05:50:14", UTC
    chaos: str
    flags: str  # the full snapshot, for a title or a <details>
    approvals: str  # "approvals this run raised: ..."


class FlagDifference(BaseModel):
    """A switch, a dataset or a chaos preset that is not the same in every run."""

    name: str
    states: list[str]


class RunCell(BaseModel):
    """One case in one run: passed, which scorers failed, its answer and its turns' records."""

    passed: bool | None  # None: the case is not in this run
    failed: list[str] = []
    answer: str = ""
    record_ids: list[str] = []
    trace_ids: list[str | None] = []  # each turn's trace, when it ran with `tracing` on


class CaseRow(BaseModel):
    case_id: str
    question: str
    expected: str
    cells: list[RunCell]
    newly_failing: bool  # passed in the first run, fails in a later one


class ChartData(BaseModel):
    labels: list[str]
    scorers: list[str]
    rates: list[list[float | None]]
    latency: list[list[float | None]]
    cost: list[float]


class Comparison(BaseModel):
    runs: list[RunColumn]
    differences: list[FlagDifference]
    rows: list[MetricRow]
    cases: list[CaseRow]
    chart: ChartData

    @property
    def newly_failing(self) -> int:
        return sum(c.newly_failing for c in self.cases)


def compare(runs: Sequence[Run], registry: list[Flag]) -> Comparison:
    columns = run_columns(runs, registry)
    return Comparison(
        runs=columns,
        differences=differences(runs, registry),
        rows=metric_rows([r.summary for r in runs]),
        cases=case_rows(runs),
        chart=chart_data(runs, [c.label for c in columns]),
    )


def dataset_of(run: Run) -> str:
    return run.dataset.rsplit("/", 1)[-1].removesuffix(".jsonl")


def chaos_of(run: Run) -> str:
    return str(run.summary.get("chaos", {}).get("preset", "calm"))


def config_label(run: Run, registry: list[Flag]) -> str:
    """The run's configuration by what differs ("defaults − rag"), and its chaos unless calm."""
    chaos = chaos_of(run)
    return config_name(run.flags, registry) + (f" · chaos {chaos}" if chaos != "calm" else "")


def run_labels(runs: Sequence[Run], registry: list[Flag]) -> list[str]:
    """Each run's configuration label, with its dataset where they vary; a label two runs
    would share gets "#2", "#3" on the later ones, so every legend tells them apart."""
    datasets = {dataset_of(r) for r in runs}
    labels = [config_label(r, registry) + (f" · {dataset_of(r)}" if len(datasets) > 1 else "") for r in runs]
    return _numbered(labels)


def _numbered(labels: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    numbered = []
    for label in labels:
        seen[label] += 1
        numbered.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return numbered


def run_columns(runs: Sequence[Run], registry: list[Flag]) -> list[RunColumn]:
    return [
        RunColumn(
            id=run.id,
            label=label,
            name=run.name,
            dataset=dataset_of(run),
            created_at=run.created_at.strftime("%d %b %H:%M:%S"),
            chaos=chaos_of(run),
            flags=snapshot_key(run.flags, registry),
            approvals=approvals_line(run.summary.get("approvals")),
        )
        for run, label in zip(runs, run_labels(runs, registry), strict=True)
    ]


def approvals_line(approvals: dict[str, Any] | None) -> str:
    """What the run's own approval queue came to, for its page."""
    if approvals is None:
        return "approvals: not recorded (an older run)"
    if not approvals.get("raised"):
        return "approvals this run raised: none"
    resolved = ", ".join(f"{n} {status}" for status, n in sorted(approvals.get("resolved", {}).items()))
    return f"approvals this run raised: {approvals['raised']}, resolved by policy ({approvals['policy']}) as {resolved}"


def differences(runs: Sequence[Run], registry: list[Flag]) -> list[FlagDifference]:
    """The switches (built ones: the rest are off everywhere), dataset and chaos that vary."""
    found = [
        FlagDifference(name=flag.name, states=["on" if run.flags.get(flag.name) else "off" for run in runs])
        for flag in registry
        if flag.built
    ]
    found += [FlagDifference(name="dataset", states=[dataset_of(r) for r in runs])]
    found += [FlagDifference(name="chaos", states=[chaos_of(r) for r in runs])]
    return [d for d in found if len(set(d.states)) > 1]


def case_rows(runs: Sequence[Run]) -> list[CaseRow]:
    """Every case of any run, in the first run's order, then the others' new ones."""
    by_run = [_first_attempts(run) for run in runs]
    order = list(dict.fromkeys(case_id for cases in by_run for case_id in cases))
    return [_case_row(case_id, runs, by_run) for case_id in order]


def _first_attempts(run: Run) -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for case in run.cases:
        cases.setdefault(case["case_id"], case)
    return cases


def _case_row(case_id: str, runs: Sequence[Run], by_run: list[dict[str, dict[str, Any]]]) -> CaseRow:
    shown = next(cases[case_id] for cases in by_run if case_id in cases)
    cells = [_cell(run, cases.get(case_id)) for run, cases in zip(runs, by_run, strict=True)]
    first = cells[0].passed
    return CaseRow(
        case_id=case_id,
        question=" → ".join(t["user"] for t in shown["turns"]),
        expected=expected_text(shown),
        cells=cells,
        newly_failing=first is True and any(c.passed is False for c in cells[1:]),
    )


def _cell(run: Run, case: dict[str, Any] | None) -> RunCell:
    if case is None:
        return RunCell(passed=None)
    passed = run.summary.get("case_passed", {}).get(case["case_id"], case["passed"])
    failed = [v["scorer"] for t in case["turns"] for v in t["verdicts"] if not v["passed"]]
    return RunCell(
        passed=passed,
        failed=list(dict.fromkeys(failed)),
        answer=case["turns"][-1]["answer"] if case["turns"] else "",
        record_ids=[t["record_id"] for t in case["turns"]],
        trace_ids=[t.get("trace_id") for t in case["turns"]],
    )


def expected_text(case: dict[str, Any]) -> str:
    """The last turn's expectations in words ("route orders · says 10057, shipped"), else the reference."""
    expect = case["turns"][-1].get("expect") if case["turns"] else None
    parts = [_expectation(key, value) for key, value in (expect or {}).items()]
    text = " · ".join(p for p in parts if p)
    return text or case.get("reference") or "—"


def _expectation(key: str, value: Any) -> str:
    if key == "tools":
        return "tools " + ", ".join(t.get("name") or " or ".join(t.get("any_of", [])) for t in value)
    if isinstance(value, list):
        return f"{key.replace('_', ' ')}: {', '.join(map(str, value))}" if value else ""
    if isinstance(value, bool):
        return key.replace("_", " ") if value else f"not {key.replace('_', ' ')}"
    return f"{key} {value}"


def chart_data(runs: Sequence[Run], labels: list[str]) -> ChartData:
    scorers = sorted({name for r in runs for name in r.summary["scorers"]})
    return ChartData(
        labels=labels,
        scorers=scorers,
        rates=[[r.summary["scorers"].get(s, {}).get("rate") for s in scorers] for r in runs],
        latency=[[r.summary.get("p50_ms"), r.summary.get("p95_ms")] for r in runs],
        cost=[r.summary.get("cost_per_turn_usd") or 0.0 for r in runs],
    )
