"""A chapter's before and after among the runs a server has stored, for its Runs page.

The book's tables are measured by `switchboard chapters measure` in scratch folders; a server
shows the same comparison from runs of its own: the chapter's first play (its dataset under its
chaos preset) under the chapters before it and under the chapter too, the latest of each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from switchboard.app.lab.registry import Flag
from switchboard.app.runs.chapters import ChapterPlan, Play, presets_of, run_flags
from switchboard.app.runs.compare import chaos_of, dataset_of
from switchboard.app.runs.replay import DATASETS
from switchboard.app.shop.models import Run


@dataclass(frozen=True)
class Side:
    """One column of the comparison: the flags it runs under, and the latest run made so."""

    label: str
    flags: dict[str, bool]
    run: Run | None


@dataclass(frozen=True)
class ChapterRuns:
    play: Play
    before: Side
    after: Side

    @property
    def missing(self) -> Side | None:
        return next((side for side in (self.before, self.after) if side.run is None), None)


def replayable_play(plan: ChapterPlan) -> Play | None:
    """The chapter's first play a server can replay itself (a dataset of its Runs page)."""
    return next((p for p in plan.plays if p.dataset in DATASETS and not p.pii_labels), None)


def chapter_runs(plan: ChapterPlan, play: Play, runs: Sequence[Run], registry: list[Flag]) -> ChapterRuns:
    """`runs` newest first, as the store lists them."""
    before, after = presets_of(plan.chapter.number)
    sides = [
        (before, run_flags(before, (), registry)),
        (" + ".join((after, *plan.opt_in)), run_flags(after, plan.opt_in, registry)),
    ]
    found = [Side(label, flags, _latest(play, flags, runs, registry)) for label, flags in sides]
    return ChapterRuns(play, found[0], found[1])


def _latest(play: Play, flags: dict[str, bool], runs: Sequence[Run], registry: list[Flag]) -> Run | None:
    built = [f.name for f in registry if f.built]
    wanted = {name: flags[name] for name in built}
    for run in runs:
        same_flags = {name: bool(run.flags.get(name)) for name in built} == wanted
        if same_flags and dataset_of(run) == play.dataset and chaos_of(run) == play.chaos:
            return run
    return None
