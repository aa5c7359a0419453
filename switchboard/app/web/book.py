"""The book as the app shows it: the chapters of docs/chapters, listed and rendered.

A chapter is a markdown file named `NN-slug.md` whose first line is `# Chapter N — Title`.
Rendering is CommonMark with tables and raw HTML switched off, so a chapter's text can never
put markup of its own on the page; links between chapters (`04-rag.md`, `04-rag.md#failure-modes`)
become links to their pages in the app, and headings get ids to link to.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_FILE = re.compile(r"(\d{2})-([a-z0-9-]+)\.md")
_TITLE = re.compile(r"#\s+Chapter\s+(\d+)\s+[—-]+\s+(.+)")
_CHAPTER_LINK = re.compile(r"(?:\./)?(\d{2})-[a-z0-9-]+\.md(#[\w-]*)?")
_GENERATED = re.compile(r"<!-- generated:[a-z-]+:(?:begin|end) -->\n?")


@dataclass(frozen=True)
class Chapter:
    number: int
    slug: str
    title: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def chapters(book_dir: Path) -> list[Chapter]:
    """The chapters in order: every `NN-slug.md` in the folder whose first line names it."""
    found = [_chapter(p) for p in sorted(book_dir.glob("*.md"))] if book_dir.is_dir() else []
    return sorted((c for c in found if c is not None), key=lambda c: c.number)


def _chapter(path: Path) -> Chapter | None:
    named = _FILE.fullmatch(path.name)
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    titled = _TITLE.fullmatch(first.strip())
    if named is None or titled is None:
        return None
    return Chapter(int(titled.group(1)), named.group(2), titled.group(2).strip(), path)


def render(chapter: Chapter) -> Markup:
    """The chapter's body as HTML, its `# Chapter N — Title` line left to the page's own heading."""
    body = _GENERATED.sub("", chapter.text.split("\n", 1)[1] if "\n" in chapter.text else "")
    parser = _parser()
    tokens = parser.parse(body)
    _link_chapters(tokens)
    _anchor_headings(tokens)
    return Markup(parser.renderer.render(tokens, parser.options, {}))  # html is off: the text arrives escaped


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _link_chapters(tokens: list[Token]) -> None:
    """`NN-slug.md#part` → `/chapters/N#part`; every other link is left as written."""
    for token in _inline_children(tokens):
        href = token.attrGet("href") if token.type == "link_open" else None
        matched = _CHAPTER_LINK.fullmatch(str(href)) if href else None
        if matched:
            token.attrSet("href", f"/chapters/{int(matched.group(1))}{matched.group(2) or ''}")


def _anchor_headings(tokens: list[Token]) -> None:
    """An id on each heading, as GitHub makes them: lower case, spaces to hyphens, the rest dropped."""
    for opening, inline in itertools.pairwise(tokens):
        if opening.type == "heading_open":
            opening.attrSet("id", heading_id(inline.content))


def heading_id(text: str) -> str:
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _inline_children(tokens: list[Token]) -> list[Token]:
    return [child for token in tokens if token.type == "inline" for child in token.children or []]
