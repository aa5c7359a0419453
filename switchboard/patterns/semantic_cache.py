"""A semantic answer cache's decisions: serve a stored answer again only to a question that means
the same thing, asked by someone the answer fits, while what it cited is still current.

A lookup goes cheapest first:

    1. exact     the normalised question text, within the scope          -> hit ("exact")
    2. nearest   the closest stored question within the scope, if
                 cosine(query, stored) >= threshold                       -> candidate
    3. verify    the candidate must name the same things as the query:
                 the same order numbers, other numbers, catalogue terms
                 (products, places, carriers) and the same negation       -> hit ("semantic")
                                                                             or rejected

Step 3 exists because embeddings are close for questions one digit apart: "where is order
10057?" and "where is order 10058?" sit at a cosine near 0.98 and have different answers. A
candidate that fails it is *rejected* and recorded as such: a rejection is the check working.

Scope. An entry is only ever found under the scope it was stored with: (tenant, model, prompt
version, owner). The owner is the customer when the answer used that customer's data (an order,
the account) and `SHARED` when it used nothing personal; which applies is the caller's policy,
decided from what the turn touched, never from the text.

Freshness. An entry lives `ttl_s` seconds, and an entry citing a help-centre article at version v
is stale once that article's version is no longer v (it was re-ingested or removed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from switchboard.patterns.order_numbers import order_numbers_in

SHARED = "*"  # the owner of an answer that used nothing personal: any customer of the tenant
NEGATIONS = frozenset({"not", "no", "never", "without", "dont", "didnt", "doesnt", "cant", "wont", "isnt", "unused"})
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Scope:
    tenant: str
    model: str
    prompt_version: str
    owner: str = SHARED

    def key(self) -> str:
        return f"{self.tenant}|{self.model}|{self.prompt_version}|{self.owner}"


@dataclass(frozen=True)
class Entities:
    """What a question names, for telling near neighbours apart."""

    orders: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    terms: frozenset[str] = frozenset()
    negated: bool = False


@dataclass(frozen=True)
class Entry:
    question: str
    answer: str
    scope: Scope
    stored_at: float
    entities: Entities = Entities()
    cited: Mapping[str, str] = field(default_factory=dict)  # article id -> its version when stored


@dataclass(frozen=True)
class Hit:
    entry: Entry
    how: Literal["exact", "semantic"]
    similarity: float


@dataclass(frozen=True)
class Rejected:
    reason: str
    similarity: float


@dataclass(frozen=True)
class Miss:
    best_similarity: float | None = None


Outcome = Hit | Rejected | Miss


@dataclass(frozen=True)
class CachePolicy:
    threshold: float = 0.9
    ttl_s: float = 24 * 3600.0


def normalise(question: str) -> str:
    """The exact-match key: case, punctuation and spacing ignored."""
    return " ".join(_WORD.findall(question.lower()))


def stem(word: str) -> str:
    """Plural and singular alike: "boots" is "boot", "boxes" is "box" (enough for nouns)."""
    if word.endswith("es") and word[:-2].endswith(("s", "x", "ch", "sh")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def words_of(text: str) -> set[str]:
    """Lower-case words, stemmed, apostrophes dropped ("don't" is "dont")."""
    return {stem(w) for w in _WORD.findall(text.lower().replace("'", "").replace("\u2019", ""))}


def entities_of(question: str, vocabulary: frozenset[str]) -> Entities:
    """The order numbers, other numbers, catalogue terms (`vocabulary`: stemmed words) and
    negation a question contains."""
    lowered = question.lower()
    words = words_of(question)
    orders = frozenset(order_numbers_in(question))
    numbers = frozenset(_NUMBER.findall(lowered)) - orders
    return Entities(orders, numbers, frozenset(words & vocabulary), bool(words & NEGATIONS))


def mismatch(query: Entities, stored: Entities) -> str | None:
    """Why two questions cannot share an answer, or None when they name the same things."""
    for what in ("orders", "numbers", "terms", "negated"):
        if getattr(query, what) != getattr(stored, what):
            return f"{what} differ"
    return None


def is_fresh(entry: Entry, now: float, ttl_s: float, kb_versions: Mapping[str, str]) -> bool:
    if now - entry.stored_at > ttl_s:
        return False
    return all(kb_versions.get(article) == version for article, version in entry.cited.items())


def choose(
    query: Entities,
    candidates: Sequence[tuple[Entry, float]],
    policy: CachePolicy,
    now: float,
    kb_versions: Mapping[str, str],
) -> Outcome:
    """The semantic step: the most similar fresh candidate at or above the threshold, if it
    names the same things as the query. `candidates` are (entry, cosine) from the index, already
    within the query's scope."""
    fresh = [(e, s) for e, s in candidates if is_fresh(e, now, policy.ttl_s, kb_versions)]
    if not fresh:
        return Miss()
    entry, similarity = max(fresh, key=lambda pair: pair[1])
    if similarity < policy.threshold:
        return Miss(similarity)
    reason = mismatch(query, entry.entities)
    return Rejected(reason, similarity) if reason else Hit(entry, "semantic", similarity)
