"""Run summaries and comparisons: the figures a run is judged and compared by.

pass@1 is the share of case attempts that passed; pass^k (τ-bench) is the share of cases that
passed on every one of their k attempts — a stricter measure of reliability.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape
from typing import Any, Literal

from switchboard.agents.record import TurnRecord
from switchboard.evals.engine import CaseResult
from switchboard.evals.projection import project, summary_figures
from switchboard.evals.resolution import cost_per_resolved, resolved_count


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None when there are no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def summarise(results: Sequence[CaseResult]) -> dict[str, Any]:
    by_case: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        by_case[result.case_id].append(result)
    records = [t.record for r in results for t in r.turns]
    judged = sum(t.judge_cost_usd for r in results for t in r.turns)
    return {
        "cases": len(by_case),
        "attempts": len(results),
        "pass_at_1": _share(r.passed for r in results),
        "pass_hat_k": _share(all(r.passed for r in rs) for rs in by_case.values()),
        "scorers": _scorer_rates(results),
        "must_pass_failures": sorted(
            c for c, rs in by_case.items() if rs[0].must_pass and not all(r.passed for r in rs)
        ),
        "case_passed": {c: all(r.passed for r in rs) for c, rs in by_case.items()},
        **_operations(records),
        # The turns' cost (`cost_usd`) and the judge's apart, then the run's whole bill: grading
        # is part of what a run cost, and shown on its own it cannot pass for the assistant's.
        "judge_cost_usd": round(judged, 6),
        "run_cost_usd": round(sum(r.cost_usd for r in records) + judged, 6),
        **summary_figures(project(records)),
        **_guards(results),
        "cache_wrong_hits": _wrong_hits(results),
    }


def _wrong_hits(results: Sequence[CaseResult]) -> int:
    """Cached answers that failed what their turn expected: the cache's own error count (a
    hit's route and tools are not scored, since it skipped them; its answer is)."""
    turns = [t for r in results for t in r.turns if t.record.cache == "hit"]
    return sum(any(not v.passed and not v.advisory for v in t.verdicts) for t in turns)


def _share(flags: Any) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def _scorer_rates(results: Sequence[CaseResult]) -> dict[str, dict[str, float]]:
    passed: Counter[str] = Counter()
    applicable: Counter[str] = Counter()
    for verdict in (v for r in results for t in r.turns for v in t.verdicts):
        applicable[verdict.scorer] += 1
        passed[verdict.scorer] += verdict.passed
    return {
        name: {"passed": passed[name], "applicable": n, "rate": passed[name] / n}
        for name, n in sorted(applicable.items())
    }


def _operations(records: Sequence[TurnRecord]) -> dict[str, Any]:
    totals = [r.total_ms for r in records if r.total_ms is not None]
    ttfts = [r.ttft_ms for r in records if r.ttft_ms is not None]
    cost = sum(r.cost_usd for r in records)
    outcomes: Counter[str] = Counter(r.outcome for r in records)
    handled = outcomes["answered"] + outcomes["escalated"]  # a hand-off handles a turn, not resolves it
    return {
        "turns": len(records),
        "p50_ms": percentile(totals, 50),
        "p95_ms": percentile(totals, 95),
        "p50_ttft_ms": percentile(ttfts, 50),
        "p95_ttft_ms": percentile(ttfts, 95),
        "cost_usd": round(cost, 6),
        "cost_per_turn_usd": cost / len(records) if records else 0.0,
        "resolved": resolved_count(records),
        "cost_per_resolved_usd": cost_per_resolved(records),  # answered turns only: evals/resolution.py
        "outcomes": dict(outcomes),
        "answered_rate": handled / len(records) if records else 0.0,
        "without_error_rate": 1 - outcomes["error"] / len(records) if records else 0.0,
        "degraded": outcomes["degraded"],
        "tiers": dict(Counter(str(r.tier_served) for r in records)),
        "served_by_fallback": sum(1 for r in records if r.tier_served not in (None, "primary")),
        "retries": sum(r.retries for r in records),
        "mid_stream_cuts": sum(r.mid_stream_cuts for r in records),
        "escalations": outcomes["escalated"],
        "blocked": outcomes["blocked"],
        "errors": outcomes["error"],
        **_cache(records),
    }


def _cache(records: Sequence[TurnRecord]) -> dict[str, Any]:
    """semantic_cache's lookups: hits, and near neighbours the entity check refused. The rate is
    of the turns that looked (None when the switch was off for all of them)."""
    looked = [r for r in records if r.cache is not None]
    hits = sum(r.cache == "hit" for r in looked)
    return {
        "cache_hits": hits,
        "cache_rejected": sum(r.cache == "rejected" for r in looked),
        "cache_hit_rate": hits / len(looked) if looked else None,
    }


HARM_SCORERS = frozenset({"not_contains", "no_pii_leak", "forbidden_tools"})


def _guards(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Attacks stopped and benign messages wrongly stopped (false positives), by case tag.

    Stopped means blocked by a guard, declined as out of scope, or harmless; a benign message
    that was blocked *or declined* is a false positive. Issue 16 counts more strictly, from
    outcomes alone: an attack is stopped when a turn of it was blocked, declined or escalated to
    a person ("attacks_turned_back"), answered otherwise, and a benign message is wrongly
    stopped only when a guard blocked it ("benign_blocked"; declining off-topic is right for a shop).
    """

    def blocked(r: CaseResult) -> bool:
        return any(t.record.outcome == "blocked" for t in r.turns)

    def turned_away(r: CaseResult) -> bool:
        return any(t.record.outcome in ("blocked", "declined") for t in r.turns)

    def turned_back(r: CaseResult) -> bool:
        return any(t.record.outcome in ("blocked", "declined", "escalated") for t in r.turns)

    def harmless(r: CaseResult) -> bool:
        """Whatever the attack was after — words said, data leaked, a tool run — did not happen."""
        checks = [v for t in r.turns for v in t.verdicts if v.scorer in HARM_SCORERS and not v.advisory]
        specific = any(v.scorer != "no_pii_leak" for v in checks)  # no_pii_leak runs on every turn
        return specific and all(v.passed for v in checks)

    attacks = [r for r in results if "attack" in r.tags]
    benign = [r for r in results if "benign" in r.tags]
    return {
        "attacks": len(attacks),
        "attacks_blocked": sum(blocked(r) for r in attacks),
        "attacks_declined": sum(turned_away(r) and not blocked(r) for r in attacks),
        "attacks_stopped": sum(turned_away(r) or harmless(r) for r in attacks),
        "benign": len(benign),
        "false_positives": sum(turned_away(r) for r in benign),
        "attacks_turned_back": sum(turned_back(r) for r in attacks),
        "benign_blocked": sum(blocked(r) for r in benign),
    }


Better = Literal["higher", "lower"] | None
Kind = Literal["share", "ms", "usd", "count"]
FORMATS: dict[str, str] = {"share": "{:.1%}", "ms": "{:.0f}", "usd": "{:.5f}", "count": "{}"}

# (label, summary key, kind of figure, which way is better: None when neither is)
COMPARED: list[tuple[str, str, Kind, Better]] = [
    ("pass@1", "pass_at_1", "share", "higher"),
    ("pass^k", "pass_hat_k", "share", "higher"),
    ("p50 latency (ms)", "p50_ms", "ms", "lower"),
    ("p95 latency (ms)", "p95_ms", "ms", "lower"),
    ("p50 TTFT (ms)", "p50_ttft_ms", "ms", "lower"),
    ("p95 TTFT (ms)", "p95_ttft_ms", "ms", "lower"),
    ("cost per turn ($)", "cost_per_turn_usd", "usd", "lower"),
    ("cost per resolved turn ($)", "cost_per_resolved_usd", "usd", "lower"),
    ("a day at 1K turns ($, projected)", "projected_day_1k_usd", "usd", "lower"),
    ("a day at 10K turns ($, projected)", "projected_day_10k_usd", "usd", "lower"),
    ("a day at 100K turns ($, projected)", "projected_day_100k_usd", "usd", "lower"),
    ("turns without error", "without_error_rate", "share", "higher"),
    ("answered (or escalated) turns", "answered_rate", "share", "higher"),
    ("degraded turns", "degraded", "count", "lower"),
    ("turns served by a fallback", "served_by_fallback", "count", None),
    ("retries", "retries", "count", "lower"),
    ("streams cut mid-answer", "mid_stream_cuts", "count", "lower"),
    ("escalations", "escalations", "count", None),
    ("cache hit rate", "cache_hit_rate", "share", None),
    ("cache candidates rejected (entities or articles differ)", "cache_rejected", "count", None),
    ("cache hits that failed their case", "cache_wrong_hits", "count", "lower"),
    ("attacks blocked", "attacks_blocked", "count", "higher"),
    ("attacks declined as out of scope", "attacks_declined", "count", None),
    ("attacks stopped (blocked, declined, or harmless)", "attacks_stopped", "count", "higher"),
    ("false positives", "false_positives", "count", "lower"),
    ("attacks blocked, declined or escalated", "attacks_turned_back", "count", "higher"),
    ("benign messages blocked", "benign_blocked", "count", "lower"),
    ("errors", "errors", "count", "lower"),
    ("turns' cost ($)", "cost_usd", "usd", "lower"),
    ("judge cost ($)", "judge_cost_usd", "usd", "lower"),
    ("run cost, turns + judge ($)", "run_cost_usd", "usd", "lower"),
]


@dataclass(frozen=True)
class MetricRow:
    """One figure across runs: formatted values, the best run(s) and each run's change from the first."""

    label: str
    values: list[str]
    better: Better
    best: list[int]  # indexes of the runs with the best value; empty when all tie or neither way is better
    deltas: list[str]  # against the first run ("" for the first run, and where either value is missing)


def metric_rows(summaries: Sequence[dict[str, Any]]) -> list[MetricRow]:
    """The operational figures, then each scorer's pass rate (higher is better)."""
    rows = [_row(label, [s.get(key) for s in summaries], kind, better) for label, key, kind, better in COMPARED]
    for name in sorted({name for s in summaries for name in s["scorers"]}):
        entries = [s["scorers"].get(name) for s in summaries]
        row = _row(f"scorer {name}", [None if e is None else e["rate"] for e in entries], "share", "higher")
        rows.append(replace(row, values=[_rate(e) for e in entries]))
    return rows


def _row(label: str, values: list[float | None], kind: Kind, better: Better) -> MetricRow:
    formatted = [_fmt(v, FORMATS[kind]) for v in values]
    deltas = ["" if i == 0 else _delta(values[0], v, kind) for i, v in enumerate(values)]
    return MetricRow(label, formatted, better, _best(values, better), deltas)


def _best(values: list[float | None], better: Better) -> list[int]:
    known = [v for v in values if v is not None]
    if better is None or len(known) < 2 or len(set(known)) == 1:
        return []
    top = max(known) if better == "higher" else min(known)
    return [i for i, v in enumerate(values) if v == top]


def _delta(first: float | None, value: float | None, kind: Kind) -> str:
    if first is None or value is None or value == first:
        return ""  # no change reads as no change, not as "+0"
    change = value - first
    if kind == "share":
        return f"{change * 100:+.1f} pp"
    return {"ms": "{:+.0f}", "usd": "{:+.5f}", "count": "{:+g}"}[kind].format(change)


def comparison_rows(summaries: Sequence[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(metric, one formatted value per run), for the terminal and the static report."""
    return [(row.label, row.values) for row in metric_rows(summaries)]


def _fmt(value: Any, fmt: str) -> str:
    return "—" if value is None else fmt.format(value)


def _rate(entry: dict[str, float] | None) -> str:
    return "—" if entry is None else f"{entry['rate']:.1%} ({int(entry['passed'])}/{int(entry['applicable'])})"


def case_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    """Cases that newly fail and newly pass going from one run to another."""
    old, new = before["case_passed"], after["case_passed"]
    shared = sorted(set(old) & set(new))
    return {
        "newly_failing": [c for c in shared if old[c] and not new[c]],
        "newly_passing": [c for c in shared if not old[c] and new[c]],
    }


def render_html(run: dict[str, Any]) -> str:
    """A self-contained, readable page for one run: figures, scorers, then every failing case."""
    summary = run["summary"]
    rows = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(v[0])}</td></tr>" for label, v in comparison_rows([summary])
    )
    failing = [c for c in run["cases"] if not c["passed"]]
    cases = "".join(_case_html(c) for c in failing) or "<p>Every case passed.</p>"
    return f"""<!doctype html><meta charset="utf-8"><title>Run {escape(run["name"])}</title>
<style>body{{font:14px system-ui;margin:2rem;max-width:70rem}}table{{border-collapse:collapse}}
th,td{{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left}}.bad{{color:#a33}}</style>
<h1>Run {escape(run["name"])}</h1>
<p>{escape(run["dataset"])} · {summary["cases"]} cases, {summary["attempts"]} attempts
· code {escape(run["code_version"])} · flags <code>{escape(json.dumps(run["flags"]))}</code></p>
<table>{rows}</table>
<h2>Failing cases ({len(failing)})</h2>{cases}"""


def _case_html(case: dict[str, Any]) -> str:
    turns = "".join(
        f"<li><b>{escape(t['user'])}</b><br>{escape(t['answer'][:400])}<ul>"
        + "".join(
            f"<li class=bad>{escape(v['scorer'])}: {escape(v['detail'])}</li>" for v in t["verdicts"] if not v["passed"]
        )
        + "</ul></li>"
        for t in case["turns"]
    )
    return f"<h3>{escape(case['case_id'])} (attempt {case['attempt']})</h3><ol>{turns}</ol>"
