"""The demo model's sense of meaning: embedding similarity and splitting multi-part requests."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from switchboard.agents.embeddings import Embedder
from switchboard.patterns.hybrid_search import terms

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_PART_BREAK = re.compile(
    r"\?\s+|;\s+|\.\s+(?=\w)|,?\s+(?:and also|also|plus)\s+"
    r"|,?\s+and\s+(?=(?:how|when|what|where|why|can|could|do|does|is|are|will|would|i|my)\b)",
    re.I,
)
_FOLLOW_UP = re.compile(r"^(and|also|what about|how about|so|then)\b|\b(it|that|this|they|them)\b", re.I)


def similarities(embedder: Embedder, query: str, candidates: Sequence[str]) -> np.ndarray:
    """Cosine similarity of the query to each candidate (vectors are unit length)."""
    if not candidates:
        return np.zeros(0, dtype=np.float32)
    vectors = embedder.embed([query, *candidates])
    scores: np.ndarray = vectors[1:] @ vectors[0]
    return scores


def split_parts(text: str) -> list[str]:
    """Split "where is my order and how do I return a tent?" into its separate questions."""
    parts = [p.strip(" ,?.!") for p in _PART_BREAK.split(text)]
    return [p for p in parts if len(p.split()) >= 2] or [text.strip()]


_HOW_TO = re.compile(
    r"(?:^|[,;.!?]\s*)(how (do|does|can|should|long|much|often)|what (does|do|is|are|happens|if|should)|why|"
    r"can i|could i|do you|does|is there|are there|will my|if i"
    # whether something is allowed or normal, what a thing means, what to do next, who does what
    r"|is (?:it|that|this) (?:ok|okay|normal|safe|allowed|possible|fine)|at what point|who(?:'s| is| does)"
    r"|what(?:'s| is) the difference|what now|what should i do|what can i (?:check|do)|any (?:tips|tricks|advice)"
    r"|walk me through|tell me how|explain"
    r"|are you|is your|what's your)\b",  # about the shop itself: "is your chat open on Sundays?"
    re.I,
)


def asks_how_things_work(text: str) -> bool:
    """A question about how things work ("what does processing mean?"), not a request to act."""
    return bool(_HOW_TO.search(text.strip()))


def is_follow_up(text: str) -> bool:
    """A short message leaning on what came before ("and when will it arrive?")."""
    return len(text.split()) <= 9 and bool(_FOLLOW_UP.search(text))


def sentences(text: str) -> list[str]:
    """Prose sentences of a passage; headings and title lines are left out."""
    found: list[str] = []
    for raw in text.splitlines():
        line = raw.replace("**", "").strip(" -*\t")
        if not line or line.startswith("#") or _is_heading(line):
            continue
        found.extend(s.strip() for s in _SENTENCE_END.split(line) if len(s.split()) >= 3)
    return found


def _is_heading(line: str) -> bool:
    return not line.endswith((".", "!", "?", ":", ")")) and len(line.split()) < 20


_ACTION = re.compile(r"\b(?:how (?:do|can|should) i|can i|how to|want to|need to)\s+(\w+)", re.I)


_STEM_LETTERS = 5  # "delete", "deleting", "deletion" → "delet"; "covered", "coverage" → "cover"


def stems(text: str) -> set[str]:
    """Content words, crudely stemmed: suffixes off, then cut to their first five letters, so a
    word's forms meet ("returns", "returned" → "retur"; "deletion", "deleting" → "delet")."""
    return {word[:_STEM_LETTERS] for word in terms(text)}


def keyword_overlap(question: str, candidates: Sequence[str]) -> np.ndarray:
    """Share of the question's words each candidate contains, rarer words counting more."""
    wanted = stems(question)
    bags = [stems(c) for c in candidates]
    if not wanted or not bags:
        return np.zeros(len(candidates), dtype=np.float32)
    weight = {w: np.log((1 + len(bags)) / (1 + sum(w in b for b in bags))) + 1 for w in wanted}
    for word in stems(" ".join(_ACTION.findall(question))) & wanted:
        weight[word] *= 2  # "how do I *return* a tent": the action is what they ask about
    total = sum(weight.values())
    return np.array([sum(weight[w] for w in wanted & b) / total for b in bags], dtype=np.float32)
