"""The book's check: every chapter is there, with its sections in order, measured blocks that
parse and name their code version, and only repository paths (and names) that exist.

A generated block left empty (the chapters not measured yet) is an expected failure with its
reason; `switchboard chapters measure` fills it. Anything else wrong fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from switchboard.app.runs.chapter_blocks import block_text, book_block, code_version_of, table_rows
from switchboard.app.runs.chapters import BOOK, SECTIONS, ChapterFile
from switchboard.app.settings import REPO

DOCS = REPO / "docs" / "chapters"
CHAPTERS = [pytest.param(c, id=Path(c.path).name) for c in BOOK]
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
BACKTICKED = re.compile(r"`([^`\n]+)`")
PATH = re.compile(r"^(?P<path>[\w.\-]+(?:/[\w.\-]+)*/?)(?:::(?P<name>\w+(?:\.\w+)*))?$")
TOP_LEVEL = {p.name for p in REPO.iterdir() if not p.name.startswith(".")}


def _text(chapter: ChapterFile) -> str:
    path = REPO / chapter.path
    assert path.exists(), f"{chapter.path} is missing (book.md names it)"
    return path.read_text()


def repository_paths(text: str) -> list[tuple[str, str | None]]:
    """Backticked `path` or `path::Name` outside code fences — alone, or a word of a backticked
    command (`python bench/load.py`) — whose first part is a top-level entry of the repository
    (so `switchboard/...`, `bench/...`, `evals/...`; not metric names or URLs)."""
    found = []
    for span in BACKTICKED.findall(FENCE.sub("", text)):
        for word in span.split():
            match = PATH.match(word.removeprefix("./"))
            if match and "/" in match["path"] and match["path"].split("/")[0] in TOP_LEVEL:
                found.append((match["path"], match["name"]))
    return found


def is_defined(source: str, name: str) -> bool:
    """A class, function or module-level name in the file (the last part of `A.b`: a method)."""
    last = re.escape(name.split(".")[-1])
    pattern = rf"^\s*(?:async\s+def|def|class)\s+{last}\b|^{last}\s*(?::[^=\n]+)?="
    return re.search(pattern, source, re.MULTILINE) is not None


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_has_its_title_and_every_section_in_order(chapter: ChapterFile) -> None:
    text = _text(chapter)
    assert text.startswith(f"# Chapter {chapter.number} — "), f"{chapter.path}: first line is not its title"
    headings = re.findall(r"^## (.+?)\s*$", FENCE.sub("", text), re.MULTILINE)
    assert headings == list(SECTIONS), f"{chapter.path}: sections differ from book.md's"


@pytest.mark.parametrize("block", ["before-after", "cost"])
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_generated_block_is_a_measured_table(chapter: ChapterFile, block: str) -> None:
    body = block_text(_text(chapter), block)
    assert body is not None, f"{chapter.path}: no generated:{block} markers"
    assert body, f"{chapter.path}: the {block} block is empty: run `switchboard chapters measure {chapter.number}`"
    rows = table_rows(body)
    assert rows is not None, f"{chapter.path}: the {block} block holds no table (header, separator, a row)"
    assert code_version_of(body), f"{chapter.path}: the {block} block names no code version"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_path_a_chapter_points_at_exists_and_every_name_is_defined(chapter: ChapterFile) -> None:
    problems = []
    for path, name in repository_paths(_text(chapter)):
        target = REPO / path
        if not target.exists():
            problems.append(f"`{path}` does not exist")
        elif name and not (target.is_file() and is_defined(target.read_text(), name)):
            problems.append(f"`{path}::{name}`: {name} is not defined there")
    assert not problems, f"{chapter.path}: " + "; ".join(problems)


def test_the_readmes_table_of_contents_is_the_one_the_chapters_give() -> None:
    body = block_text((REPO / "README.md").read_text(), "book")
    assert body is not None, "README.md: no generated:book markers"
    assert body, "README.md: the book's table of contents is empty: run `switchboard chapters measure`"
    assert body == book_block(DOCS), "README.md's table of contents has drifted: run `switchboard chapters measure`"


def test_paths_are_found_in_backticks_outside_code_fences() -> None:
    text = (
        "See `switchboard/patterns/circuit_breaker.py::CircuitBreaker`, metric `switchboard_turns_total`,\n"
        "`tests/nowhere.py`, `README.md`, `GET /api/records/<id>` and `python bench/load.py --turns 3`.\n"
        "```bash\n`bench/in_a_fence.py`\n```\n"
    )
    assert repository_paths(text) == [
        ("switchboard/patterns/circuit_breaker.py", "CircuitBreaker"),
        ("tests/nowhere.py", None),
        ("bench/load.py", None),
    ]


def test_a_name_is_defined_as_a_class_a_function_or_a_module_level_name() -> None:
    source = "class Breaker:\n    async def call(self): ...\n\nLIMIT: int = 3\ndef helper(): ...\n"
    assert all(is_defined(source, n) for n in ("Breaker", "Breaker.call", "LIMIT", "helper"))
    assert not is_defined(source, "Missing")
