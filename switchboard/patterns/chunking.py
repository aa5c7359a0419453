"""Chunking strategies for markdown articles: what gets embedded, and what the model is shown.

A chunk's `text` is what is embedded and keyword-indexed; its `passage` (when set) is what a
search returns instead — "retrieve small, answer from the larger unit". Four strategies, each a
pure function `Article -> list[Chunk]`, chosen by name with `chunker(name)`:

- `heading` (`chunk_article`): each `##` section is a chunk, prefixed with the article title and
  the section heading (which carry much of the meaning a short section leaves implicit); a
  section longer than `max_chars` is split at paragraph boundaries.
- `fixed`: windows of `size` characters, each starting `size − overlap` after the last, cut at
  the nearest space, across section boundaries; prefixed with the title only. The naive baseline.
- `sentence`: one chunk per sentence (title and heading prefixed), returning the sentence with
  its `window` neighbours either side in the same section (sentence-window retrieval).
- `parent`: one chunk per sentence for matching, returning the whole section it belongs to
  (parent-document retrieval); `parent` names the section so a search can return it once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

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
    passage: str = ""  # what a search returns; "" means the text without its title line
    parent: str = ""  # the unit `passage` comes from ("<article id>#s<n>"); "" means the chunk itself


Chunker = Callable[[Article], list[Chunk]]
STRATEGIES = ("heading", "fixed", "sentence", "parent")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*\[(\"'])")


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


def chunker(name: str) -> Chunker:
    """The strategy called `name` (one of STRATEGIES) with its default sizes."""
    chosen: dict[str, Chunker] = {
        "heading": chunk_article,
        "fixed": chunk_fixed,
        "sentence": chunk_sentences,
        "parent": chunk_parent,
    }
    if name not in chosen:
        raise ValueError(f"unknown chunking strategy {name!r} (known: {', '.join(STRATEGIES)})")
    return chosen[name]


def chunk_fixed(article: Article, size: int = 600, overlap: int = 150) -> list[Chunk]:
    """Windows of about `size` characters overlapping by `overlap`, blind to headings (whose
    markdown marks are dropped): the classic baseline the other strategies are measured against."""
    flat = " ".join(text for _, text in _sections(article.body)).replace("\n", " ")
    starts = range(0, max(len(flat) - overlap, 1), size - overlap)
    windows = [_cut_at_spaces(flat, start, size) for start in starts]
    return [
        Chunk(f"{article.id}#{n}", article.id, article.title, "", f"{article.title}\n{text}")
        for n, text in enumerate(w for w in windows if w)
    ]


def _cut_at_spaces(text: str, start: int, size: int) -> str:
    """text[start:start+size] widened to whole words at both ends."""
    begin = text.rfind(" ", 0, start) + 1 if start else 0
    end = text.find(" ", start + size)
    return text[begin : end if end >= 0 else len(text)].strip()


def sentences(text: str) -> list[str]:
    """Split after . ! or ? followed by space and a capital, digit or opening mark; list items
    and paragraphs (blank-line or newline separated) are sentences of their own."""
    lines = [line.strip(" -*") for line in text.splitlines() if line.strip(" -*")]
    return [s.strip() for line in lines for s in _SENTENCE_END.split(line) if s.strip()]


def chunk_sentences(article: Article, window: int = 2) -> list[Chunk]:
    """Each sentence is embedded alone (with the title line) and returned with up to `window`
    sentences either side from its own section."""
    chunks: list[Chunk] = []
    for heading, text in _sections(article.body):
        said = sentences(text)
        for i, sentence in enumerate(said):
            passage = " ".join(said[max(0, i - window) : i + window + 1])
            chunks.append(_small(article, len(chunks), heading, sentence, passage, ""))
    return chunks


def chunk_parent(article: Article) -> list[Chunk]:
    """Each sentence is embedded alone (with the title line); a hit returns its whole section."""
    chunks: list[Chunk] = []
    for n, (heading, text) in enumerate(_sections(article.body)):
        parent = f"{article.id}#s{n}"
        chunks += [_small(article, len(chunks) + i, heading, s, text, parent) for i, s in enumerate(sentences(text))]
    return chunks


def _small(article: Article, n: int, heading: str, sentence: str, passage: str, parent: str) -> Chunk:
    chunk = Chunk(f"{article.id}#{n}", article.id, article.title, heading, _prefixed(article, heading, sentence))
    return replace(chunk, passage=passage, parent=parent)
