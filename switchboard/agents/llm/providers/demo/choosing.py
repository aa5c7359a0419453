"""Which passage statements answer a question: the demo model's reading of the passages it got.

A statement is a prose sentence or a list item of a passage. A list item that is not a sentence
("Cost: $15 per order") is quoted after its section heading ("Express shipping: Cost: $15 per
order."), as a reader needs the heading to know what the item is about.

A statement's score adds, each in [0, 1]:

    meaning    cosine of the statement with the question (and of its whole passage with it)
    words      the share of the question's content words the statement holds, each word
               weighted by its rarity among the statements given, idf = ln((1 + n) / (1 + df)) + 1
    heading    how well its section heading matches the question: Dice of their content words,
               2 |Q ∩ H| / (|Q| + |H|) ("return policy" matches the "Returns policy" section
               better than "Condition of returned items")
    cue        whether it holds what the question asks for: a duration for "how long", an
               amount for "how much", a number for "how many"; for any other question a policy
               cue (a number, a modal or a negation: "can", "must", "isn't")

and subtracts the passage's place in the retrieved list and a little for a very short statement.
A statement that shares a single word with the question (the product's name, "tent") and
nothing else scores low on words, heading and cue, so the section about the question wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from switchboard.agents.embeddings import Embedder
from switchboard.agents.llm.providers.demo.reading import Passage
from switchboard.agents.llm.providers.demo.understanding import keyword_overlap, sentences, stems

_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_HEADING_LINE = re.compile(r"^#+\s*(?P<heading>.+)$")


@dataclass(frozen=True)
class Statement:
    """Something a passage says, as it would be quoted, with where it was found."""

    text: str
    passage: Passage
    heading: str
    rank: int  # the passage's place in the retrieved list, 0 first


@dataclass(frozen=True)
class Weights:
    """How much each part of a statement's score counts (see the module's docstring)."""

    passage: float = 0.5  # share of meaning taken by the whole passage's cosine
    words: float = 0.3
    heading: float = 0.4
    cue: float = 0.3
    rank: float = 0.2
    short_words: int = 6
    short_penalty: float = 0.05


def heading_of(passage: Passage) -> str:
    """The passage's section heading: the part of its title after " — ", else the title."""
    return passage.title.rpartition(" — ")[2].strip()


def statements(found: Sequence[Passage]) -> list[Statement]:
    """Every quotable statement of the passages, in order."""
    return [
        Statement(text, passage, heading, rank)
        for rank, passage in enumerate(found)
        for text, heading in _statements_of(passage)
    ]


def _statements_of(passage: Passage) -> list[tuple[str, str]]:
    """(statement, heading) pairs: sentences of prose lines and list items, the heading being the
    latest `#` line of the text or else the passage's own heading."""
    heading = heading_of(passage)
    found: list[tuple[str, str]] = []
    for line in passage.text.splitlines():
        marked = _HEADING_LINE.match(line.strip())
        if marked:
            heading = marked["heading"].strip()
            continue
        found += [(s, heading) for s in _quotable(line, heading)]
    return found


def _quotable(line: str, heading: str) -> list[str]:
    """A prose line's sentences; a list item that is no sentence, quoted after its heading."""
    if not _ITEM.match(line):  # a passage's own questions ("Ready to send it back?") answer nothing
        return [s for s in sentences(line) if not s.endswith("?")]
    item = _ITEM.sub("", line).replace("**", "").strip()
    if not item or item.endswith((".", "!", "?")):
        return sentences(item)
    if len(item.split()) < 2:
        return []
    return [f"{heading}: {item}." if heading else f"{item}."]


_DURATION = re.compile(
    r"\b\d+(?:\s*[–-]\s*\d+)?\s*(?:business\s+|working\s+|calendar\s+)?(?:day|week|month|year|hour|minute)s?\b"
    r"|\b(?:same|next)\s+(?:business\s+)?day\b|\bimmediately\b|\bstraight away\b",
    re.I,
)
_MONEY = re.compile(r"[$£€]\s?\d|\b\d+(?:\.\d+)?\s*(?:dollars|usd|%)|\bfree\b", re.I)
_NUMBER = re.compile(r"\b\d+\b")
_POLICY = re.compile(
    r"\b\d+\b|\b(?:can|cannot|can't|must|may|will|won't|only|never|always|not|isn't|aren't|don't|doesn't)\b"
    r"|\b(?:eligible|covered|free|required|within|up to)\b",
    re.I,
)
_WANTS = (
    (
        re.compile(r"\bhow (?:long|soon|fast|quickly)\b|\bwhen\b|\bhow many (?:days|weeks|months|years|hours)\b", re.I),
        _DURATION,
    ),
    (re.compile(r"\bhow much\b|\bcosts?\b|\bprices?\b|\bfees?\b|\bamounts?\b|\bcharge\b|[$£€]\d", re.I), _MONEY),
    (re.compile(r"\bhow many\b", re.I), _NUMBER),
)


def wanted(question: str) -> re.Pattern[str] | None:
    """The kind of fact the question asks for (a duration, an amount, a number), if any."""
    return next((kind for asks, kind in _WANTS if asks.search(question)), None)


def cue_scores(question: str, texts: Sequence[str], general: float = 1 / 3) -> np.ndarray:
    """1 where a statement holds the kind of fact the question asks for; for a question that
    asks for no particular kind, `general` where it states a rule (a policy cue); else 0."""
    kind = wanted(question)
    if kind is not None:
        return np.array([bool(kind.search(t)) for t in texts], dtype=np.float32)
    return np.array([bool(_POLICY.search(t)) for t in texts], dtype=np.float32) * general


def heading_scores(question: str, headings: Sequence[str]) -> np.ndarray:
    """Dice overlap of each heading's content words with the question's."""
    asked = stems(question)
    scores = []
    for heading in headings:
        said = stems(heading)
        both = len(asked) + len(said)
        scores.append(2 * len(asked & said) / both if both else 0.0)
    return np.array(scores, dtype=np.float32)


def scores(
    embedder: Embedder, question: str, said: Sequence[Statement], weights: Weights = Weights()
) -> tuple[np.ndarray, np.ndarray]:
    """Each statement's score, and how close in meaning it is to the question: the better of its
    own cosine and its whole passage's (a sentence of the section about the question is relevant
    even when its own words differ, "send it back" for "return")."""
    found = list(dict.fromkeys(s.passage for s in said))
    vectors = embedder.embed([question, *(s.text for s in said)])
    whole = dict(zip(found, embedder.embed([p.text for p in found]) @ vectors[0], strict=True))
    own = vectors[1:] @ vectors[0]
    context = np.array([whole[s.passage] for s in said], dtype=np.float32)
    texts = [s.text for s in said]
    total = own * (1 - weights.passage) + context * weights.passage
    total += keyword_overlap(question, texts) * weights.words
    total += heading_scores(question, [s.heading for s in said]) * weights.heading
    total += cue_scores(question, texts) * weights.cue
    total -= np.array([s.rank for s in said], dtype=np.float32) / max(len(found), 1) * weights.rank
    total -= np.array([len(t.split()) < weights.short_words for t in texts]) * weights.short_penalty
    return total, np.maximum(own, context)
