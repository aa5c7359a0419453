"""The answer cache in a real Chroma collection: found only within its scope, refused for a near
neighbour naming something else or that the retriever or router disagrees with (each tenant
against its own help centre), dropped when an article it cited changes, kept across a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from switchboard.agents.embeddings import Embedder
from switchboard.app.cost.answer_cache import AnswerCache, help_centre_retriever
from switchboard.app.shop.knowledge import KnowledgeBase
from switchboard.patterns.semantic_cache import SHARED, VERIFIED, CachePolicy, Hit, Miss, Rejected, Scope, normalise

VOCABULARY = frozenset({"tent", "boot", "stove"})
SHOP = Scope("tidewater", "demo-large", "v1", owner=SHARED)
MAYA = Scope("tidewater", "demo-large", "v1", owner="C1001")
LOW = CachePolicy(threshold=0.0, ttl_s=3600)  # every neighbour is a candidate: the checks decide


@pytest.fixture(params=["static", "onnx"])
def embedder(request: pytest.FixtureRequest) -> Embedder:
    """Every test here runs with both of the cache's embedders (SWITCHBOARD_CACHE_EMBEDDER):
    scopes, entity checks and agreement must not depend on which one measures similarity."""
    return request.getfixturevalue("embedder" if request.param == "static" else "onnx_embedder")


@pytest.fixture
def versions() -> dict[str, str]:
    return {"returns-policy": "h1", "order-statuses": "h1"}


@pytest.fixture
def cache(tmp_path: Path, embedder: Embedder, versions: dict[str, str]) -> AnswerCache:
    return _open(tmp_path, embedder, versions)


def _open(folder: Path, embedder: Embedder, versions: dict[str, str]) -> AnswerCache:
    opened = AnswerCache.open(folder / "chroma", "answers", embedder, VOCABULARY, lambda: versions)
    opened.policy = LOW
    return opened


def test_the_same_question_is_an_exact_hit_whatever_its_case(cache: AnswerCache) -> None:
    cache.store_now("How do I return a tent?", "Within 60 days [returns-policy].", SHOP, ["returns-policy"], now=0)
    outcome = cache.lookup_now("how do I return a TENT", [SHOP], now=10)
    assert isinstance(outcome, Hit) and outcome.how == "exact" and outcome.entry.answer.startswith("Within 60")


def test_a_paraphrase_is_a_semantic_hit(cache: AnswerCache) -> None:
    cache.store_now("How do I return a tent?", "Within 60 days.", SHOP, ["returns-policy"], now=0)
    outcome = cache.lookup_now("what's the way to send a tent back to you", [SHOP], now=10)
    assert isinstance(outcome, Hit) and outcome.how == "semantic" and 0 < outcome.similarity < 1


def test_another_customers_answer_is_never_a_candidate(cache: AnswerCache) -> None:
    cache.store_now("what email do you have for me?", "maya@example.com", MAYA, [], now=0)
    other = Scope("tidewater", "demo-large", "v1", owner="C1002")
    assert cache.lookup_now("what email do you have for me?", [other], now=10) == Miss()
    assert isinstance(cache.lookup_now("what email do you have for me?", [MAYA], now=10), Hit)


def test_another_tenants_answer_is_never_a_candidate(cache: AnswerCache) -> None:
    cache.store_now("How do I return a tent?", "Within 60 days.", SHOP, [], now=0)
    assert cache.lookup_now("How do I return a tent?", [Scope("summit", "demo-large", "v1")], now=10) == Miss()


def test_a_near_neighbour_about_another_order_is_rejected(cache: AnswerCache) -> None:
    cache.store_now("where is order 10057?", "10057 shipped with Parcelway.", MAYA, [], now=0)
    outcome = cache.lookup_now("where is order 10058?", [MAYA], now=10)
    assert isinstance(outcome, Rejected) and outcome.reason == "orders differ"


def test_reingesting_a_cited_article_drops_its_answers(cache: AnswerCache, versions: dict[str, str]) -> None:
    cache.store_now("How do I return a tent?", "Within 60 days.", SHOP, ["returns-policy"], now=0)
    cache.store_now("what does shipped mean?", "It left us.", SHOP, ["order-statuses"], now=0)
    cache.forget_citing(["returns-policy"])
    assert cache.count() == 1
    versions["order-statuses"] = "h2"  # changed but not yet forgotten: stale all the same
    assert cache.lookup_now("what does shipped mean?", [SHOP], now=10) == Miss()


def test_an_expired_entry_is_not_served(cache: AnswerCache) -> None:
    cache.store_now("How do I return a tent?", "Within 60 days.", SHOP, [], now=0)
    assert cache.lookup_now("How do I return a tent?", [SHOP], now=3601) == Miss()


def test_entries_survive_a_restart(tmp_path: Path, embedder: Embedder, versions: dict[str, str]) -> None:
    _open(tmp_path, embedder, versions).store_now("How do I return a tent?", "Within 60 days.", SHOP, [], now=0)
    reopened = _open(tmp_path, embedder, versions)
    assert isinstance(reopened.lookup_now("How do I return a tent?", [SHOP], now=10), Hit)


def test_a_customer_is_served_from_their_own_answers_and_the_shared_ones(cache: AnswerCache) -> None:
    cache.store_now("How do I return a tent?", "Within 60 days.", SHOP, [], now=0)
    cache.store_now("where is order 10057?", "10057 shipped.", MAYA, [], now=0)
    shared = cache.lookup_now("How do I return a tent?", [MAYA, SHOP], now=10)
    own = cache.lookup_now("where is order 10057?", [MAYA, SHOP], now=10)
    assert isinstance(shared, Hit) and shared.entry.scope == SHOP
    assert isinstance(own, Hit) and own.entry.scope == MAYA


class FakeSearch:
    """Each tenant's help centre as canned searches: a question's passages' articles, best first."""

    def __init__(self, results: dict[tuple[str, str], tuple[str, ...]]) -> None:
        self._results = results
        self.asked: list[tuple[str, str]] = []

    def __call__(self, question: str, tenant: str) -> tuple[str, ...]:
        self.asked.append((question, tenant))
        return self._results.get((normalise(question), tenant), ())


RETURNS = ("returns-policy",) * 3 + ("exchanges",)
SEARCHES = {
    ("how do i return a tent", "tidewater"): RETURNS,
    ("what s the way to send a tent back to you", "tidewater"): RETURNS,
    ("can i send my tent back", "tidewater"): ("tent-care-mildew",) * 4,
    ("how do i return a tent", "summit"): ("returns-policy-summit",) * 4,
    ("what s the way to send a tent back to you", "summit"): ("returns-policy-summit",) * 4,
}
SUMMIT = Scope("summit", "demo-large", "v1", owner=SHARED)


def _checked(folder: Path, embedder: Embedder, search: FakeSearch, **kwargs: Any) -> AnswerCache:
    versions = {"returns-policy": "h1", "returns-policy-summit": "h1"}
    cache = AnswerCache.open(
        folder / "chroma", "answers", embedder, VOCABULARY, lambda: versions, retriever=search, **kwargs
    )
    cache.policy = CachePolicy(threshold=0.0, ttl_s=3600, support=3)
    return cache


def test_a_paraphrase_the_retriever_agrees_with_is_served(tmp_path: Path, embedder: Embedder) -> None:
    cache = _checked(tmp_path, embedder, FakeSearch(SEARCHES))
    cache.store_now("How do I return a tent?", "Within 60 days.", SHOP, ["returns-policy"], now=0)
    outcome = cache.lookup_now("what's the way to send a tent back to you", [SHOP], now=10)
    assert isinstance(outcome, Hit) and outcome.how == "semantic" and outcome.entry.grounds == RETURNS


def test_a_paraphrase_whose_search_leads_elsewhere_is_rejected(tmp_path: Path, embedder: Embedder) -> None:
    cache = _checked(tmp_path, embedder, FakeSearch(SEARCHES))
    cache.store_now("How do I return a tent?", "Within 60 days.", SHOP, ["returns-policy"], now=0)
    outcome = cache.lookup_now("can I send my tent back", [SHOP], now=10)
    assert isinstance(outcome, Rejected) and outcome.reason == "articles differ"


def test_each_tenant_is_verified_against_its_own_help_centre(tmp_path: Path, embedder: Embedder) -> None:
    search = FakeSearch(SEARCHES)
    cache = _checked(tmp_path, embedder, search)
    cache.store_now("How do I return a tent?", "Within 60 days.", SHOP, ["returns-policy"], now=0)
    cache.store_now("How do I return a tent?", "Within 30 days.", SUMMIT, ["returns-policy-summit"], now=0)
    summit = cache.lookup_now("what's the way to send a tent back to you", [SUMMIT], now=10)
    tidewater = cache.lookup_now("what's the way to send a tent back to you", [SHOP], now=10)
    assert isinstance(summit, Hit) and summit.entry.answer == "Within 30 days." and summit.entry.scope == SUMMIT
    assert isinstance(tidewater, Hit) and tidewater.entry.answer == "Within 60 days."
    assert ("what's the way to send a tent back to you", "summit") in search.asked


def test_the_retriever_is_not_asked_when_no_neighbour_is_close(tmp_path: Path, embedder: Embedder) -> None:
    search = FakeSearch(SEARCHES)
    cache = _checked(tmp_path, embedder, search)
    cache.store_now("How do I return a tent?", "Within 60 days.", SHOP, ["returns-policy"], now=0)
    cache.policy = CachePolicy(threshold=0.999, ttl_s=3600)
    search.asked.clear()
    assert isinstance(cache.lookup_now("what's the way to send a tent back to you", [SHOP], now=10), Miss)
    assert search.asked == []


def test_an_answer_stored_under_another_route_is_rejected(tmp_path: Path, embedder: Embedder) -> None:
    routes = {"what email do you have for me?": "account", "what email should I write to for help?": "knowledge"}
    cache = _checked(tmp_path, embedder, FakeSearch({}), router=routes.__getitem__)
    cache.store_now("what email do you have for me?", "maya@example.com", MAYA, [], now=0)
    outcome = cache.lookup_now("what email should I write to for help?", [MAYA, SHOP], now=10)
    assert isinstance(outcome, Rejected) and outcome.reason == "intents differ"


def test_a_cache_given_a_retriever_takes_the_verified_policy(tmp_path: Path, embedder: Embedder) -> None:
    opened = AnswerCache.open(tmp_path / "c", "answers", embedder, VOCABULARY, dict, retriever=FakeSearch({}))
    assert opened.policy == VERIFIED
    assert AnswerCache.open(tmp_path / "d", "answers", embedder, VOCABULARY, dict).policy == CachePolicy()


def test_passage_agreement_with_relaxed_terms_keeps_other_scopes_out(tmp_path: Path, embedder: Embedder) -> None:
    same = ("tidewater/returns-policy#1",) * 4
    search = FakeSearch(
        {
            (normalise(q), t): same
            for q in ("what email do you have for me", "how do i return a tent")
            for t in ("tidewater", "summit")
        }
    )
    cache = _checked(tmp_path, embedder, search)
    cache.policy = CachePolicy(threshold=0.0, ttl_s=3600, support=1, overlap=0.01, terms="nested")
    cache.store_now("what email do you have for me?", "maya@example.com", MAYA, [], now=0)
    cache.store_now("How do I return a tent?", "Within 60 days.", SHOP, ["returns-policy"], now=0)
    other = Scope("tidewater", "demo-large", "v1", owner="C1002")
    assert cache.lookup_now("what email do you have for me?", [other], now=10) == Miss()
    assert cache.lookup_now("How do I return a tent?", [Scope("summit", "demo-large", "v1")], now=10) == Miss()


def test_the_help_centre_retriever_gives_each_passages_chunk_from_the_askers_shop(
    tmp_path: Path, embedder: Embedder
) -> None:
    kb = KnowledgeBase.open(tmp_path / "kb", "test-kb", embedder)
    for tenant, body in (("tidewater", "Return within 60 days."), ("summit", "Return within 30 days.")):
        folder = tmp_path / tenant
        folder.mkdir()
        front = f"---\nid: returns-{tenant}\ntitle: Returns\nupdated: 2026-11-01\n---\n"
        (folder / f"returns-{tenant}.md").write_text(f"{front}## Window\n{body}\n\n## Label\nPrint it.\n")
        kb.ingest(folder, "mine", tenant)
    found = help_centre_retriever(kb, k=4)("how long do I have to return something?", "summit")
    assert set(found) == {"summit/returns-summit#0", "summit/returns-summit#1"} and len(found) == 2
    in_a_run = help_centre_retriever(kb, k=4)("how long do I have to return something?", "summit@run:r1")
    assert set(in_a_run) == set(found)
