"""A semantic answer cache's decisions: serve a stored answer again only to a question that means
the same thing, asked by someone the answer fits, while what it cited is still current.

A lookup goes cheapest first:

    1. exact     the normalised question text, within the scope          -> hit ("exact")
    2. nearest   the closest stored question within the scope, if
                 cosine(query, stored) >= threshold                       -> candidate
    3. verify    the candidate must name the same things as the query:
                 the same order numbers, other numbers, catalogue terms
                 (products, places, carriers) and the same negation;
                 and, when the caller can search the help centre, the
                 query's best articles must be the ones the stored
                 answer was grounded in                                    -> hit ("semantic")
                                                                             or rejected

Step 3 exists because embeddings are close for questions one digit apart: "where is order
10057?" and "where is order 10058?" sit at a cosine near 0.98 and have different answers. A
candidate that fails it is *rejected* and recorded as such: a rejection is the check working.
Candidates are verified closest first and the first that passes is served, so a wrong nearest
neighbour does not hide a right one just behind it.

Retrieval agreement. What a help-centre answer says is decided by the passages retrieved for its
question, so the retriever is a second, independent judge of "means the same": two questions
whose searches lead to different articles would get different answers, however close their
embeddings. Given the query's `Evidence` (the article of each of its top passages, best first),
a candidate is served only when the query's best passage is from an article the stored answer
cited (or, for an answer that cited nothing, such as one about an order, the article its own
question's search led to when stored: its `grounds`), and at least `support` of the query's top
passages come from it, as do `support` of the stored question's. That last part asks both
searches to be decided: a question whose passages are split between two articles ("do big
refunds need someone to sign off?": refund timing, then refund approval) is one the retriever
cannot vouch for, and a near neighbour is not served on its word.

Passage agreement. An answer rests on sections, not on whole articles: two questions about one
article ("how long is the return window?", "who pays for return shipping?") usually retrieve
different sections of it and have different answers. With `overlap` set, the query's top passages
(chunk ids) and the stored question's must overlap by at least that Jaccard,
|Q ∩ S| / |Q ∪ S|. Where this check judges a pair, the retriever has already said both questions
rest on the same text, so `terms="nested"` lets one of them name a catalogue term the other
leaves out ("the jacket" against "gear"); two questions that each name a term the other lacks
are still different, and order numbers, other numbers and negation are always compared exactly.

Margin. With `margin` set, the best candidate that passes the checks is served only if it
out-scores, by `margin`, every other passing candidate whose answer differs: when two stored
questions with different answers both pass and are about as close, neither the embedding nor the
checks have decided between them, and the cache does not guess.

Intent agreement. When the caller can also say which specialist a question goes to (its route:
orders, account, knowledge), a candidate stored under another route is rejected: "what's my
rewards balance?" and "how do reward points work?" are neighbours, one about the customer's
account and one about the programme. Without evidence (`None`) only the entity check runs.
"""

from __future__ import annotations

import math
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
    grounds: tuple[str, ...] = ()  # the chunk id of each passage its question retrieved when stored, best first
    intent: str | None = None  # its question's route when stored, if the cache was told


@dataclass(frozen=True)
class Evidence:
    """What the app's own components say about a question, for the agreement checks."""

    passages: tuple[str, ...] | None = None  # each top passage's chunk id (`<article>#<n>`), best first
    intent: str | None = None  # the route the router would choose


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


TermRule = Literal["equal", "nested"]


@dataclass(frozen=True)
class CachePolicy:
    threshold: float = 0.9
    ttl_s: float = 24 * 3600.0
    support: int = 3  # of the top passages, how many must come from the agreed article, on both sides
    overlap: float = 0.0  # least Jaccard of the two searches' top passages (chunks); 0: articles only
    terms: TermRule = "equal"  # "nested": one question may name catalogue terms the other leaves out
    margin: float = 0.0  # how far the served candidate must out-score any with a different answer


# With retrieval agreement guarding it, the embedding only has to say "related": tuned on the
# development sets by bench/cache_sweep.py with the onnx embedder (see its table in the README).
# Overlap 1/3 (at least 2 of the 4 best chunks shared) cost no right hit there; relaxing terms
# ("nested") gained some and served near misses, so terms stay "equal".
VERIFIED = CachePolicy(threshold=0.4, support=3, overlap=1 / 3)


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


def mismatch(query: Entities, stored: Entities, terms: TermRule = "equal") -> str | None:
    """Why two questions cannot share an answer, or None when they name the same things. Under
    `terms="nested"` one question may name catalogue terms the other does not mention ("the
    jacket" against "gear"), but never one the other contradicts (each naming a term the other
    lacks: "boots" against "a tent"); orders, numbers and negation are always compared exactly."""
    for what in ("orders", "numbers"):
        if getattr(query, what) != getattr(stored, what):
            return f"{what} differ"
    if not terms_agree(query.terms, stored.terms, terms):
        return "terms differ"
    return "negated differ" if query.negated != stored.negated else None


def terms_agree(query: frozenset[str], stored: frozenset[str], rule: TermRule) -> bool:
    return query == stored if rule == "equal" else query <= stored or stored <= query


def article_of(passage: str) -> str:
    """A passage's article: chunk ids are `<article>#<n>`; an id without `#` names the article."""
    return passage.partition("#")[0]


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    """|A ∩ B| / |A ∪ B| of two searches' passages as sets; 0 when both are empty."""
    union = set(a) | set(b)
    return len(set(a) & set(b)) / len(union) if union else 0.0


def is_fresh(entry: Entry, now: float, ttl_s: float, kb_versions: Mapping[str, str]) -> bool:
    if now - entry.stored_at > ttl_s:
        return False
    return all(kb_versions.get(article) == version for article, version in entry.cited.items())


def disagreement(evidence: Evidence | None, entry: Entry, policy: CachePolicy) -> str | None:
    """Why the app's retriever or router says the two questions have different answers, or None
    when they agree (or were not asked)."""
    if evidence is None:
        return None
    if evidence.intent is not None and entry.intent is not None and evidence.intent != entry.intent:
        return "intents differ"
    return _passages_disagree(evidence.passages, entry, policy)


def _passages_disagree(passages: Sequence[str] | None, entry: Entry, policy: CachePolicy) -> str | None:
    agreed = {article_of(a) for a in entry.cited} or {article_of(g) for g in entry.grounds[:1]}
    if passages is None or not agreed:
        return None  # no retriever, or an entry stored without one: nothing to compare
    articles, grounds = [article_of(p) for p in passages], [article_of(g) for g in entry.grounds]
    if not articles or articles[0] not in agreed:
        return "articles differ"
    stored_side = sum(a in agreed for a in grounds) if grounds else policy.support
    if min(sum(a in agreed for a in articles), stored_side) < policy.support:
        return "search undecided"
    if policy.overlap and entry.grounds and jaccard(passages, entry.grounds) < policy.overlap:
        return "passages differ"
    return None


def vouched(evidence: Evidence | None, entry: Entry, policy: CachePolicy) -> bool:
    """Whether passage-level agreement judges this pair: only then may terms be relaxed."""
    return bool(policy.overlap and evidence and evidence.passages is not None and entry.grounds)


def verify(query: Entities, evidence: Evidence | None, entry: Entry, policy: CachePolicy) -> str | None:
    """Why a candidate may not be served to the query, or None when it may. Terms are relaxed
    (`policy.terms`) only where the passages both searches found are compared too."""
    terms = policy.terms if vouched(evidence, entry, policy) else "equal"
    return mismatch(query, entry.entities, terms) or disagreement(evidence, entry, policy)


def rival_gap(served: Entry, similarity: float, candidates: Sequence[tuple[Entry, float]]) -> float:
    """similarity(served) - the highest similarity among `candidates` whose answer differs from
    the served one's (infinite when none does)."""
    rivals = [s for e, s in candidates if e.answer != served.answer]
    return similarity - max(rivals) if rivals else math.inf


def choose(
    query: Entities,
    candidates: Sequence[tuple[Entry, float]],
    policy: CachePolicy,
    now: float,
    kb_versions: Mapping[str, str],
    evidence: Evidence | None = None,
) -> Outcome:
    """The semantic step: the most similar fresh candidate at or above the threshold that names
    the same things as the query and that the `evidence` about the query agrees with.
    `candidates` are (entry, cosine) from the index, already within the query's scope. When none
    passes, the closest one's reason is the rejection's."""
    fresh = [(e, s) for e, s in candidates if is_fresh(e, now, policy.ttl_s, kb_versions)]
    if not fresh:
        return Miss()
    ranked = sorted(fresh, key=lambda pair: pair[1], reverse=True)
    close = [(e, s) for e, s in ranked if s >= policy.threshold]
    if not close:
        return Miss(ranked[0][1])
    reasons = [(verify(query, evidence, e, policy), e, s) for e, s in close]
    passed = [(e, s) for reason, e, s in reasons if reason is None]
    if not passed:
        return Rejected(str(reasons[0][0]), close[0][1])
    if policy.margin and rival_gap(*passed[0], passed) < policy.margin:
        return Rejected("no margin", close[0][1])
    return Hit(passed[0][0], "semantic", passed[0][1])
