"""The semantic cache's decisions: what a question names, when a near neighbour is served or
rejected, and when an entry has gone stale."""

from __future__ import annotations

from switchboard.patterns.semantic_cache import (
    CachePolicy,
    Entities,
    Entry,
    Hit,
    Miss,
    Rejected,
    Scope,
    choose,
    entities_of,
    is_fresh,
    mismatch,
    normalise,
)

VOCABULARY = frozenset({"boot", "tent", "stove", "jacket", "canada"})
SCOPE = Scope("tidewater", "demo-large", "v3")
POLICY = CachePolicy(threshold=0.9, ttl_s=3600)


def _entry(question: str, stored_at: float = 0.0, cited: dict[str, str] | None = None) -> Entry:
    return Entry(question, f"answer to {question}", SCOPE, stored_at, entities_of(question, VOCABULARY), cited or {})


def test_the_exact_key_ignores_case_punctuation_and_spacing() -> None:
    assert normalise("  Where's my ORDER?? ") == normalise("where s my order")


def test_entities_name_orders_numbers_terms_and_negation() -> None:
    found = entities_of("Can I return 2 pairs of boots from order #10057 if they're not worn?", VOCABULARY)
    assert found == Entities(frozenset({"10057"}), frozenset({"2"}), frozenset({"boot"}), negated=True)


def test_questions_one_order_number_apart_do_not_match() -> None:
    a, b = entities_of("where is order 10057?", VOCABULARY), entities_of("where is order 10058?", VOCABULARY)
    assert mismatch(a, b) == "orders differ"


def test_questions_about_different_products_do_not_match() -> None:
    a = entities_of("can I return boots?", VOCABULARY)
    assert mismatch(a, entities_of("can I return a tent?", VOCABULARY)) == "terms differ"


def test_a_negated_question_does_not_match_its_opposite() -> None:
    a = entities_of("can I return a stove I have used", VOCABULARY)
    assert mismatch(a, entities_of("can I return a stove I haven't used... not at all", VOCABULARY)) == "negated differ"


def test_paraphrases_naming_the_same_things_match() -> None:
    a = entities_of("How long do refunds take for boots?", VOCABULARY)
    assert mismatch(a, entities_of("when will I get my money back for the boot I returned", VOCABULARY)) is None


def test_the_closest_fresh_candidate_above_the_threshold_is_served() -> None:
    query = entities_of("how do I return a tent", VOCABULARY)
    near, nearer = _entry("returning a tent, how?"), _entry("how can I send a tent back")
    outcome = choose(query, [(near, 0.91), (nearer, 0.95)], POLICY, now=10, kb_versions={})
    assert outcome == Hit(nearer, "semantic", 0.95)


def test_a_candidate_below_the_threshold_is_a_miss_with_its_similarity() -> None:
    query = entities_of("how do I return a tent", VOCABULARY)
    assert choose(query, [(_entry("is the tent waterproof"), 0.7)], POLICY, now=10, kb_versions={}) == Miss(0.7)


def test_a_close_candidate_naming_another_order_is_rejected_not_served() -> None:
    query = entities_of("where is order 10058?", VOCABULARY)
    outcome = choose(query, [(_entry("where is order 10057?"), 0.98)], POLICY, now=10, kb_versions={})
    assert outcome == Rejected("orders differ", 0.98)


def test_an_entry_expires_after_its_ttl() -> None:
    entry = _entry("how do I return a tent", stored_at=0)
    assert is_fresh(entry, now=3600, ttl_s=3600, kb_versions={})
    assert not is_fresh(entry, now=3601, ttl_s=3600, kb_versions={})


def test_an_entry_is_stale_once_an_article_it_cited_changes_or_goes() -> None:
    entry = _entry("how do I return a tent", cited={"returns-policy": "v1"})
    assert is_fresh(entry, now=1, ttl_s=3600, kb_versions={"returns-policy": "v1"})
    assert not is_fresh(entry, now=1, ttl_s=3600, kb_versions={"returns-policy": "v2"})
    assert not is_fresh(entry, now=1, ttl_s=3600, kb_versions={})


def test_stale_candidates_are_passed_over_for_fresh_ones() -> None:
    query = entities_of("how do I return a tent", VOCABULARY)
    stale = _entry("how can I send a tent back", cited={"returns-policy": "v1"})
    fresh = _entry("returning a tent, how?")
    outcome = choose(query, [(stale, 0.99), (fresh, 0.92)], POLICY, now=1, kb_versions={"returns-policy": "v2"})
    assert outcome == Hit(fresh, "semantic", 0.92)


def test_scopes_with_different_owners_have_different_keys() -> None:
    shared, mine = Scope("t", "m", "v"), Scope("t", "m", "v", owner="C1001")
    assert len({shared.key(), mine.key(), Scope("u", "m", "v").key(), Scope("t", "m", "v2").key()}) == 4
