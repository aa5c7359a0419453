"""The generated blocks: written only between their markers, read back as tables."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from switchboard.app.runs.chapter_blocks import (
    MarkersMissing,
    PlayResult,
    Provenance,
    before_after_block,
    block_text,
    book_block,
    change_text,
    code_version_of,
    columns,
    cost_block,
    headline,
    replace_block,
    table_rows,
    write_block,
)
from switchboard.app.runs.chapters import Figure, Measured, summary_value
from switchboard.evals.projection import ModelShare, Projection

DOC = """# Chapter 3 — Tools

Lede, left alone.

## Before and after

Text before the table.
<!-- generated:before-after:begin -->
old table
<!-- generated:before-after:end -->
Text after it.
"""
MADE = Provenance("abc1234+dirty", "switchboard chapters measure 3", "2026-12-07")


def _play(dataset: str = "golden") -> PlayResult:
    figures = (Figure("tool calls retried", summary_value("retries"), "count"),)
    before = Measured({"pass_at_1": 0.40, "retries": 0})
    after = Measured({"pass_at_1": 0.45, "retries": 7})
    cost = Projection(10, 0.004, (ModelShare("demo-large", 1300.0, 70.0, 0.004),))
    cheaper = Projection(10, 0.001, (ModelShare("demo-small", 1300.0, 70.0, 0.001),))
    return PlayResult(
        "`golden` (60 of 119 cases)", dataset, "flaky-tools", "60 of 119 cases", figures, before, after, cost, cheaper
    )


def test_a_block_replaces_only_the_text_between_its_markers() -> None:
    written = replace_block(DOC, "before-after", "| a |\n|---|\n| 1 |", "03-tools.md")
    assert "old table" not in written
    assert written.startswith(DOC.split("<!-- generated")[0])  # everything before, byte for byte
    assert written.endswith("<!-- generated:before-after:end -->\nText after it.\n")
    assert block_text(written, "before-after") == "| a |\n|---|\n| 1 |"


def test_writing_a_block_twice_gives_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "03-tools.md"
    path.write_text(DOC)
    write_block(path, "before-after", "| a |\n|---|\n| 1 |\n")
    once = path.read_text()
    write_block(path, "before-after", "| a |\n|---|\n| 1 |\n")
    assert path.read_text() == once


def test_a_file_without_the_markers_is_an_error_naming_it() -> None:
    with pytest.raises(MarkersMissing, match=r"03-tools\.md: no <!-- generated:cost:begin -->"):
        replace_block(DOC, "cost", "x", "docs/chapters/03-tools.md")
    swapped = "<!-- generated:cost:end -->\n<!-- generated:cost:begin -->"
    with pytest.raises(MarkersMissing):
        replace_block(swapped, "cost", "x", "f.md")


def test_a_table_needs_a_header_a_separator_and_a_row() -> None:
    assert table_rows("| a | b |\n|---|:-:|\n| 1 | 2 |\n\nafter") == [["a", "b"], ["1", "2"]]
    assert table_rows("| a | b |\n|---|---|\n") is None
    assert table_rows("| a | b |\n| 1 | 2 |") is None
    assert table_rows("") is None


def test_the_before_after_block_has_each_figure_then_pass_at_1_and_names_its_code_version() -> None:
    body = before_after_block(3, [_play()], "A note.", MADE)
    rows = table_rows(body)
    assert rows == [
        ["figure", "chapters 1–2", "chapters 1–3", "change"],
        ["tool calls retried", "0", "7", "+7"],
        ["pass@1", "40.0%", "45.0%", "+5.0 pp"],
    ]
    assert "A note." in body
    assert code_version_of(body) == "abc1234+dirty"
    assert "`switchboard chapters measure 3`" in body and "`flaky-tools`" in body and "2026-12-07" in body
    assert "`--instant`" in body
    assert "at their own pace" in before_after_block(1, [replace(_play(), paced=True)], "", MADE)


def test_several_plays_name_their_dataset_and_chaos_on_each_row() -> None:
    plays = [_play("adversarial"), replace(_play("golden"), chaos="calm")]
    rows = table_rows(before_after_block(6, plays, "", MADE)) or []
    assert [r[0] for r in rows[1:]] == [
        "adversarial under `flaky-tools`: tool calls retried",
        "adversarial under `flaky-tools`: pass@1",
        "golden: tool calls retried",
        "golden: pass@1",
    ]


def test_the_cost_block_prices_three_scales_a_day_and_a_month_and_shows_the_mix() -> None:
    body = cost_block(3, _play(), MADE)
    rows = table_rows(body)
    assert rows is not None
    assert rows[1] == ["1,000", "$4.00", "$120.00", "$1.00", "$30.00"]
    assert rows[3] == ["100,000", "$400.00", "$12,000.00", "$100.00", "$3,000.00"]
    assert "| chapters 1–3 | $0.001000 | 1300 | 70 | demo-small 1300 / 70 |" in body
    assert code_version_of(body) == "abc1234+dirty"


def test_changes_are_in_the_figures_unit_and_honest_about_no_change() -> None:
    assert change_text(0.5, 0.5, "share") == "no change"
    assert change_text(None, 0.5, "share") == ""
    assert change_text(300.0, 120.0, "ms") == "-180 ms"
    assert change_text(0.004, 0.001, "usd") == "-$0.003000 (-75%)"
    assert change_text(1.5, 2.0, "number") == "+0.50"


def test_the_books_table_of_contents_takes_each_chapters_headline_from_its_block(tmp_path: Path) -> None:
    text = "# Chapter 1 — Streaming, measured\n" + DOC.replace("old table", before_after_block(1, [_play()], "", MADE))
    (tmp_path / "01-streaming.md").write_text(text)
    (tmp_path / "02-router.md").write_text(DOC.replace("old table", ""))
    assert headline(text) == "tool calls retried: 0 → 7"
    rows = table_rows(book_block(tmp_path)) or []
    assert rows[1] == ["1", "[Streaming, measured](docs/chapters/01-streaming.md)", "tool calls retried: 0 → 7"]
    assert rows[2][2] == "not measured yet"
    assert rows[3] == ["3", "[Tools that do not misfire](docs/chapters/03-tools.md)", "not written yet"]
    assert len(rows) == 13


def test_the_after_column_names_the_opt_in_switches_its_run_turned_on() -> None:
    assert columns(10) == ("chapters 1–9", "chapters 1–10")
    assert columns(10, ("semantic_cache", "model_routing")) == (
        "chapters 1–9",
        "chapters 1–10 + `semantic_cache` + `model_routing`",
    )
