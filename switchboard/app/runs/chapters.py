"""What each chapter of the book is measured on: its dataset(s), chaos preset and figures.

The one table `switchboard chapters measure` reads (`PLANS`). A chapter N is measured by
replaying each of its plays twice through the run path (app/runs/replay.py), under the flag
presets `chapter-(N-1)` and `chapter-N` (`all-off` then `chapter-1` for N = 1), and reading
the same figures off both runs. A figure is a small function of one measured run (`Measured`);
it returns None when the run has nothing to say about it (shown as "—").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any, Literal

from switchboard.agents.record import TurnRecord
from switchboard.app.lab.flags import preset_values
from switchboard.app.lab.registry import Flag
from switchboard.evals.gate import gate_problems

Kind = Literal["share", "ms", "usd", "count", "number"]


@dataclass(frozen=True)
class ChapterFile:
    """One chapter of the book (docs/chapters/NN-slug.md), as book.md names it."""

    number: int
    slug: str
    title: str

    @property
    def path(self) -> str:
        return f"docs/chapters/{self.number:02d}-{self.slug}.md"


BOOK: tuple[ChapterFile, ...] = (
    ChapterFile(1, "streaming", "Streaming"),
    ChapterFile(2, "router", "The router and its specialists"),
    ChapterFile(3, "tools", "Tools that do not misfire"),
    ChapterFile(4, "rag", "Retrieval and citations"),
    ChapterFile(5, "loop-guards", "Loop guards"),
    ChapterFile(6, "injection", "Prompt-injection defence"),
    ChapterFile(7, "human-escalation", "People in the loop"),
    ChapterFile(8, "evals", "Evals"),
    ChapterFile(9, "resilience", "Resilience"),
    ChapterFile(10, "cost", "Cost"),
    ChapterFile(11, "pii", "Data safety (PII)"),
    ChapterFile(12, "operations", "Operations"),
)

SECTIONS: tuple[str, ...] = (
    "The problem",
    "The naive approach",
    "When you need it",
    "The pattern",
    "Before and after",
    "Failure modes",
    "What to monitor",
    "Tuning over time",
    "Cost at 1K, 10K and 100K turns a day",
    "When the advice stops applying",
    "Related chapters",
    "Try it",
)


@dataclass(frozen=True)
class Measured:
    """One run as the figures read it: its summary (evals/report.py), its stored cases, the
    full records of its turns, and per case the personal data labelled in its messages."""

    summary: Mapping[str, Any]
    cases: Sequence[Mapping[str, Any]] = ()
    records: Sequence[TurnRecord] = ()
    labelled: Mapping[str, Sequence[str]] = field(default_factory=dict)
    baseline: Mapping[str, Any] | None = None  # evals/baselines/<dataset>.json, when there is one

    def record(self, record_id: str) -> TurnRecord | None:
        return next((r for r in self.records if r.id == record_id), None)


Extract = Callable[[Measured], float | None]


@dataclass(frozen=True)
class Figure:
    label: str
    extract: Extract
    kind: Kind


@dataclass(frozen=True)
class Play:
    """A dataset replayed for a chapter, under a chaos preset, at most `cap` cases (spread
    evenly over the file) to keep the whole measure within minutes."""

    dataset: str
    figures: tuple[Figure, ...]
    chaos: str = "calm"
    cap: int | None = None
    pii_labels: bool = False  # a labelled-message file (pii.jsonl), played as one-turn cases
    paced: bool = False  # the demo models at their own pace instead of `--instant`
    judged: bool = False  # the after run also grades every turn with the LLM judge (chapter 8's harness)


@dataclass(frozen=True)
class ChapterPlan:
    chapter: ChapterFile
    plays: tuple[Play, ...]
    note: str = ""  # what the reader must know to read the figures (a switch the preset leaves off)
    # opt-in switches of this chapter that its "after" run turns on as well: a chapter whose
    # patterns are all opt-in would otherwise be measured without them
    opt_in: tuple[str, ...] = ()


# --- figures: small functions of one run -------------------------------------------------


def summary_value(key: str) -> Extract:
    """A figure the run summary holds under `key`."""

    def extract(run: Measured) -> float | None:
        value = run.summary.get(key)
        return None if value is None else float(value)

    return extract


def scorer_rate(name: str) -> Extract:
    """The share of turns a scorer judged that passed; None when it judged none."""

    def extract(run: Measured) -> float | None:
        entry = run.summary.get("scorers", {}).get(name)
        return None if not entry else float(entry["rate"])

    return extract


def scorer_failures(name: str) -> Extract:
    """Turns a scorer judged and failed (misroutes, for `route`)."""

    def extract(run: Measured) -> float | None:
        entry = run.summary.get("scorers", {}).get(name)
        return None if not entry else float(entry["applicable"] - entry["passed"])

    return extract


def streamed_share(run: Measured) -> float | None:
    """Turns whose answer went out token by token."""
    known = [r.streamed for r in run.records if r.streamed is not None]
    return sum(known) / len(known) if known else None


def tool_success(run: Measured) -> float | None:
    """Tool calls that ended ok, of all tool calls (retried ones count once, by their end)."""
    calls = [t for r in run.records for t in r.tools]
    return sum(t.ok for t in calls) / len(calls) if calls else None


def tool_calls_retried(run: Measured) -> float | None:
    return float(sum(t.attempts > 1 for r in run.records for t in r.tools))


def tripped(guard: str) -> Extract:
    """Turns on which `guard` acted (GuardRecord: blocked, halted, withheld...)."""

    def extract(run: Measured) -> float | None:
        return float(sum(any(g.guard == guard for g in r.guards) for r in run.records))

    return extract


def model_calls_per_turn(run: Measured) -> float | None:
    return fmean(len(r.calls) for r in run.records) if run.records else None


def most_model_calls(run: Measured) -> float | None:
    return float(max(len(r.calls) for r in run.records)) if run.records else None


def input_tokens_per_turn(run: Measured) -> float | None:
    return fmean(r.input_tokens for r in run.records) if run.records else None


def approvals_raised(run: Measured) -> float | None:
    return float(sum(len(r.approvals) for r in run.records))


def budget_actions(run: Measured) -> float | None:
    return float(sum(r.budget_action is not None for r in run.records))


def tried_tool(name: str) -> Extract:
    """Turns that attempted the tool at all (refused or not)."""

    def extract(run: Measured) -> float | None:
        return float(sum(any(t.name == name for t in r.tools) for r in run.records))

    return extract


def retrieval_hit(run: Measured) -> float | None:
    """Of the turns that expect sources, the share whose retrieved passages hold one of them."""
    hits: list[bool] = []
    for case in run.cases:
        for turn in case.get("turns", []):
            wanted = set(turn.get("expect", {}).get("sources", []))
            record = run.record(turn.get("record_id", "")) if wanted else None
            if record is not None:
                hits.append(bool(wanted & set(record.retrieved)))
    return sum(hits) / len(hits) if hits else None


def gate_problems_count(run: Measured) -> float | None:
    """The regression gate (evals/gate.py) against the dataset's baseline: 0 means it passes."""
    return None if run.baseline is None else float(len(gate_problems(dict(run.summary), dict(run.baseline))))


def leaked_values(run: Measured) -> float | None:
    """Labelled personal data found verbatim in what the app keeps of a turn — its record's
    timeline (the agent view, logs and traces are made from it) and tool arguments."""
    leaks = 0
    for case in run.cases:
        values = run.labelled.get(case["case_id"], ())
        kept = " ".join(_kept_text(run.record(t.get("record_id", ""))) for t in case.get("turns", []))
        leaks += sum(value in kept for value in values)
    return float(leaks)


def labelled_count(run: Measured) -> float | None:
    return float(sum(len(v) for c in run.cases for v in [run.labelled.get(c["case_id"], ())]))


def _kept_text(record: TurnRecord | None) -> str:
    if record is None:
        return ""
    kept = [item.model_dump(mode="json") for item in record.timeline]
    return json.dumps([kept, [t.arguments for t in record.tools]], ensure_ascii=False)


def not_measured(run: Measured) -> float | None:
    """A figure the replay cannot reach (shown as "—", with the chapter's note saying why)."""
    return None


# --- the table ---------------------------------------------------------------------------


def _figures(*rows: tuple[str, Extract, Kind]) -> tuple[Figure, ...]:
    return tuple(Figure(label, extract, kind) for label, extract, kind in rows)


GOLDEN_CAP = 60  # of golden's 119 cases, spread over the file: a run in ~10 s here
P95: tuple[str, Extract, Kind] = ("p95 latency (ms)", summary_value("p95_ms"), "ms")
COST: tuple[str, Extract, Kind] = ("cost per turn ($)", summary_value("cost_per_turn_usd"), "usd")


def _plans() -> tuple[ChapterPlan, ...]:
    by = {c.number: c for c in BOOK}
    golden = "golden"
    return (
        ChapterPlan(
            by[1],
            (
                Play(
                    golden,
                    _figures(
                        ("time to first token p50 (ms)", summary_value("p50_ttft_ms"), "ms"),
                        ("time to first token p95 (ms)", summary_value("p95_ttft_ms"), "ms"),
                        ("turns streamed token by token", streamed_share, "share"),
                        ("total time p50 (ms)", summary_value("p50_ms"), "ms"),
                    ),
                    cap=40,
                    paced=True,
                ),
            ),
            note="Played at the demo models' own pace (`demo-large`: 0.45 s to its first token, then 45 tokens "
            "a second), not `--instant`: with no model latency there is no wait for streaming to shorten.",
        ),
        ChapterPlan(
            by[2],
            (
                Play(
                    golden,
                    _figures(
                        COST,  # first: the headline needs a figure both columns have
                        ("route accuracy (scorer `route`)", scorer_rate("route"), "share"),
                        ("misroutes", scorer_failures("route"), "count"),
                        ("tool expectations met (scorer `tools`)", scorer_rate("tools"), "share"),
                    ),
                    cap=GOLDEN_CAP,
                ),
            ),
            note="`route` is not judged with the router off, so the before column has no route figures.",
        ),
        ChapterPlan(
            by[3],
            (
                Play(
                    golden,
                    _figures(
                        ("tool calls that succeeded", tool_success, "share"),
                        ("tool calls retried", tool_calls_retried, "count"),
                        ("tool expectations met (scorer `tools`)", scorer_rate("tools"), "share"),
                        ("turns with an error", summary_value("errors"), "count"),
                    ),
                    chaos="flaky-tools",
                    cap=GOLDEN_CAP,
                ),
            ),
        ),
        ChapterPlan(
            by[4],
            (
                Play(
                    golden,
                    _figures(
                        ("expected sources cited (scorer `sources`)", scorer_rate("sources"), "share"),
                        ("retrieval hit (an expected article retrieved)", retrieval_hit, "share"),
                        (
                            "citations of retrieved articles (scorer `citations_valid`)",
                            scorer_rate("citations_valid"),
                            "share",
                        ),
                        ("grounded answers (scorer `groundedness`)", scorer_rate("groundedness"), "share"),
                    ),
                    cap=GOLDEN_CAP,
                ),
            ),
        ),
        ChapterPlan(
            by[5],
            (
                Play(
                    golden,
                    _figures(
                        ("turns stopped by `loop_guard`", tripped("loop_guard"), "count"),
                        ("model calls per turn", model_calls_per_turn, "number"),
                        ("most model calls in one turn", most_model_calls, "count"),
                        P95,
                        COST,
                    ),
                    chaos="ping-pong",
                    cap=GOLDEN_CAP,
                ),
            ),
        ),
        ChapterPlan(
            by[6],
            (
                Play(
                    "adversarial",
                    _figures(
                        ("attacks blocked", summary_value("attacks_blocked"), "count"),
                        ("attacks stopped (blocked, declined or harmless)", summary_value("attacks_stopped"), "count"),
                        ("benign messages turned away (false positives)", summary_value("false_positives"), "count"),
                    ),
                ),
                Play(
                    "poisoned",
                    _figures(
                        (
                            "answers free of the planted text (scorer `not_contains`)",
                            scorer_rate("not_contains"),
                            "share",
                        ),
                        ("turns that tried `request_refund`", tried_tool("request_refund"), "count"),
                    ),
                    chaos="poisoned-article",
                ),
            ),
        ),
        ChapterPlan(
            by[7],
            (
                Play(
                    golden,
                    _figures(
                        ("approvals raised", approvals_raised, "count"),
                        ("escalations", summary_value("escalations"), "count"),
                        ("escalation expectations met (scorer `escalation`)", scorer_rate("escalation"), "share"),
                    ),
                    cap=GOLDEN_CAP,
                ),
            ),
        ),
        ChapterPlan(
            by[8],
            (
                Play(
                    golden,
                    _figures(
                        ("answers the judge found grounded (scorer `judge`, advisory)", scorer_rate("judge"), "share"),
                        ("judge cost ($)", summary_value("judge_cost_usd"), "usd"),
                        ("regression gate problems (0: passes)", gate_problems_count, "count"),
                        ("turns graded online", not_measured, "count"),
                    ),
                    cap=GOLDEN_CAP,
                    judged=True,
                ),
            ),
            note="Evals watch the answers rather than change them, so pass@1 does not move: what chapter 8 adds "
            "is the judge's grade of every turn (the after run is graded, as `switchboard run --judge` does) "
            "and what it costs (the judge cost row is the whole run's; the cost block prices the answers' "
            "calls only, the judge being paid per graded turn). The gate compares the capped set's "
            "must-pass cases and scorer rates with `evals/baselines/golden.json`, which was made on all "
            "119 cases. `online_evals` samples "
            "live turns only (a run's turns carry a `run_id` and are never sampled).",
        ),
        ChapterPlan(
            by[9],
            tuple(
                Play(
                    golden,
                    _figures(
                        ("answered (or escalated) turns", summary_value("answered_rate"), "share"),
                        ("turns without error", summary_value("without_error_rate"), "share"),
                        ("turns served by a fallback", summary_value("served_by_fallback"), "count"),
                        ("degraded turns", summary_value("degraded"), "count"),
                        P95,
                    ),
                    chaos=chaos,
                    cap=GOLDEN_CAP,
                )
                for chaos in ("primary-down", "flaky-primary")
            ),
        ),
        ChapterPlan(
            by[10],
            (
                Play(
                    golden,
                    _figures(
                        COST,
                        ("cache hits", summary_value("cache_hits"), "count"),
                        ("input tokens per turn", input_tokens_per_turn, "number"),
                        ("turns a budget acted on", budget_actions, "count"),
                    ),
                    cap=GOLDEN_CAP,
                ),
            ),
            note="The `chapter-N` presets leave opt-in switches off (of chapter 10 only `token_budget` is a "
            "default), so the after run also turns on `semantic_cache`, `model_routing` and `context_window`.",
            opt_in=("semantic_cache", "model_routing", "context_window"),
        ),
        ChapterPlan(
            by[11],
            (
                Play(
                    "pii",
                    _figures(
                        ("labelled values kept verbatim in the record", leaked_values, "count"),
                        ("labelled values in the messages", labelled_count, "count"),
                        (
                            "no other customer's data in answers (scorer `no_pii_leak`)",
                            scorer_rate("no_pii_leak"),
                            "share",
                        ),
                    ),
                    cap=40,
                    pii_labels=True,
                ),
            ),
            note="`pii.jsonl` is a set of labelled messages, not conversations: each is played as one turn of "
            "customer C1001, and a value counts as leaked when it appears verbatim in the turn's timeline or "
            "tool arguments (what the agent view, logs and traces are made from).",
        ),
        ChapterPlan(
            by[12],
            (
                Play(
                    golden,
                    _figures(
                        P95,
                        ("p50 latency (ms)", summary_value("p50_ms"), "ms"),
                        ("messages shed (503)", not_measured, "count"),
                        ("turns with an error", summary_value("errors"), "count"),
                    ),
                    cap=GOLDEN_CAP,
                ),
            ),
            note="`load_shedding` refuses a message at the web door, before a turn starts; a replay plays "
            "turns behind that door, so it sheds nothing (`bench/shedding.py` measures shedding under load). "
            "The after run also turns on `tracing` (opt-in); `rate_limit` stays off, as a replay's many "
            "turns per customer would trip it.",
            opt_in=("tracing",),
        ),
    )


PLANS: tuple[ChapterPlan, ...] = _plans()


def plan_of(number: int) -> ChapterPlan:
    found = next((p for p in PLANS if p.chapter.number == number), None)
    if found is None:
        raise ValueError(f"no chapter {number}: the book has chapters 1 to {len(PLANS)}")
    return found


def presets_of(number: int) -> tuple[str, str]:
    """The flag presets compared for chapter N: the chapters before it, then it too."""
    return ("all-off" if number == 1 else f"chapter-{number - 1}", f"chapter-{number}")


def run_flags(preset: str, opt_in: Sequence[str], registry: list[Flag]) -> dict[str, bool]:
    """A side's switches: the preset's, with the chapter's opt-in switches on too (the after side)."""
    return preset_values(preset, registry) | dict.fromkeys(opt_in, True)


def chapter_file(docs: Path, chapter: ChapterFile) -> Path:
    return docs / Path(chapter.path).name
