"""Chaos from the API: presets and dials change the next turn; bad dials are refused whole."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from switchboard.agents.llm.chaos import Dials
from switchboard.app.lab.chaos import PRESETS, AgentFaults
from switchboard.app.web.views import agent_fault_words, dial_words, percent
from tests.app.web.chatting import ask, new_conversation


@pytest.fixture(autouse=True)
def calm(client: TestClient) -> Iterator[None]:
    """Each test starts calm, with every breaker closed (breakers remember earlier tests' faults)."""
    client.app.state.services.gateway.policies.breakers.clear()  # type: ignore[attr-defined]
    yield
    client.patch("/api/chaos", json={"preset": "calm"})
    client.app.state.services.gateway.policies.breakers.clear()  # type: ignore[attr-defined]


def test_primary_down_fails_without_failover_and_is_served_by_the_secondary_with_it(client: TestClient) -> None:
    assert client.patch("/api/chaos", json={"preset": "primary-down"}).json()["chaos"]["demo-a"]["outage"] is True
    off = {"failover": False, "retry_budget": False, "circuit_breaker": False, "degradation": False}
    client.patch("/api/flags", json={"flags": off})
    failed = ask(client, new_conversation(client), "where is my order?")
    assert [name for name, _ in failed][-2:] == ["error", "done"] and failed[-1][1]["outcome"] == "error"
    client.patch("/api/flags", json={"preset": "all-on"})
    served = ask(client, new_conversation(client), "where is my order?")[-1][1]
    assert served["outcome"] == "answered" and served["tier_served"] == "secondary"
    assert served["providers"] == ["demo-b"] and served["failed_attempts"] >= 1


def test_dials_and_breaker_states_are_visible(client: TestClient) -> None:
    view = client.patch("/api/chaos", json={"chaos": {"demo-b": {"error_rate": 0.3}}}).json()
    assert view["preset"] == "custom" and view["chaos"]["demo-b"]["error_rate"] == 0.3
    assert set(view["breakers"]) == {"demo-a", "demo-b"} and "flaky-primary" in view["presets"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"preset": "earthquake"}, "unknown chaos preset"),
        ({"chaos": {"demo-z": {"outage": True}}}, "unknown provider 'demo-z'"),
        ({"chaos": {"demo-a": {"gremlins": 1}}}, "unknown dial"),
        ({"chaos": {"demo-a": {"error_rate": 1.5}}}, "between 0 and 1"),
        ({"chaos": {"demo-a": {"outage": "yes"}}}, "true or false"),
        ({"chaos": {"demo-a": {"outage": True}, "demo-b": {"latency_multiplier": 0.5}}}, "out of range"),
    ],
)
def test_bad_chaos_is_refused_whole(client: TestClient, body: dict[str, object], fragment: str) -> None:
    before = client.get("/api/chaos").json()["chaos"]
    response = client.patch("/api/chaos", json=body)
    assert response.status_code == 422 and fragment in response.json()["error"]["message"]
    assert client.get("/api/chaos").json()["chaos"] == before


def test_the_panel_sets_presets_and_shows_breakers(client: TestClient) -> None:
    page = client.get("/switchboard").text
    assert "Faults (chaos)" in page and "primary-down" in page
    swapped = client.post("/ui/chaos", data={"preset": "slow"})
    assert swapped.status_code == 200 and 'data-provider="demo-a">3× slower</td>' in swapped.text
    assert "latency_multiplier=" not in swapped.text
    assert client.post("/ui/chaos", data={"preset": "nope"}).status_code == 422


def test_with_every_provider_down_the_ladder_answers_without_a_model(client: TestClient) -> None:
    client.patch("/api/chaos", json={"preset": "all-down"})
    client.patch("/api/flags", json={"flags": {"degradation": False}})
    # Worded as no other test words it: the client is shared, and the ladder's first rung
    # would serve an answer another test's turn left in its cache.
    question = "Is shipping to Canada something you do?"
    assert ask(client, new_conversation(client), question)[-1][1]["outcome"] == "error"
    client.patch("/api/flags", json={"flags": {"degradation": True}})
    kb = ask(client, new_conversation(client), question)[-1][1]
    assert kb["outcome"] == "degraded" and kb["tier_served"] == "kb-only" and kb["sources"]
    honest = ask(client, new_conversation(client), "qwertyuiop asdfghjkl")
    record = honest[-1][1]
    assert record["tier_served"] == "unavailable" and record["tickets"]
    assert record["tickets"][0] in "".join(d["text"] for n, d in honest if n == "token")
    # The help centre knows nothing about one order: that question gets a person and a ticket.
    order = ask(client, new_conversation(client), "where is my order 10057? does it ship to Canada?")[-1][1]
    assert order["tier_served"] == "unavailable" and order["tickets"]


def test_the_cache_rung_serves_an_answer_a_model_gave_before(client: TestClient) -> None:
    question = "how long do refunds take to reach my card?"
    first = ask(client, new_conversation(client), question)
    answer = "".join(d["text"] for n, d in first if n == "token")
    client.patch("/api/chaos", json={"preset": "all-down"})
    again = ask(client, new_conversation(client), "  How long do refunds take to reach my CARD? ")
    assert again[-1][1]["tier_served"] == "cache"
    assert "".join(d["text"] for n, d in again if n == "token") == answer


def test_a_stream_cut_mid_answer_is_continued_and_the_seam_is_announced(client: TestClient) -> None:
    calm = ask(client, new_conversation(client), "how long do refunds take to show on my card?")
    client.patch("/api/chaos", json={"chaos": {"demo-a": {"cut_rate": 1.0, "cut_after_tokens": 3}}})
    cut = ask(client, new_conversation(client), "how long do refunds take to show on my card?")
    text = lambda events: "".join(d["text"] for n, d in events if n == "token")  # noqa: E731
    assert text(cut) == text(calm)  # nothing lost, nothing repeated
    seams = [d for n, d in cut if n == "step" and d["node"] == "failover"]
    assert seams and cut[-1][1]["mid_stream_cuts"] >= 1 and cut[-1][1]["tier_served"] == "secondary"


def test_dials_set_by_hand_on_the_panel(client: TestClient) -> None:
    form = {
        "provider": "demo-b",
        "error_rate": "0.25",
        "rate_limit_rate": "0",
        "timeout_rate": "0",
        "cut_rate": "0",
        "malformed_rate": "0",
        "latency_multiplier": "2",
        "outage": "on",
    }
    swapped = client.post("/ui/chaos/dials", data=form)
    assert swapped.status_code == 200 and 'data-provider="demo-b">down</td>' in swapped.text
    assert 'data-provider="demo-a">none</td>' in swapped.text and "outage=True" not in swapped.text
    dials = client.get("/api/chaos").json()["chaos"]["demo-b"]
    assert dials["error_rate"] == 0.25 and dials["latency_multiplier"] == 2.0 and dials["outage"] is True
    assert client.post("/ui/chaos/dials", data={**form, "error_rate": "7"}).status_code == 422
    assert client.post("/ui/chaos/dials", data={**form, "error_rate": "lots"}).status_code == 422


@pytest.mark.parametrize(
    ("dial", "value", "fragment"),
    [
        ("latency_multiplier", float("nan"), "latency_multiplier"),
        ("latency_multiplier", float("inf"), "between 1 and 10"),
        ("latency_multiplier", 11, "between 1 and 10"),
        ("retry_after_s", 1e308, "between 0 and 60"),
        ("retry_after_s", -1, "between 0 and 60"),
        ("error_rate", -0.1, "between 0 and 1"),
        ("cut_rate", float("nan"), "between 0 and 1"),
        ("cut_after_tokens", 10**6, "between 0 and 1000"),
    ],
)
def test_every_dial_is_finite_and_bounded(client: TestClient, dial: str, value: float, fragment: str) -> None:
    before = client.get("/api/chaos").json()["chaos"]
    body = f'{{"chaos": {{"demo-a": {{"{dial}": {value}}}}}}}'.replace("nan", "NaN").replace("inf", "Infinity")
    response = client.patch("/api/chaos", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert f"demo-a.{dial}" in message and fragment in message
    assert client.get("/api/chaos").json()["chaos"] == before


@pytest.mark.parametrize(
    ("dial", "value"), [("latency_multiplier", "nan"), ("latency_multiplier", "1e308"), ("error_rate", "inf")]
)
def test_the_panel_form_refuses_out_of_range_dials(client: TestClient, dial: str, value: str) -> None:
    response = client.post("/ui/chaos/dials", data={"provider": "demo-a", dial: value})
    assert response.status_code == 422
    assert f"demo-a.{dial}" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("dials", "words"),
    [
        (Dials(), "none"),
        (Dials(outage=True, error_rate=0.5), "down"),
        (Dials(error_rate=0.2), "20% errors"),
        (Dials(error_rate=0.3, rate_limit_rate=0.1), "30% errors, 10% 429s"),
        (Dials(latency_multiplier=3.0), "3× slower"),
        (Dials(latency_multiplier=2.5, timeout_rate=0.07), "7% timeouts, 2.5× slower"),
        (Dials(cut_rate=0.5, cut_after_tokens=5), "50% of streams cut after 5 chunks"),
        (
            Dials(malformed_rate=1.0, loop_rate=0.25, bounce_rate=0.125),
            "100% garbled answers, 25% repeated tool calls, 12.5% hand-backs",
        ),
        (Dials(retry_after_s=9.0, cut_after_tokens=3), "none"),  # settings of faults that are off
    ],
)
def test_dials_are_said_in_words(dials: Dials, words: str) -> None:
    assert dial_words(dials) == words


def test_every_chaos_preset_reads_as_words_with_no_dial_names() -> None:
    for preset in PRESETS.values():
        for dials in preset.values():
            said = dial_words(dials)
            assert said != "none" and "_" not in said and "=" not in said


def test_faults_outside_the_model_in_words() -> None:
    assert agent_fault_words(AgentFaults()) == "none"
    assert agent_fault_words(AgentFaults(tool_fault_rate=0.3)) == "30% tool faults"
    both = agent_fault_words(AgentFaults(tool_fault_rate=0.05, poisoned_article=True))
    assert both == "5% tool faults, poisoned article planted"
    assert [percent(0.2), percent(0.07), percent(1.0), percent(0.333)] == ["20%", "7%", "100%", "33.3%"]


def test_the_api_says_the_faults_in_words_too(client: TestClient) -> None:
    view = client.patch("/api/chaos", json={"preset": "primary-down-secondary-flaky"}).json()
    assert view["words"] == {"demo-a": "down", "demo-b": "30% errors", "agent": "none"}
    flaky_tools = client.patch("/api/chaos", json={"preset": "flaky-tools"}).json()["words"]
    assert flaky_tools["agent"] == "30% tool faults" and flaky_tools["demo-a"] == "none"


def test_the_live_charts_count_the_tier_that_served(client: TestClient) -> None:
    assert ask(client, new_conversation(client), "where is my order?")[-1][1]["tier_served"] == "primary"
    client.patch("/api/chaos", json={"preset": "primary-down"})
    assert ask(client, new_conversation(client), "where is my order?")[-1][1]["tier_served"] == "secondary"
    live = client.get("/api/metrics/live").json()
    (current,) = [c for c in live["configurations"] if c["current"]]
    assert "secondary" in live["tiers"] and current["tiers"]["secondary"] >= 1
    assert live["tiers"].index("primary") < live["tiers"].index("secondary")


def test_the_miscited_dial_is_on_the_panel_and_in_words(client: TestClient) -> None:
    assert 'name="citation_fault_rate"' in client.get("/ui/chaos").text
    form = {"provider": "demo-a", "citation_fault_rate": "0.5"}
    panel = client.post("/ui/chaos/dials", data=form)
    assert panel.status_code == 200 and "50% citations of articles not retrieved" in panel.text
    assert client.get("/api/chaos").json()["chaos"]["demo-a"]["citation_fault_rate"] == 0.5
    assert client.post("/ui/chaos/dials", data={**form, "citation_fault_rate": "2"}).status_code == 422
