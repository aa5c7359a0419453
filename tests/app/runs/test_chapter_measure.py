"""Preparing a chapter's plays, and refusing files it could not write before running anything."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest

from switchboard.app.runs.chapter_blocks import Provenance, block_text, table_rows
from switchboard.app.runs.chapter_measure import (
    PII_CUSTOMER,
    ChapterFileError,
    check_chapter_file,
    isolated,
    measure,
    prepare,
    spread,
)
from switchboard.app.runs.chapters import Play, plan_of
from switchboard.app.settings import Settings
from switchboard.evals.dataset import load_dataset

MARKED = (
    "<!-- generated:before-after:begin -->\n<!-- generated:before-after:end -->\n"
    "<!-- generated:cost:begin -->\n<!-- generated:cost:end -->\n"
)


def test_a_cap_spreads_the_cases_over_the_whole_file() -> None:
    ids = [f"c{i}" for i in range(10)]
    assert spread(ids, 5) == ["c0", "c2", "c4", "c6", "c8"]
    assert spread(ids, None) == ids
    assert spread(ids, 20) == ids


def _write(path: Path, lines: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_a_capped_play_chooses_its_cases_and_says_how_many_of_how_many(tmp_path: Path) -> None:
    _write(tmp_path / "tiny.jsonl", [{"id": f"t-{i}", "customer": "C1001", "turns": ["hello"]} for i in range(4)])
    prepared = prepare(Play("tiny", (), cap=2), tmp_path, tmp_path)
    assert prepared.cases == "2 of 4 cases"
    cases = load_dataset(prepared.path, ["C1001"])
    assert prepared.chosen is not None
    assert [c.id for c in cases if prepared.chosen(c)] == ["t-0", "t-2"]
    assert prepare(Play("tiny", ()), tmp_path, tmp_path).chosen is None


def test_labelled_messages_become_one_turn_cases_with_their_values_kept_aside(tmp_path: Path) -> None:
    source, scratch = tmp_path / "src", tmp_path / "scratch"
    source.mkdir(), scratch.mkdir()
    spans = [{"kind": "email", "value": "maya@example.com"}]
    _write(
        source / "pii.jsonl", [{"id": "pii-001", "text": "mail maya@example.com", "spans": spans, "tags": ["email"]}]
    )
    prepared = prepare(Play("pii", (), pii_labels=True), source, scratch)
    (case,) = load_dataset(prepared.path, [PII_CUSTOMER])
    assert (case.id, case.customer, case.turns[0].user) == ("pii-001", PII_CUSTOMER, "mail maya@example.com")
    assert prepared.labelled == {"pii-001": ["maya@example.com"]}
    assert prepared.path.parent == scratch  # the repository's dataset is not rewritten


def test_a_measured_run_never_touches_the_configured_stores(tmp_path: Path) -> None:
    configured = Settings(database_url="postgresql+asyncpg://x/y", redis_url="redis://x", chapter=3)
    fresh = isolated(configured, tmp_path)
    assert (fresh.data_dir, fresh.database_url, fresh.redis_url, fresh.chroma_url, fresh.chapter) == (
        tmp_path,
        "",
        "",
        "",
        None,
    )
    assert (fresh.demo_ttft_ms, fresh.demo_tokens_per_s) == (0, 0)
    paced = isolated(Settings(demo_ttft_ms=0, demo_tokens_per_s=0), tmp_path, paced=True)
    assert (paced.demo_ttft_ms, paced.demo_tokens_per_s) == (None, None)  # the demo profiles' own speed


def test_chapter_files_are_checked_for_existence_and_both_marker_pairs(tmp_path: Path) -> None:
    path = tmp_path / "03-tools.md"
    with pytest.raises(ChapterFileError, match=r"03-tools\.md: no such chapter file"):
        check_chapter_file(path)
    path.write_text("<!-- generated:before-after:begin -->\n<!-- generated:before-after:end -->\n")
    with pytest.raises(ChapterFileError, match=r"03-tools\.md: no <!-- generated:cost:begin -->"):
        check_chapter_file(path)
    path.write_text(MARKED)
    check_chapter_file(path)


def test_measure_refuses_a_file_without_markers_before_playing_any_run(tmp_path: Path) -> None:
    (tmp_path / "02-router.md").write_text("no markers")
    readme = tmp_path / "README.md"
    readme.write_text("<!-- generated:book:begin -->\n<!-- generated:book:end -->\n")
    made = Provenance("abc1234", "switchboard chapters measure 2", "2026-12-07")
    with pytest.raises(ChapterFileError, match=r"02-router\.md"):
        asyncio.run(measure(Settings(data_dir=tmp_path), [plan_of(2)], tmp_path, readme, made))
    (tmp_path / "02-router.md").write_text(MARKED)
    readme.write_text("no book here")
    with pytest.raises(ChapterFileError, match=r"README\.md: no <!-- generated:book:begin -->"):
        asyncio.run(measure(Settings(data_dir=tmp_path), [plan_of(2)], tmp_path, readme, made))


def test_measure_replays_before_and_after_and_writes_both_blocks_and_the_books_contents(tmp_path: Path) -> None:
    """End to end on two golden cases: chapter 2's presets, through execute_run, into the files."""
    plan = plan_of(2)
    tiny = replace(plan, plays=(replace(plan.plays[0], cap=2),))
    docs = tmp_path / "docs"
    docs.mkdir()
    chapter = docs / "02-router.md"
    chapter.write_text("# Chapter 2 — Router\n\nKept.\n" + MARKED + "Kept too.\n")
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- generated:book:begin -->\n<!-- generated:book:end -->\n")
    made = Provenance("abc1234", "switchboard chapters measure 2", "2026-12-07")
    heard: list[str] = []
    asyncio.run(measure(Settings(data_dir=tmp_path / "unused"), [tiny], docs, readme, made, heard.append))
    text = chapter.read_text()
    assert text.startswith("# Chapter 2 — Router\n\nKept.\n") and text.endswith("Kept too.\n")
    table = table_rows(block_text(text, "before-after") or "") or []
    assert table[0] == ["figure", "chapter 1", "chapters 1–2", "change"]
    assert [row[0] for row in table[1:]][-1] == "pass@1"
    assert "`golden` (2 of 119 cases)" in (block_text(text, "cost") or "")
    assert [line.split(": ")[0] for line in heard[:2]] == [
        "golden · chaos calm · chapter-1",
        "golden · chaos calm · chapter-2",
    ]
    assert "[Router](docs/chapters/02-router.md)" in readme.read_text()
    assert not (tmp_path / "unused").exists()  # each run had a data dir of its own


def test_chapter_8_grades_only_its_after_run_with_the_judge(tmp_path: Path) -> None:
    """Evals change no answer; what the chapter adds is the judge's grade, so only that run has one."""
    plan = plan_of(8)
    tiny = replace(plan, plays=(replace(plan.plays[0], cap=2),))
    docs = tmp_path / "docs"
    docs.mkdir()
    chapter = docs / "08-evals.md"
    chapter.write_text("# Chapter 8 — Evals\n\n" + MARKED)
    readme = tmp_path / "README.md"
    readme.write_text("<!-- generated:book:begin -->\n<!-- generated:book:end -->\n")
    made = Provenance("abc1234", "switchboard chapters measure 8", "2026-12-07")
    asyncio.run(measure(Settings(data_dir=tmp_path / "unused"), [tiny], docs, readme, made, lambda _: None))
    rows = {row[0]: row[1:3] for row in (table_rows(block_text(chapter.read_text(), "before-after") or "") or [])}
    judged = rows["answers the judge found grounded (scorer `judge`, advisory)"]
    assert judged[0] == "—" and judged[1].endswith("%"), judged
    before_cost, after_cost = rows["judge cost ($)"]
    assert before_cost == "$0.000000" and after_cost != before_cost
