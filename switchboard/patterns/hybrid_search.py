"""Hybrid search: keyword scores (BM25) fused with vector ranks.

Vector search finds paraphrases but blurs the one word that matters ("*return* a tent" lands
on tent care); keyword search finds that word but misses paraphrases. Reciprocal rank fusion
combines the two rankings without calibrating their scores against each other:

    fused(d) = Σ over rankings r of 1 / (k + rank_r(d)),   rank starting at 1, k = 60

BM25 scores a document d for query terms q:

    Σ_q idf(q) · tf(q, d) · (k1 + 1) / (tf(q, d) + k1 · (1 − b + b · |d| / avgdl))
    idf(q) = ln(1 + (N − n(q) + 0.5) / (n(q) + 0.5))
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

_STOP = frozenset(
    "a an and are as at be by can could do does for from has have how i if in is it its me my "
    "no not of on or our so than that the their them then there these this to was we were what "
    "when where which who why will with would you your".split()
)


def terms(text: str) -> list[str]:
    """Lower-cased words without stop words, crudely stemmed ("returns" → "return")."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [re.sub(r"(ing|ed|es|s)$", "", w) or w for w in words if w not in _STOP and len(w) > 1]


class BM25Index:
    def __init__(self, documents: Mapping[str, str], k1: float = 1.5, b: float = 0.75) -> None:
        self._k1, self._b = k1, b
        self._tf = {doc_id: Counter(terms(text)) for doc_id, text in documents.items()}
        self._length = {doc_id: sum(tf.values()) for doc_id, tf in self._tf.items()}
        self._avg = sum(self._length.values()) / max(len(self._length), 1)
        containing = Counter(term for tf in self._tf.values() for term in tf)
        n = len(self._tf)
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in containing.items()}

    def search(self, query: str, limit: int) -> list[str]:
        wanted = set(terms(query))
        scored = [(self._score(doc_id, wanted), doc_id) for doc_id in self._tf]
        return [doc_id for score, doc_id in sorted(scored, reverse=True)[:limit] if score > 0]

    def _score(self, doc_id: str, wanted: set[str]) -> float:
        tf, norm = self._tf[doc_id], self._length[doc_id] / (self._avg or 1)
        return sum(
            self._idf[t] * tf[t] * (self._k1 + 1) / (tf[t] + self._k1 * (1 - self._b + self._b * norm))
            for t in wanted
            if t in tf
        )


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> list[str]:
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1 / (k + rank)
    return sorted(fused, key=lambda d: -fused[d])
