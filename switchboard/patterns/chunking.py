"""Heading-aware chunking of markdown articles.

Naive fixed-size chunks cut sentences in half and mix topics, so a retrieved chunk answers
half a question. Here each `##` section is a chunk, prefixed with the article title and the
section heading (which carry much of the meaning a short section leaves implicit). A section
longer than `max_chars` is split at paragraph boundaries.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_FRONT_MATTER = re.compile(r"\A---\n(?P<header>.*?)\n---\n(?P<body>.*)\Z", re.S)
_SECTION = re.compile(r"^## +(?P<heading>.+)$", re.M)


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    updated: str
    body: str
    meta: dict[str, str]

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.title}\n{self.body}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Chunk:
    id: str  # "<article id>#<n>"
    article_id: str
    title: str
    heading: str
    text: str


class ArticleFormatError(ValueError):
    pass


def parse_article(raw: str, fallback_id: str) -> Article:
    """Front matter (`id`, `title`, `updated`, any other `key: value`) then markdown."""
    match = _FRONT_MATTER.match(raw.replace("\r\n", "\n"))
    if match is None:
        meta, body = {}, raw
    else:
        meta = _parse_header(match["header"])
        body = match["body"]
    title = meta.get("title") or _first_heading(body) or fallback_id
    return Article(meta.get("id", fallback_id), title, meta.get("updated", ""), body.strip(), meta)


def _parse_header(header: str) -> dict[str, str]:
    meta = {}
    for line in header.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip()] = value.strip().strip("\"'")
    return meta


def _first_heading(body: str) -> str | None:
    match = re.search(r"^# +(.+)$", body, re.M)
    return match[1].strip() if match else None


def chunk_article(article: Article, max_chars: int = 1200) -> list[Chunk]:
    sections = _sections(article.body)
    pieces = [(h, p) for h, text in sections for p in _split_long(text, max_chars)]
    return [
        Chunk(
            f"{article.id}#{n}",
            article.id,
            article.title,
            heading,
            _prefixed(article, heading, text),
        )
        for n, (heading, text) in enumerate(pieces)
    ]


def _sections(body: str) -> list[tuple[str, str]]:
    """(heading, text) for the lead (before any `##`) and each `##` section."""
    body = re.sub(r"^# .+$", "", body, count=1, flags=re.M)
    marks = list(_SECTION.finditer(body))
    lead = body[: marks[0].start()] if marks else body
    sections = [("", lead.strip())] if lead.strip() else []
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(body)
        sections.append((mark["heading"].strip(), body[mark.end() : end].strip()))
    return [(h, t) for h, t in sections if t]


def _split_long(text: str, max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    pieces, current = [], ""
    for paragraph in text.split("\n\n"):
        if current and len(current) + len(paragraph) > max_chars:
            pieces.append(current.strip())
            current = ""
        current += paragraph + "\n\n"
    return [*pieces, current.strip()] if current.strip() else pieces


def _prefixed(article: Article, heading: str, text: str) -> str:
    return f"{article.title} — {heading}\n{text}" if heading else f"{article.title}\n{text}"
