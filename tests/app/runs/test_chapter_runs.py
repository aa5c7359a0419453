"""Which stored runs are a chapter's before and after: same dataset, same chaos, the chapter's flags, the latest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from switchboard.app.lab.flags import REGISTRY, preset_values
from switchboard.app.runs.chapter_runs import chapter_runs, replayable_play
from switchboard.app.runs.chapters import plan_of
from switchboard.app.shop.models import Run

REG = list(REGISTRY)


def _run(run_id: str, flags: dict[str, bool], dataset: str = "golden", chaos: str = "calm") -> Run:
    summary: dict[str, Any] = {"chaos": {"preset": chaos}}
    return Run(
        id=run_id,
        name=run_id,
        created_at=datetime.now(UTC),
        dataset=f"evals/datasets/{dataset}.jsonl",
        dataset_hash="h",
        code_version="c",
        flags=flags,
        summary=summary,
    )


def test_the_latest_run_of_each_side_is_chosen_and_other_datasets_chaos_or_flags_are_not() -> None:
    plan = plan_of(2)
    play = replayable_play(plan)
    assert play is not None and play.dataset == "golden"
    before, after = preset_values("chapter-1", REG), preset_values("chapter-2", REG)
    newest_first = [
        _run("other-dataset", after, dataset="adversarial"),
        _run("other-chaos", after, chaos="primary-down"),
        _run("after-new", after),
        _run("after-old", after),
        _run("before", before),
    ]
    pair = chapter_runs(plan, play, newest_first, REG)
    assert (pair.before.run and pair.before.run.id, pair.after.run and pair.after.run.id) == ("before", "after-new")
    assert pair.missing is None


def test_the_after_side_of_an_opt_in_chapter_needs_its_switches_on() -> None:
    plan = plan_of(10)
    play = replayable_play(plan)
    assert play is not None
    plain = chapter_runs(plan, play, [_run("plain", preset_values("chapter-10", REG))], REG)
    assert plain.after.run is None and plain.missing is plain.before
    assert plain.after.label == "chapter-10 + semantic_cache + model_routing + context_window"
    assert all(plain.after.flags[name] for name in plan.opt_in)


def test_a_chapter_measured_on_labelled_messages_has_no_play_a_server_replays() -> None:
    assert replayable_play(plan_of(11)) is None
