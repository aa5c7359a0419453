"""`switchboard chapters measure [N]`: replay each chapter's plays before and after it, and write
the figures into the chapter's generated blocks and the README's table of contents.

Every run goes through `execute_run` (app/runs/replay.py, what `switchboard run` uses) on
freshly started services in a data dir of its own, so no run inherits a breaker, a cache or a
spend window from another. Runs with the same preset, dataset, chaos and cap are made once per
measure and shared by the chapters that ask for them (chapter N's "after" is often N+1's "before").
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from switchboard.agents.record import TurnRecord
from switchboard.app.runs.chapter_blocks import (
    PlayResult,
    Provenance,
    before_after_block,
    book_block,
    cost_block,
    markers,
    write_block,
)
from switchboard.app.runs.chapters import ChapterPlan, Measured, Play, chapter_file, presets_of, run_flags
from switchboard.app.runs.replay import code_version, execute_run
from switchboard.app.services import Services, running_services
from switchboard.app.settings import REPO, Settings
from switchboard.app.shop.models import Run
from switchboard.app.turns.records import turn_record
from switchboard.evals.dataset import Case
from switchboard.evals.projection import Projection, project

PII_CUSTOMER = "C1001"  # the one customer every labelled message is played as
BLOCKS = ("before-after", "cost")


class ChapterFileError(ValueError):
    """A chapter file is missing, or lacks a generated block's markers."""


def check_chapter_file(path: Path) -> None:
    """Before any run: the file exists and holds both blocks' marker pairs."""
    if not path.exists():
        raise ChapterFileError(f"{path}: no such chapter file")
    text = path.read_text()
    for name in BLOCKS:
        begin, end = markers(name)
        if not 0 <= text.find(begin) < text.find(end):
            raise ChapterFileError(f"{path}: no {begin} … {end} pair")


def dirty_code_version(repo: Path = REPO) -> str:
    """The short hash, `+dirty` when code differs from it (the book's own generated files aside)."""
    found = code_version()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", ".", ":(exclude)docs/chapters", ":(exclude)README.md"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=10,
    )
    return found + "+dirty" if found != "unknown" and status.stdout.strip() else found


@dataclass(frozen=True)
class Prepared:
    """A play's dataset as the run reads it, which of its cases are played, and their labels."""

    path: Path
    chosen: Callable[[Case], bool] | None
    cases: str  # "60 of 119 cases"
    labelled: dict[str, list[str]]


def prepare(play: Play, datasets: Path, scratch: Path) -> Prepared:
    source = datasets / f"{play.dataset}.jsonl"
    lines = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
    picked = spread([str(line["id"]) for line in lines], play.cap)
    described = f"{len(picked)} of {len(lines)} cases" if len(picked) < len(lines) else f"{len(lines)} cases"
    chosen = None if len(picked) == len(lines) else _chosen(set(picked))
    if not play.pii_labels:
        return Prepared(source, chosen, described, {})
    path = scratch / f"{play.dataset}.jsonl"
    path.write_text("".join(json.dumps(as_case(line)) + "\n" for line in lines))
    return Prepared(path, chosen, described, {str(line["id"]): [s["value"] for s in line["spans"]] for line in lines})


def spread(ids: Sequence[str], cap: int | None) -> list[str]:
    """At most `cap` ids, evenly spaced over the file: every part of it is sampled."""
    if cap is None or len(ids) <= cap:
        return list(ids)
    step = len(ids) / cap
    return [ids[int(i * step)] for i in range(cap)]


def _chosen(ids: set[str]) -> Callable[[Case], bool]:
    return lambda case: case.id.split("/")[0] in ids  # a paraphrase variant is `<id>/<n>`


def as_case(line: dict[str, Any]) -> dict[str, Any]:
    """A labelled message (pii.jsonl) as a one-turn case of the run format."""
    return {"id": line["id"], "customer": PII_CUSTOMER, "turns": [line["text"]], "tags": line.get("tags", [])}


def isolated(settings: Settings, data_dir: Path, paced: bool = False) -> Settings:
    """The settings of one measured run: its own data dir and embedded stores, and the demo
    models instant (`--instant`) or, `paced`, at their own profiles' speed."""
    fresh = {
        "data_dir": data_dir,
        "database_url": "",
        "checkpoint_url": "",
        "chroma_url": "",
        "redis_url": "",
        "chapter": None,
    }
    speed = (None, None) if paced else (0, 0)
    return settings.model_copy(update={**fresh, "demo_ttft_ms": speed[0], "demo_tokens_per_s": speed[1]})


async def run_records(services: Services, run: Run) -> list[TurnRecord]:
    ids = [t["record_id"] for case in run.cases for t in case["turns"] if t.get("record_id")]
    rows = await services.records.many(ids)
    return [turn_record(rows[i]) for i in ids if i in rows]


def baseline_of(dataset: str, repo: Path = REPO) -> dict[str, Any] | None:
    path = repo / "evals" / "baselines" / f"{dataset}.json"
    return json.loads(path.read_text()) if path.exists() else None


RunKey = tuple[str, tuple[str, ...], bool, str, str, int | None, bool]


class Measurer:
    """Plays and remembers runs for one `measure`; `log` hears one line per run made."""

    def __init__(self, settings: Settings, log: Callable[[str], None] = print) -> None:
        self._settings = settings
        self._log = log
        self._runs: dict[RunKey, tuple[Measured, Projection, str]] = {}

    async def run(
        self, play: Play, preset: str, opt_in: tuple[str, ...] = (), judged: bool = False
    ) -> tuple[Measured, Projection, str]:
        """The play under `preset` with the `opt_in` switches on too (and graded by the judge when
        `judged`), made once per measure."""
        key = (preset, opt_in, judged, play.dataset, play.chaos, play.cap, play.paced)
        if key not in self._runs:
            started = time.monotonic()
            self._runs[key] = await self._play(play, preset, opt_in, judged)
            named = " + ".join((preset, *opt_in))
            self._log(f"{play.dataset} · chaos {play.chaos} · {named}: {time.monotonic() - started:.1f} s")
        return self._runs[key]

    async def _play(
        self, play: Play, preset: str, opt_in: tuple[str, ...], judged: bool
    ) -> tuple[Measured, Projection, str]:
        with tempfile.TemporaryDirectory(prefix="chapters-") as scratch:
            prepared = prepare(play, self._settings.eval_datasets_dir, Path(scratch))
            async with running_services(isolated(self._settings, Path(scratch) / "data", play.paced)) as services:
                services.chaos.apply_preset(play.chaos)
                flags = run_flags(preset, opt_in, services.flags.registry)
                run = await execute_run(
                    services,
                    prepared.path,
                    flags,
                    name=f"{preset} · {play.dataset}",
                    chosen=prepared.chosen,
                    judge=judged,
                )
                records = await run_records(services, run)
                cost = project(records, services.gateway.prices)
        measured = Measured(run.summary, run.cases, records, prepared.labelled, baseline_of(play.dataset))
        return measured, cost, prepared.cases

    async def chapter(self, plan: ChapterPlan) -> list[PlayResult]:
        before, after = presets_of(plan.chapter.number)
        results = []
        for play in plan.plays:
            old, old_cost, cases = await self.run(play, before)
            new, new_cost, _ = await self.run(play, after, plan.opt_in, play.judged)
            label = f"`{play.dataset}` ({cases}, chaos preset `{play.chaos}`)"
            results.append(
                PlayResult(
                    label, play.dataset, play.chaos, cases, play.figures, old, new, old_cost, new_cost, play.paced
                )
            )
        return results


def write_chapter(docs: Path, plan: ChapterPlan, plays: Sequence[PlayResult], made: Provenance) -> Path:
    path = chapter_file(docs, plan.chapter)
    number = plan.chapter.number
    write_block(path, "before-after", before_after_block(number, plays, plan.note, made, plan.opt_in))
    write_block(path, "cost", cost_block(number, plays[0], made, plan.opt_in))
    return path


async def measure(
    settings: Settings,
    plans: Sequence[ChapterPlan],
    docs: Path,
    readme: Path,
    made: Provenance,
    log: Callable[[str], None] = print,
) -> None:
    """Checks every file first (no run is wasted on a chapter that cannot be written), then
    measures and writes chapter by chapter, and the README's table of contents last."""
    for plan in plans:
        check_chapter_file(chapter_file(docs, plan.chapter))
    check_readme(readme)
    measurer = Measurer(settings, log)
    for plan in plans:
        path = write_chapter(docs, plan, await measurer.chapter(plan), made)
        log(f"chapter {plan.chapter.number}: {path}")
    write_block(readme, "book", book_block(docs))


def check_readme(readme: Path) -> None:
    begin, end = markers("book")
    text = readme.read_text()
    if not 0 <= text.find(begin) < text.find(end):
        raise ChapterFileError(f"{readme}: no {begin} … {end} pair for the book's table of contents")
