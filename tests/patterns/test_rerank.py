"""The reranker: BM25 among the candidates, a weighted mix with the cosine and the first rank."""

from __future__ import annotations

import pytest

from switchboard.patterns.rerank import RerankWeights, bm25_scores, rerank_order, rerank_scores


def test_bm25_scores_the_texts_sharing_the_questions_words_and_favours_the_rarer_word() -> None:
    texts = ["tent return window is 60 days", "tent poles and tent pegs", "stove fuel"]
    scores = bm25_scores("return a tent", texts)
    assert scores[2] == 0.0
    assert scores[0] > scores[1] > 0.0  # "return" is in one text only, "tent" in two


def test_no_texts_and_no_shared_words_score_nothing() -> None:
    assert bm25_scores("anything", []) == []
    assert bm25_scores("zebra", ["tent", "stove"]) == [0.0, 0.0]


def test_a_candidate_with_the_words_and_the_meaning_overtakes_the_first_stages_best() -> None:
    texts = ["Pitching a tent in your living room is fine.", "You can return a tent within 60 days."]
    assert rerank_order("can I return a tent", texts, cosines=[0.50, 0.48]) == [1, 0]


def test_the_first_rank_prior_decides_when_the_other_evidence_is_even() -> None:
    texts = ["same words here", "same words here", "same words here"]
    assert rerank_order("same words", texts, cosines=[0.3, 0.3, 0.3]) == [0, 1, 2]


def test_the_score_is_the_documented_weighted_sum() -> None:
    weights = RerankWeights(cosine=2.0, keywords=0.5, first_rank=1.0)
    scores = rerank_scores("return", ["return it", "keep it"], cosines=[0.25, 0.75], weights=weights)
    assert scores == pytest.approx([2 * 0.25 + 0.5 * 1.0 + 1.0, 2 * 0.75 + 0.0 + 0.5])
