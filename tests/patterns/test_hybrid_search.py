from switchboard.patterns.hybrid_search import BM25Index, reciprocal_rank_fusion, terms

DOCS = {
    "returns": "Returns are accepted within 45 days. Start a return from your account.",
    "tents": "Dry your tent before storing it. A damp tent grows mildew.",
    "shipping": "Standard shipping takes 3 to 5 business days.",
}


def test_terms_drop_stop_words_and_fold_plurals() -> None:
    assert terms("How do I return my Tents?") == ["return", "tent"]


def test_bm25_ranks_by_rare_matching_terms() -> None:
    index = BM25Index(DOCS)
    assert index.search("mildew on my tent", 3) == ["tents"]
    assert index.search("returns window", 3)[0] == "returns"
    assert index.search("gift cards", 3) == []


def test_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]])
    assert fused[0] == "b"
    assert set(fused) == {"a", "b", "c"}
    assert reciprocal_rank_fusion([["x"], []]) == ["x"]
