"""The semantic cache's decisions: what a question names, when a near neighbour is served or
rejected (entities, then the retriever's and router's agreement), and when an entry has gone
stale."""

from __future__ import annotations

from switchboard.patterns.semantic_cache import (
    VERIFIED,
    CachePolicy,
    Entities,
    Entry,
    Evidence,
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


def _entry(
    question: str,
    stored_at: float = 0.0,
    cited: dict[str, str] | None = None,
    grounds: tuple[str, ...] = (),
    intent: str | None = None,
) -> Entry:
    entities = entities_of(question, VOCABULARY)
    return Entry(question, f"answer to {question}", SCOPE, stored_at, entities, cited or {}, grounds, intent)


RETURNS = ("returns-policy", "returns-policy", "returns-policy", "exchanges")  # a decided search
SPLIT = ("refund-timing", "refund-approval", "refund-timing", "refund-approval")  # an undecided one
CHECKED = CachePolicy(threshold=0.5, ttl_s=3600, support=3)


def _verified(evidence: Evidence, candidate: Entry, similarity: float = 0.8) -> object:
    query = entities_of("can I still send it back?", VOCABULARY)
    return choose(
        query, [(candidate, similarity)], CHECKED, now=1, kb_versions={"returns-policy": "v1"}, evidence=evidence
    )


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


def test_a_candidate_the_retriever_agrees_with_is_served() -> None:
    entry = _entry("what is your return window", cited={"returns-policy": "v1"}, grounds=RETURNS)
    assert _verified(Evidence(RETURNS), entry) == Hit(entry, "semantic", 0.8)


def test_a_candidate_whose_cited_article_the_query_does_not_retrieve_first_is_rejected() -> None:
    entry = _entry("what is your return window", cited={"returns-policy": "v1"}, grounds=RETURNS)
    exchanges_first = ("exchanges", "returns-policy", "returns-policy", "returns-policy")
    assert _verified(Evidence(exchanges_first), entry) == Rejected("articles differ", 0.8)


def test_a_query_whose_search_is_split_between_articles_is_not_vouched_for() -> None:
    entry = _entry("how long do refunds take", grounds=("refund-timing",) * 4)
    assert _verified(Evidence(SPLIT), entry) == Rejected("search undecided", 0.8)


def test_an_entry_whose_own_search_was_split_is_not_vouched_for_either() -> None:
    entry = _entry("do big refunds need a sign-off", grounds=SPLIT)
    assert _verified(Evidence(("refund-timing",) * 4), entry) == Rejected("search undecided", 0.8)


def test_an_answer_that_cited_nothing_is_held_to_its_questions_search() -> None:
    entry = _entry("where is my parcel", grounds=("tracking",) * 4)
    assert isinstance(_verified(Evidence(("tracking",) * 4), entry), Hit)
    assert _verified(Evidence(("order-statuses",) * 4), entry) == Rejected("articles differ", 0.8)


def test_an_entry_stored_without_a_retriever_is_judged_by_its_entities_alone() -> None:
    entry = _entry("what is your return window")
    assert isinstance(_verified(Evidence(SPLIT), entry), Hit)


def test_a_candidate_stored_under_another_route_is_rejected() -> None:
    entry = _entry("how do reward points work", intent="knowledge")
    assert _verified(Evidence(None, intent="account"), entry) == Rejected("intents differ", 0.8)
    assert isinstance(_verified(Evidence(None, intent="knowledge"), entry), Hit)


def test_a_rejected_nearest_neighbour_does_not_hide_a_right_one_behind_it() -> None:
    query = entities_of("where is order 10058?", VOCABULARY)
    other, same = _entry("where is order 10057?"), _entry("has 10058 shipped?")
    outcome = choose(query, [(other, 0.97), (same, 0.8)], CachePolicy(threshold=0.7, ttl_s=3600), now=1, kb_versions={})
    assert outcome == Hit(same, "semantic", 0.8)


def test_when_every_candidate_fails_the_closest_ones_reason_is_given() -> None:
    query = entities_of("where is order 10058?", VOCABULARY)
    evidence = Evidence(RETURNS)
    far = _entry("is order 10058 late", grounds=("exchanges",) * 4)
    outcome = choose(query, [(_entry("where is order 10057?"), 0.97), (far, 0.6)], CHECKED, 1, {}, evidence)
    assert outcome == Rejected("orders differ", 0.97)


def test_the_verified_policy_lowers_the_threshold_only_with_support_to_guard_it() -> None:
    assert VERIFIED.threshold < CachePolicy().threshold and VERIFIED.support > 1


# Passage agreement: the searches' chunks, `<article>#<n>`, best first.
WINDOW = ("returns-policy#1", "returns-policy#2", "returns-policy#3", "exchanges#1")
LABELS = ("returns-policy#4", "returns-policy#5", "returns-policy#3", "exchanges#1")
PASSAGES = CachePolicy(threshold=0.5, ttl_s=3600, support=3, overlap=0.5, terms="nested")


def _by_passages(query: str, evidence: Evidence | None, candidate: Entry, policy: CachePolicy = PASSAGES) -> object:
    return choose(entities_of(query, VOCABULARY), [(candidate, 0.8)], policy, 1, {"returns-policy": "v1"}, evidence)


def test_a_candidate_resting_on_the_same_passages_is_served() -> None:
    entry = _entry("what is your return window", cited={"returns-policy": "v1"}, grounds=WINDOW)
    assert _by_passages("how long do I have to send it back", Evidence(WINDOW), entry) == Hit(entry, "semantic", 0.8)


def test_a_candidate_from_the_same_article_but_other_passages_is_rejected() -> None:
    entry = _entry("what is your return window", cited={"returns-policy": "v1"}, grounds=WINDOW)
    assert _by_passages("who pays for the return label", Evidence(LABELS), entry) == Rejected("passages differ", 0.8)
    assert isinstance(_by_passages("who pays for the return label", Evidence(LABELS), entry, CHECKED), Hit)


def test_passage_agreement_lets_one_question_name_a_term_the_other_leaves_out() -> None:
    entry = _entry("is lightly used gear still returnable", cited={"returns-policy": "v1"}, grounds=WINDOW)
    assert isinstance(_by_passages("I tried the jacket on, can I return it", Evidence(WINDOW), entry), Hit)
    strict = _by_passages("I tried the jacket on, can I return it", Evidence(WINDOW), entry, CHECKED)
    assert strict == Rejected("terms differ", 0.8)


def test_terms_are_compared_exactly_where_no_passages_judge_the_pair() -> None:
    entry = _entry("is lightly used gear still returnable")
    assert _by_passages("I tried the jacket on, can I return it", None, entry) == Rejected("terms differ", 0.8)


def test_two_questions_each_naming_a_term_the_other_lacks_still_differ() -> None:
    entry = _entry("can I return boots", cited={"returns-policy": "v1"}, grounds=WINDOW)
    assert _by_passages("can I return a tent", Evidence(WINDOW), entry) == Rejected("terms differ", 0.8)


def test_orders_numbers_and_negation_stay_strict_under_passage_agreement() -> None:
    evidence = Evidence(WINDOW)
    for stored, asked, reason in (
        ("where is order 10057 and the tent", "where is order 10058", "orders differ"),
        ("can I return 2 tents", "can I return 3 tents", "numbers differ"),
        ("can I return a stove I used", "can I return a stove I have not used", "negated differ"),
    ):
        entry = _entry(stored, cited={"returns-policy": "v1"}, grounds=WINDOW)
        assert _by_passages(asked, evidence, entry) == Rejected(reason, 0.8)


def test_a_candidate_barely_ahead_of_one_with_another_answer_is_not_served() -> None:
    query = entities_of("how long do refunds take", VOCABULARY)
    best, rival = _entry("how long until a refund arrives"), _entry("how long do exchanges take")
    rejected = _entry("how long do refunds take for boots")  # fails the entity check: never a rival
    margin = CachePolicy(threshold=0.5, ttl_s=3600, margin=0.05)
    assert choose(query, [(best, 0.83), (rival, 0.80)], margin, 1, {}) == Rejected("no margin", 0.83)
    assert choose(query, [(best, 0.90), (rival, 0.80)], margin, 1, {}) == Hit(best, "semantic", 0.90)
    assert choose(query, [(rejected, 0.95), (best, 0.90)], margin, 1, {}) == Hit(best, "semantic", 0.90)
