"""Hybrid search: keyword scores (BM25) fused with vector ranks.

Vector search finds paraphrases but blurs the one word that matters ("*return* a tent" lands
on tent care); keyword search finds that word but misses paraphrases. Reciprocal rank fusion
combines the two rankings without calibrating their scores against each other:

    fused(d) = Σ over rankings r of 1 / (k + rank_r(d)),   rank starting at 1, k = 60

BM25 scores a document d for query terms q (each distinct query term counted once):

    Σ_q idf(q) · tf(q, d) / (tf(q, d) + k1 · (1 − b + b · |d| / avgdl)),   k1 = 1.5, b = 0.75
    idf(q) = ln(1 + (N − n(q) + 0.5) / (n(q) + 0.5))

This is bm25s's "lucene" variant (its default; Kamphuis et al., ECIR 2020): the Okapi formula
without the constant (k1 + 1) factor in the numerator, which scales every score alike and so
changes no ranking. bm25s computes each (term, document) score once, when the index is built,
into a sparse term-by-document matrix; a query then only adds up the columns of its terms, so a
search costs the postings of its words rather than a pass over every document in Python.
Tokens are this module's own `terms()` (the same stop words and crude stemming as the rest of
the app), not bm25s's tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import bm25s
import numpy as np
import numpy.typing as npt

_STOP = frozenset(
    "a an and are as at be by can could do does for from has have how i if in is it its me my "
    "no not of on or our so than that the their them then there these this to was we were what "
    "when where which who why will with would you your".split()
)


def terms(text: str) -> list[str]:
    """Lower-cased words without stop words, crudely stemmed ("returns" → "return")."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [_stem(w) for w in words if w not in _STOP and len(w) > 1]


def _stem(word: str) -> str:
    """One suffix off: -ing, -ed, -es or -s; a word that is all suffix stays whole. (String tests
    rather than a regular expression per word: building a 10,000-chunk index spends most of its
    time here.)"""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix):
            return word[: -len(suffix)] or word
    return word


class BM25Index:
    """Keyword search over a fixed set of documents; build a new one when they change."""

    def __init__(self, documents: Mapping[str, str], k1: float = 1.5, b: float = 0.75) -> None:
        # Sorted ids: ties then break the same way on every build (the later id first).
        self._ids = sorted(documents)
        self._bm25 = bm25s.BM25(k1=k1, b=b, method="lucene", dtype="float64")
        tokens = [terms(documents[i]) for i in self._ids]
        if any(tokens):  # bm25s cannot index a corpus without a single word
            self._bm25.index(tokens, show_progress=False)

    def search(self, query: str, limit: int) -> list[str]:
        """Up to `limit` ids, best first; only documents sharing a word with the query."""
        wanted = self._known(query)
        if not wanted or limit <= 0:
            return []
        scores = self._bm25.get_scores(wanted)
        return [self._ids[i] for i in _top(scores, limit)]

    def _known(self, query: str) -> list[str]:
        """The query's distinct terms that occur in some document (bm25s needs them known)."""
        vocab = getattr(self._bm25, "vocab_dict", {})
        return [t for t in dict.fromkeys(terms(query)) if t in vocab and t != ""]


def _top(scores: npt.NDArray[np.float64], limit: int) -> list[int]:
    """Positions of the `limit` highest positive scores, highest first, ties to the later position."""
    hits = np.flatnonzero(scores > 0)
    if len(hits) > limit:  # keep the limit-th best score and all tied with it, then sort just those
        cut = np.partition(scores[hits], len(hits) - limit)[len(hits) - limit]
        hits = hits[scores[hits] >= cut]
    order = np.lexsort((-hits, -scores[hits]))[:limit]
    return [int(i) for i in hits[order]]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> list[str]:
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1 / (k + rank)
    return sorted(fused, key=lambda d: -fused[d])
