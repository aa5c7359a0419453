import re
from pathlib import Path

from switchboard.patterns.hybrid_search import BM25Index, _stem, reciprocal_rank_fusion, terms

KB = Path(__file__).resolve().parents[2] / "data" / "tenants"

DOCS = {
    "returns": "Returns are accepted within 45 days. Start a return from your account.",
    "tents": "Dry your tent before storing it. A damp tent grows mildew.",
    "shipping": "Standard shipping takes 3 to 5 business days.",
}


def test_terms_drop_stop_words_and_fold_plurals() -> None:
    assert terms("How do I return my Tents?") == ["return", "tent"]


def test_the_stemmer_strips_what_the_original_expression_did() -> None:
    words = re.findall(r"[a-z0-9]+", " ".join(a.read_text().lower() for a in KB.glob("*/kb/*.md")))
    words += ["ing", "es", "s", "sing", "bed", "ses", "things", "boxes", "ed"]
    assert len(words) > 1000
    assert [_stem(w) for w in words] == [re.sub(r"(ing|ed|es|s)$", "", w) or w for w in words]


def test_bm25_ranks_by_rare_matching_terms() -> None:
    index = BM25Index(DOCS)
    assert index.search("mildew on my tent", 3) == ["tents"]
    assert index.search("returns window", 3)[0] == "returns"
    assert index.search("gift cards", 3) == []


def test_the_rarer_word_outweighs_the_common_one() -> None:
    # "tent" is in three documents, "stove" in one: a document with one "stove" beats one
    # with two "tent"s of the same length (idf), and matching both words beats either.
    docs = {
        "two-tents": "tent tent pole",
        "stove": "stove pole pole",
        "both": "tent stove pole",
        "tent-only": "tent pole pole",
        "other": "boots laces pole",
    }
    ranked = BM25Index(docs).search("tent stove", 5)
    assert ranked[:2] == ["both", "stove"]
    assert set(ranked) == {"both", "stove", "two-tents", "tent-only"}
    assert ranked.index("two-tents") < ranked.index("tent-only")  # more occurrences, same length


def test_a_repeated_query_word_counts_once() -> None:
    index = BM25Index(DOCS)
    assert index.search("tent tent tent", 3) == index.search("tent", 3) == ["tents"]


def test_an_empty_query_and_unknown_words_find_nothing() -> None:
    index = BM25Index(DOCS)
    assert index.search("", 3) == []
    assert index.search("the and of", 3) == []  # nothing but stop words
    assert index.search("zeppelin quasar", 3) == []
    assert index.search("zeppelin mildew", 3) == ["tents"]  # the known word still counts


def test_the_limit_bounds_the_results_and_ties_break_the_same_way_every_build() -> None:
    docs = {f"doc-{n}": "tent" for n in range(5)}
    assert BM25Index(docs).search("tent", 2) == ["doc-4", "doc-3"]
    assert BM25Index(dict(reversed(docs.items()))).search("tent", 2) == ["doc-4", "doc-3"]
    assert BM25Index(DOCS).search("tent", 0) == []


def test_an_index_without_words_finds_nothing() -> None:
    assert BM25Index({}).search("tent", 3) == []
    assert BM25Index({"a": "", "b": "the of and"}).search("tent", 3) == []


def test_a_new_index_over_changed_documents_forgets_the_old_ones() -> None:
    before = BM25Index(DOCS)
    after = BM25Index({**DOCS, "tents": "Pitch the fly first.", "gifts": "Gift cards never expire."})
    assert before.search("mildew", 3) == ["tents"]
    assert after.search("mildew", 3) == []
    assert after.search("gift cards", 3) == ["gifts"]


def test_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]])
    assert fused[0] == "b"
    assert set(fused) == {"a", "b", "c"}
    assert reciprocal_rank_fusion([["x"], []]) == ["x"]
