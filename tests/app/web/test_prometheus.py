"""`GET /metrics`, scraped as Prometheus would and parsed with prometheus-client's own parser:
the counts are those of the turns played, the breaker gauge follows chaos, and only the
operator may read it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.app.telemetry.scraped import Samples, samples, total, value
from tests.app.web.chatting import ask, new_conversation
from tests.conftest import ADMIN, fast_settings, sign_in

QUESTIONS = ["where is my order?", "do you ship to Canada?", "do you ship to Canada?", "how do I return a tent?"]


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app of its own: no other module's turns in its counters."""
    with TestClient(create_app(fast_settings(tmp_path_factory.mktemp("metrics"))), headers=ADMIN) as client:
        yield client


def scrape(client: TestClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


def played(client: TestClient, questions: list[str]) -> list[dict[str, Any]]:
    """Each question in a new conversation (a follow-up is never served from the cache)."""
    records = [ask(client, new_conversation(client), question)[-1][1] for question in questions]
    client.cookies.clear()
    return records


def turns_by_outcome_and_tier(scraped: Samples) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for (name, labels), count in scraped.items():
        if name == "switchboard_turns_total" and count:
            tags = dict(labels)
            found[tags["outcome"], tags["tier"]] += int(count)
    return found


def test_the_counts_are_those_of_the_turns_played(own: TestClient) -> None:
    own.patch("/api/flags", json={"flags": {"semantic_cache": True}})
    before = scrape(own)
    try:
        records = played(own, QUESTIONS)
    finally:
        own.patch("/api/flags", json={"preset": "all-on"})
    after = scrape(own)
    expected = Counter((r["outcome"], r["tier_served"] or "none") for r in records)
    assert turns_by_outcome_and_tier(after) - turns_by_outcome_and_tier(before) == expected
    assert total(after, "switchboard_turns_total", source="live") - total(before, "switchboard_turns_total") == 4
    calls = [call for r in records for call in r["calls"]]
    tokens_in = total(after, "switchboard_model_tokens_total", direction="in")
    assert tokens_in - total(before, "switchboard_model_tokens_total", direction="in") == sum(
        c["input_tokens"] for c in calls
    )
    tokens_out = total(after, "switchboard_model_tokens_total", direction="out")
    assert tokens_out - total(before, "switchboard_model_tokens_total", direction="out") == sum(
        c["output_tokens"] for c in calls
    )
    cost = total(after, "switchboard_model_cost_usd_total") - total(before, "switchboard_model_cost_usd_total")
    assert cost == pytest.approx(sum(c["cost_usd"] for c in calls)) and cost > 0
    count = "switchboard_turn_latency_seconds_count"
    assert value(after, count) - value(before, count) == 4
    lookups = Counter(r["cache"] for r in records if r["cache"])
    for result in ("hit", "miss", "rejected"):
        seen = value(after, "switchboard_cache_lookups_total", result=result)
        assert seen - value(before, "switchboard_cache_lookups_total", result=result) == lookups[result]
    assert lookups["hit"] >= 1  # the question asked twice was answered from the cache


def test_a_breaker_opened_by_chaos_shows_in_the_gauge(own: TestClient) -> None:
    state = "switchboard_circuit_breaker_state"
    assert value(scrape(own), state, provider="demo-a", state="closed") == 1
    own.patch("/api/chaos", json={"preset": "primary-down"})
    try:
        for _ in range(10):  # each turn's calls fail on demo-a until its breaker has seen enough
            served = played(own, ["where is my order?"])[0]
            if own.get("/api/chaos").json()["breakers"]["demo-a"] == "open":
                break
        scraped = scrape(own)
    finally:
        own.patch("/api/chaos", json={"preset": "calm"})
    assert served["tier_served"] == "secondary"
    assert value(scraped, state, provider="demo-a", state="open") == 1
    assert value(scraped, state, provider="demo-a", state="closed") == 0
    assert value(scraped, state, provider="demo-b", state="closed") == 1
    assert value(scraped, "switchboard_turns_in_flight") == 0  # none playing while it was scraped


def test_without_the_admin_token_it_is_a_401(own: TestClient) -> None:
    refused = own.get("/metrics", headers={"X-Admin-Token": "wrong"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "admin_only"
    anonymous = TestClient(own.app)  # shares the app, not the operator's header
    assert anonymous.get("/metrics").status_code == 401
    customer = sign_in(anonymous)  # a signed-in customer is not the operator, by cookie or token
    assert anonymous.get("/metrics").status_code == 401
    assert anonymous.get("/metrics", headers=customer).status_code == 401


def test_the_operator_cookie_is_enough(own: TestClient) -> None:
    browser = TestClient(own.app)
    assert browser.get("/admin", params={"token": "test-admin"}).status_code == 200
    assert browser.get("/metrics").status_code == 200


@pytest.mark.parametrize("accept", ["application/json", "text/html", "nonsense;;q=x", "*/*", ""])
def test_a_bad_accept_still_gets_text(own: TestClient, accept: str) -> None:
    scraped = scrape(own, accept=accept)
    assert ("switchboard_turns_in_flight", frozenset()) in scraped


def test_openmetrics_when_the_scraper_asks_for_it(own: TestClient) -> None:
    response = own.get("/metrics", headers={"accept": "application/openmetrics-text; version=1.0.0"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")
