"""The book's chapters as the app reads and renders them: order, titles, links, and no markup
of a chapter's own on the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.app.web.book import chapters, heading_id, render


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def book(tmp_path: Path) -> Path:
    _write(tmp_path, "10-cost.md", "# Chapter 10 — Cost\n\nSee [RAG](04-rag.md#failure-modes).\n")
    _write(tmp_path, "04-rag.md", "# Chapter 4 — Retrieval and citations\n\n## Failure modes\n\nText.\n")
    _write(tmp_path, "notes.md", "# Notes\n")  # not a chapter: no NN- name
    _write(tmp_path, "05-loops.md", "# Loops\n")  # not a chapter: no "Chapter N —" title
    return tmp_path


def test_the_chapters_come_in_number_order_and_only_files_that_name_themselves_one(book: Path) -> None:
    found = chapters(book)
    assert [(c.number, c.slug, c.title) for c in found] == [(4, "rag", "Retrieval and citations"), (10, "cost", "Cost")]


def test_a_missing_folder_is_an_empty_book(tmp_path: Path) -> None:
    assert chapters(tmp_path / "nowhere") == []


def test_links_to_other_chapters_become_links_to_their_pages_in_the_app(book: Path) -> None:
    html = render(chapters(book)[1])
    assert 'href="/chapters/4#failure-modes"' in html
    assert "<h1" not in html  # the title line is the page's own heading, not the body's


def test_headings_get_the_ids_the_links_point_at(book: Path) -> None:
    assert 'id="failure-modes"' in render(chapters(book)[0])
    assert heading_id("Cost at 1K, 10K and 100K turns a day") == "cost-at-1k-10k-and-100k-turns-a-day"


def test_a_chapter_cannot_put_markup_on_the_page(tmp_path: Path) -> None:
    text = "# Chapter 1 — Streaming\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
    html = render(chapters(_write(tmp_path, "01-streaming.md", text).parent)[0])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html  # markdown-it refuses to make it a link; it stays text


def test_tables_render_and_the_generated_markers_do_not_show(tmp_path: Path) -> None:
    text = (
        "# Chapter 2 — Router\n\n## Before and after\n\n<!-- generated:before-after:begin -->\n"
        "| figure | before | after |\n|---|---|---|\n| misroutes | 16 | 13 |\n\n"
        "<!-- generated:before-after:end -->\n"
    )
    html = render(chapters(_write(tmp_path, "02-router.md", text).parent)[0])
    assert "<table>" in html and "<td>16</td>" in html
    assert "generated:" not in html
