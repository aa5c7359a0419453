"""The answer cache in a real Chroma collection: found only within its scope, refused for a near
neighbour naming something else, dropped when an article it cited changes, kept across a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.agents.embeddings import Embedder
from switchboard.app.cost.answer_cache import AnswerCache
from switchboard.patterns.semantic_cache import SHARED, CachePolicy, Hit, Miss, Rejected, Scope

VOCABULARY = frozenset({"tent", "boot", "stove"})
SHOP = Scope("tidewater", "demo-large", "v1", owner=SHARED)
MAYA = Scope("tidewater", "demo-large", "v1", owner="C1001")
LOW = CachePolicy(threshold=0.0, ttl_s=3600)  # every neighbour is a candidate: the checks decide


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
