"""Reranking: the first stage's candidate passages rescored with evidence it could not use.

The first stage (vector search, maybe fused with BM25) matches the question against small
chunks — one sentence, one section — so a sentence that shares the question's words but not its
intent ("pitching a tent in your living room is fine", for a question about returning tents) can
outrank the section that answers it. No cross-encoder ships offline here, so the second stage is
a lexical-semantic mix over the top N candidates, each looked at whole ("Title — Heading" and
its full passage text):

    score(p) = w_cos · cos(q, p) + w_kw · bm25(q, p) / max_p' bm25(q, p') + w_rank · 1 / rank₁(p)

    cos(q, p)  the knowledge base's embedder's cosine of the question and the whole passage
    bm25(q, p) BM25 over the N candidates only (idf from them, k1 = 1.2, b = 0.75, the question's
               distinct `hybrid_search.terms` once each), divided by the best candidate's (0 if none)
    rank₁(p)   the passage's 1-based rank in the first stage: a prior that keeps its order when the
               other evidence is even

The weights (w_cos = w_kw = w_rank = 1) were tuned on the 74 labelled development questions
(evals/datasets/kb_retrieval.jsonl), by a grid over 0–2 for every strategy and embedder at once;
the overlap of the heading with the question's content words was tried as a fourth term and
tuned to weight 0, so it is not here. Ties keep the first stage's order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from switchboard.patterns.hybrid_search import terms

K1, B = 1.2, 0.75


@dataclass(frozen=True)
class RerankWeights:
    cosine: float = 1.0
    keywords: float = 1.0
    first_rank: float = 1.0


def bm25_scores(question: str, texts: Sequence[str], k1: float = K1, b: float = B) -> list[float]:
    """Each text's BM25 for the question, the texts themselves being the corpus (formula above)."""
    docs = [terms(t) for t in texts]
    if not docs:
        return []
    average = sum(map(len, docs)) / len(docs) or 1.0
    wanted = set(terms(question))
    idf = {q: _idf(len(docs), sum(q in d for d in docs)) for q in wanted}
    return [sum(_term(d.count(q), idf[q], len(d) / average, k1, b) for q in wanted) for d in docs]


def _idf(n_docs: int, having: int) -> float:
    return math.log(1 + (n_docs - having + 0.5) / (having + 0.5))


def _term(tf: int, idf: float, relative_length: float, k1: float, b: float) -> float:
    return idf * tf / (tf + k1 * (1 - b + b * relative_length)) if tf else 0.0


def rerank_scores(
    question: str, texts: Sequence[str], cosines: Sequence[float], weights: RerankWeights = RerankWeights()
) -> list[float]:
    """The score of each candidate, given in first-stage order with its cosine to the question."""
    keywords = bm25_scores(question, texts)
    best = max(keywords, default=0.0) or 1.0
    return [
        weights.cosine * c + weights.keywords * k / best + weights.first_rank / rank
        for rank, (c, k) in enumerate(zip(cosines, keywords, strict=True), start=1)
    ]


def rerank_order(
    question: str, texts: Sequence[str], cosines: Sequence[float], weights: RerankWeights = RerankWeights()
) -> list[int]:
    """Positions of the candidates, best first (a stable sort: ties keep the first stage's order)."""
    scores = rerank_scores(question, texts, cosines, weights)
    return sorted(range(len(scores)), key=lambda i: -scores[i])
