"""Flags change the next answer; metrics compare the configurations that ran."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.app.web.chatting import answer_of, ask, new_conversation


def test_every_chapter_is_listed_and_unbuilt_flags_are_off(client: TestClient) -> None:
    registry = client.get("/api/flags").json()["registry"]
    assert {f["chapter"] for f in registry} == set(range(1, 13))
    built = {f["name"] for f in registry if f["built"]}
    assert built == {
        "streaming",
        "backpressure",
        "router",
        "router_fallback",
        "rag",
        "hybrid_search",
        "citation_validation",
        "online_evals",
        "retry_budget",
        "circuit_breaker",
        "failover",
        "degradation",
        "latency_budget",
        "tool_validation",
        "tool_retries",
        "session_authorisation",
        "loop_guard",
        "structured_output",
        "injection_scan",
        "spotlighting",
        "canary",
        "least_privilege",
        "pii_redaction",
        "human_approval",
        "escalation_triggers",
        "scan_in_parallel",
        "token_budget",
        "semantic_cache",
        "model_routing",
        "context_window",
        "rate_limit",
        "prompt_canary",
        "model_quota",
        "load_shedding",
        "tracing",
    }
    assert all(not f["value"] for f in registry if not f["built"])


def test_streaming_off_sends_the_answer_whole(client: TestClient) -> None:
    client.patch("/api/flags", json={"flags": {"streaming": False}})
    events = ask(client, new_conversation(client), "where is my order?")
    tokens = [data for name, data in events if name == "token"]
    assert len(tokens) == 1
    assert events[-1][1]["streamed"] is False
    assert events[-1][1]["ttft_ms"] is not None


def test_router_off_uses_one_generalist(client: TestClient) -> None:
    client.patch("/api/flags", json={"flags": {"router": False}})
    record = ask(client, new_conversation(client), "where is my order?")[-1][1]
    assert record["path"] == ["guard_input", "generalist"]
    assert record["calls"][0]["purpose"] == "generalist"


def test_rag_off_means_no_retrieval_and_an_honest_answer(client: TestClient) -> None:
    client.patch("/api/flags", json={"flags": {"rag": False}})
    events = ask(client, new_conversation(client), "how do I return a tent?")
    record = events[-1][1]
    assert record["retrieved"] == [] and record["sources"] == []
    assert "rather not guess" in answer_of(events)


def test_presets_and_metrics_per_configuration(client: TestClient) -> None:
    client.patch("/api/flags", json={"preset": "all-off"})
    off_key = ask(client, new_conversation(client), "do you ship to Canada?")[-1][1]["flags_key"]
    assert not any(client.get("/api/flags").json()["flags"].values())
    assert "=on" not in off_key
    client.patch("/api/flags", json={"preset": "chapter-4"})
    on_key = ask(client, new_conversation(client), "do you ship to Canada?")[-1][1]["flags_key"]
    assert "rag=on" in on_key and "hybrid_search=on" in on_key and "failover=off" in on_key
    rows = {r["flags_key"]: r for r in client.get("/api/metrics").json()["configurations"]}
    off, on = rows[off_key], rows[on_key]
    assert off["count"] >= 1 and on["count"] >= 1
    assert on["p50_ms"] is not None and on["mean_cost_usd"] > 0


def test_pages_render(client: TestClient) -> None:
    chat = client.get("/")
    assert chat.status_code == 200 and "simulated" in chat.text
    board = client.get("/switchboard")
    # every pattern is built: no switch on the board says "not built yet" any more
    assert "not built yet" not in board.text and 'data-flag="router_fallback"' in board.text
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_live_metrics_name_each_configuration_and_mark_the_current_one(client: TestClient) -> None:
    client.patch("/api/flags", json={"flags": {"rag": False}})
    ask(client, new_conversation(client), "do you ship to Canada?")
    client.patch("/api/flags", json={"preset": "all-on"})
    ask(client, new_conversation(client), "do you ship to Canada?")
    live = client.get("/api/metrics/live").json()
    by_name = {c["name"]: c for c in live["configurations"]}
    assert {"defaults", "defaults − rag"} <= set(by_name)
    defaults, without_rag = by_name["defaults"], by_name["defaults − rag"]
    assert defaults["current"] and not without_rag["current"] and live["current_name"] == "defaults"
    assert without_rag["flags"]["rag"] is False and "rag" in live["differing"]
    assert live["outcomes"] == ["answered", "escalated", "blocked", "declined", "degraded", "cancelled", "error"]
    for c in (defaults, without_rag):
        assert list(c["outcomes"]) == live["outcomes"] and sum(c["outcomes"].values()) == c["count"]
        assert list(c["tiers"]) == live["tiers"] and sum(c["tiers"].values()) == c["count"]
    assert live["turns"] >= defaults["count"] + without_rag["count"]


def test_live_metrics_are_the_operators_and_the_old_metrics_keep_their_shape(client: TestClient) -> None:
    assert client.get("/api/metrics/live", headers={"X-Admin-Token": "not-it"}).status_code == 401
    ask(client, new_conversation(client), "where is my order?")
    rows = client.get("/api/metrics").json()["configurations"]
    assert rows and "name" not in rows[0] and {"flags_key", "p95_ttft_ms", "error_rate"} <= set(rows[0])


def test_metrics_narrow_to_one_tenant_and_label_each_tenants_figures(client: TestClient) -> None:
    ask(client, new_conversation(client, "S2001"), "how long do refunds take?")
    ask(client, new_conversation(client, "C1001"), "how long do refunds take?")
    client.cookies.clear()
    every = client.get("/api/metrics").json()
    assert every["tenant"] is None
    labelled = {t["tenant_id"]: t for t in every["tenants"]}
    assert {"summit", "tidewater"} <= set(labelled) and labelled["summit"]["tenant_name"] == "Summit Cycles"
    assert every["turns"] == sum(t["turns"] for t in every["tenants"])
    summit = client.get("/api/metrics", params={"tenant": "summit"}).json()
    assert summit["tenant"] == "summit" and summit["turns"] == labelled["summit"]["turns"] >= 1
    assert [t["tenant_id"] for t in summit["tenants"]] == ["summit"]
    assert sum(c["count"] for c in summit["configurations"]) == summit["turns"] < every["turns"]


@pytest.mark.parametrize("tenant", ["atlantis", "SUMMIT", "x" * 300])
def test_metrics_for_a_tenant_there_is_none_of_are_a_404_naming_it(client: TestClient, tenant: str) -> None:
    response = client.get("/api/metrics", params={"tenant": tenant})
    assert response.status_code == 404 and response.json()["error"]["code"] == "tenant_not_found"
    message = response.json()["error"]["message"]
    assert repr(tenant[:40]) in message and "summit, tidewater" in message


def test_each_customer_in_the_pickers_data_carries_their_tenant(client: TestClient) -> None:
    client.cookies.clear()
    customers = {c["id"]: c for c in client.get("/api/customers").json()}
    assert (customers["S2001"]["tenant_id"], customers["S2001"]["tenant_name"]) == ("summit", "Summit Cycles")
    assert (customers["C1001"]["tenant_id"], customers["C1001"]["tenant_name"]) == ("tidewater", "Tidewater Outfitters")
    assert all(c["tenant_id"] in ("summit", "tidewater") for c in customers.values())
