"""A help-centre article as the page shows it: typed blocks of text, no HTML from the file.

The articles are a small markdown: `#` headings, paragraphs, `- ` lists and `**bold**`.
The template escapes every span, so an article can never put markup on the page.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from switchboard.patterns.chunking import Article

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"(#{1,3})\s+(.*)")
_CITATION = re.compile(r"\[([a-z0-9][a-z0-9._-]*)\]")  # as the recorder reads an answer's sources


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    bold: bool = False


class Block(BaseModel):
    """A heading (h1–h3) or paragraph has one item; a list has one per entry."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["h1", "h2", "h3", "p", "ul"]
    items: list[list[Span]]


class ArticleView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    updated: str
    category: str
    blocks: list[Block]


def article_view(article: Article) -> ArticleView:
    blocks = [b for b in _blocks(article.body.splitlines()) if not (b.kind == "h1" and _plain(b) == article.title)]
    category = article.meta.get("category", "")
    return ArticleView(id=article.id, title=article.title, updated=article.updated, category=category, blocks=blocks)


def spans(text: str) -> list[Span]:
    """`**bold**` runs apart from the plain text around them."""
    parts = _BOLD.split(text)
    return [Span(text=part, bold=i % 2 == 1) for i, part in enumerate(parts) if part]


class Part(BaseModel):
    """A run of an answer's text; `cite` is the article a citation marker names."""

    model_config = ConfigDict(frozen=True)

    text: str
    cite: str | None = None


def cited(text: str, sources: list[str]) -> list[Part]:
    """An answer split at its citation markers (`[returns-policy]`) of the articles it cited."""
    parts: list[Part] = []
    at = 0
    for marker in _CITATION.finditer(text):
        if marker[1] in sources:
            parts += [Part(text=text[at : marker.start()]), Part(text=marker[0], cite=marker[1])]
            at = marker.end()
    return [p for p in [*parts, Part(text=text[at:])] if p.text]


def _blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    for line in [*lines, ""]:
        stripped = line.strip()
        heading = _HEADING.fullmatch(stripped)
        if paragraph and (not stripped or heading or stripped.startswith("- ")):
            blocks.append(Block(kind="p", items=[spans(" ".join(paragraph))]))
            paragraph = []
        if heading:
            blocks.append(Block(kind=f"h{len(heading[1])}", items=[spans(heading[2])]))  # type: ignore[arg-type]
        elif stripped.startswith("- "):
            _list_item(blocks, stripped[2:])
        elif stripped:
            paragraph.append(stripped)
    return blocks


def _list_item(blocks: list[Block], text: str) -> None:
    if blocks and blocks[-1].kind == "ul":
        blocks[-1].items.append(spans(text))
    else:
        blocks.append(Block(kind="ul", items=[spans(text)]))


def _plain(block: Block) -> str:
    return "".join(span.text for item in block.items for span in item)
