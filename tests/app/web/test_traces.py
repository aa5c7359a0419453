"""A turn's trace over HTTP (`tracing`): one trace per turn, nested spans with the GenAI
attributes, retries and failover visible, personal data masked as in the record, nothing with
the switch off, and the viewer scoped like the turn's record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.app.web.chatting import ask
from tests.conftest import ADMIN, fast_settings, sign_in

OWNER, STRANGER = "C1001", "C1002"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(fast_settings(tmp_path_factory.mktemp("traces"))), headers=ADMIN) as client:
        yield client


@pytest.fixture(autouse=True)
def tracing_on(app: TestClient) -> Iterator[None]:
    app.patch("/api/flags", json={"preset": "all-on"})
    app.patch("/api/flags", json={"flags": {"tracing": True}})
    yield
    app.patch("/api/chaos", json={"preset": "calm"})
    app.app.state.services.gateway.policies.breakers.clear()  # type: ignore[attr-defined]
    app.patch("/api/flags", json={"preset": "all-on"})
    app.cookies.clear()


def turn(client: TestClient, text: str, customer: str = OWNER) -> dict[str, Any]:
    """A turn in a new conversation of `customer`'s; its `done` record."""
    sign_in(client, customer)
    conversation = client.post("/api/conversations", json={}).json()["id"]
    events = ask(client, conversation, text)
    done: dict[str, Any] = next(data for name, data in events if name == "done")
    return done


def spans_of(client: TestClient, trace_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/traces/{trace_id}")
    assert response.status_code == 200, response.text
    spans: list[dict[str, Any]] = response.json()["spans"]
    return spans


def parent_names(spans: list[dict[str, Any]]) -> dict[str, str | None]:
    """Each span's name → its parent's name (the first span of each name)."""
    by_id = {s["span_id"]: s for s in spans}
    found: dict[str, str | None] = {}
    for s in spans:
        parent = by_id.get(s["parent_span_id"] or "")
        found.setdefault(s["name"], parent["name"] if parent else None)
    return found


def test_a_turn_makes_one_trace_request_turn_node_call_attempt(app: TestClient) -> None:
    record = turn(app, "where is my order?")
    spans = spans_of(app, record["trace_id"])
    assert {s["record_id"] for s in [app.get(f"/api/traces/{record['trace_id']}").json()]} == {record["id"]}
    parents = parent_names(spans)
    assert parents["POST /api/conversations/{conversation_id}/messages"] is None  # the root
    assert parents["turn"] == "POST /api/conversations/{conversation_id}/messages"
    assert parents["node router"] == "turn"
    assert parents["gateway router"] == "node router"
    attempt = next(
        s for s in spans if s["name"].startswith("chat ") and s["attributes"]["switchboard.purpose"] == "router"
    )
    assert parents[attempt["name"]].startswith("gateway ")
    tool = next(s for s in spans if s["name"].startswith("execute_tool "))
    assert parents[tool["name"]].startswith("node ")
    for s in spans:
        assert s["start_ns"] <= s["end_ns"]


def test_a_help_centre_question_has_a_retrieval_span_under_the_knowledge_node(app: TestClient) -> None:
    record = turn(app, "how do I return a tent?")
    spans = spans_of(app, record["trace_id"])
    retrieval = next(s for s in spans if s["name"] == "retrieval")
    assert parent_names(spans)["retrieval"] in ("node knowledge", "execute_tool search_kb")
    assert retrieval["attributes"]["switchboard.retrieval.sources"]
    assert retrieval["attributes"]["gen_ai.operation.name"] == "retrieval"


def test_attempt_spans_carry_the_genai_attributes_and_their_index_in_the_record(app: TestClient) -> None:
    record = turn(app, "where is my order?")
    attempts = [s for s in spans_of(app, record["trace_id"]) if s["kind"] == "client"]
    assert len(attempts) == len(record["calls"]) >= 2
    for span in attempts:
        a = span["attributes"]
        call = record["calls"][a["switchboard.call_index"]]
        assert a["gen_ai.operation.name"] == "chat"
        assert a["gen_ai.provider.name"] == a["gen_ai.system"] == call["provider"]
        assert a["gen_ai.request.model"] and a["gen_ai.response.model"] == call["model"]
        assert a["gen_ai.usage.input_tokens"] == call["input_tokens"]
        assert a["gen_ai.usage.output_tokens"] == call["output_tokens"]
        assert a["gen_ai.response.finish_reasons"][0] in ("stop", "tool_calls")
    assert sorted(s["attributes"]["switchboard.call_index"] for s in attempts) == list(range(len(attempts)))
    whole = next(s for s in spans_of(app, record["trace_id"]) if s["name"] == "turn")["attributes"]
    assert whole["switchboard.outcome"] == record["outcome"]
    assert whole["switchboard.tier_served"] == record["tier_served"]
    assert whole["switchboard.cost_usd"] == pytest.approx(record["cost_usd"])
    assert "tracing" in whole["switchboard.flags"]
    prompts = app.app.state.services.prompts.versions()  # type: ignore[attr-defined]
    assert whole["switchboard.prompt.router"] == prompts["router"]


def test_a_failover_shows_as_a_failed_attempt_its_sibling_and_an_event(app: TestClient) -> None:
    app.patch("/api/chaos", json={"preset": "primary-down"})
    record = turn(app, "where is my order?")
    spans = spans_of(app, record["trace_id"])
    call = next(s for s in spans if s["name"] == "gateway router")
    attempts = [s for s in spans if s["parent_span_id"] == call["span_id"]]
    providers = [
        (s["attributes"]["gen_ai.provider.name"], s["status"]) for s in sorted(attempts, key=lambda s: s["start_ns"])
    ]
    assert providers[0] == ("demo-a", "error")
    assert providers[-1] == ("demo-b", "unset")
    assert any(e["name"] == "failover" and e["attributes"]["provider"] == "demo-b" for e in call["events"])
    failed = attempts[0]["attributes"]
    assert record["calls"][failed["switchboard.call_index"]]["error"] == failed["switchboard.error"] != ""


def test_a_retry_shows_as_an_event_on_the_call(app: TestClient) -> None:
    app.patch("/api/flags", json={"flags": {"failover": False, "circuit_breaker": False}})
    app.patch("/api/chaos", json={"chaos": {"demo-a": {"error_rate": 1.0}}})
    record = turn(app, "where is my order?")
    call = next(s for s in spans_of(app, record["trace_id"]) if s["name"] == "gateway router")
    assert any(e["name"] == "retry" and e["attributes"]["attempt"] == 2 for e in call["events"])
    assert record["retries"] >= 1


def test_personal_data_is_masked_in_spans_as_in_the_record(app: TestClient) -> None:
    app.patch("/api/flags", json={"flags": {"pii_redaction": True}})
    email, card = "jo.bloggs@example.com", "4111 1111 1111 1111"
    record = turn(app, f"my email is {email} and my card {card}: where is my order?")
    stored = json.dumps(spans_of(app, record["trace_id"]))
    # (not "4111" alone: a random span id may hold those four digits)
    assert email not in stored and card not in stored and card.replace(" ", "") not in stored
    message = next(s for s in spans_of(app, record["trace_id"]) if s["name"] == "turn")["attributes"]
    assert "[EMAIL]" in message["switchboard.message"] and "[CARD]" in message["switchboard.message"]
    assert email not in json.dumps(record)  # the record, masked the same way


def test_spans_quote_what_the_record_stored_through_the_record_s_own_masker(app: TestClient) -> None:
    """One scan a text: a span's texts are masked by the app's shared masker, so they say what the
    record says and the record's own scan of the same text is a remembered answer."""
    app.patch("/api/flags", json={"flags": {"pii_redaction": True}})
    text = "my email is sam.spade@example.com: can you check order 10057 and how do I return a tent?"
    record = turn(app, text)
    spans = spans_of(app, record["trace_id"])
    masker = app.app.state.services.turns._masks  # type: ignore[attr-defined]  # the one it was built with
    missed = masker.cache_info().misses
    message = next(s for s in spans if s["name"] == "turn")["attributes"]["switchboard.message"]
    assert masker(text) == message and masker.cache_info().misses == missed  # the span's scan, kept
    tools = [s["attributes"]["switchboard.tool.arguments"] for s in spans if s["name"].startswith("execute_tool")]
    assert tools and tools == [json.dumps(t["arguments"], sort_keys=True) for t in record["tools"]]
    searched = [s["attributes"]["switchboard.retrieval.query"] for s in spans if s["name"] == "retrieval"]
    queried = [item["query"] for item in record["timeline"] if item["kind"] == "retrieval"]
    assert searched == queried


def test_with_the_switch_off_a_turn_makes_no_spans(app: TestClient) -> None:
    app.patch("/api/flags", json={"flags": {"tracing": False}})
    services = app.app.state.services  # type: ignore[attr-defined]
    before = len(services.traces.tracing.spans._pending)
    record = turn(app, "where is my order?")
    assert record["trace_id"] is None
    assert len(services.traces.tracing.spans._pending) == before
    assert app.get(f"/records/{record['id']}/trace", follow_redirects=False).status_code == 404


def test_spans_are_in_the_database_when_done_arrives(app: TestClient) -> None:
    """The runner writes the turn's spans with its record: nothing to wait for."""
    record = turn(app, "where is my order?")
    stored = app.portal.call(app.app.state.services.traces.trace, record["trace_id"])  # type: ignore[attr-defined]
    assert stored is not None and {"turn", "node router", "gateway router"} <= {s.name for s in stored.spans}
    assert stored.scope.customer_id == OWNER and stored.scope.record_id == record["id"]


def test_another_customer_s_trace_is_not_found_the_owner_s_is_shown(app: TestClient) -> None:
    record = turn(app, "where is my order?")
    trace_id = record["trace_id"]
    app.headers.pop("X-Admin-Token")
    try:
        sign_in(app, OWNER)
        assert app.get(f"/api/traces/{trace_id}").status_code == 200
        page = app.get(f"/traces/{trace_id}")
        assert page.status_code == 200 and 'id="waterfall"' in page.text
        assert 'data-replay=""' in page.text  # replaying a call is the operator's alone
        sign_in(app, STRANGER)
        for path in (f"/api/traces/{trace_id}", f"/traces/{trace_id}", f"/records/{record['id']}/trace"):
            assert app.get(path, follow_redirects=False).status_code == 404, path
        app.cookies.clear()
        assert app.get(f"/api/traces/{trace_id}").status_code == 404  # signed out: no such trace
    finally:
        app.headers.update(ADMIN)


def test_the_operator_s_viewer_offers_the_replay_of_each_model_call(app: TestClient) -> None:
    record = turn(app, "where is my order?")
    app.cookies.clear()  # the operator, by the admin header alone
    assert 'data-replay="on"' in app.get(f"/traces/{record['trace_id']}").text
    indexes = {
        s["attributes"]["switchboard.call_index"]
        for s in spans_of(app, record["trace_id"])
        if "switchboard.call_index" in s["attributes"]
    }
    assert indexes == set(range(len(record["calls"])))
    for index in indexes:  # each span's index names a stored call of the same turn
        stored = app.get(f"/api/records/{record['id']}/calls/{index}")
        assert stored.status_code == 200, stored.text


def test_an_unknown_trace_is_a_404_naming_it(app: TestClient) -> None:
    response = app.get("/api/traces/" + "0" * 32)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "trace_not_found"


def test_the_details_strip_and_a_record_link_to_the_trace(app: TestClient) -> None:
    record = turn(app, "where is my order?")
    assert f'href="/traces/{record["trace_id"]}"' in app.get(f"/ui/records/{record['id']}").text
    moved = app.get(f"/records/{record['id']}/trace", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/traces/{record['trace_id']}"


def test_a_canary_turn_s_span_names_the_versions_it_was_served(app: TestClient) -> None:
    app.put("/api/prompts/router/rollout", json={"candidate": "5-worse", "share": 100}).raise_for_status()
    try:
        record = turn(app, "where is my order?")
    finally:
        app.post("/api/prompts/router/rollback").raise_for_status()
    (turn_span,) = [s for s in spans_of(app, record["trace_id"]) if s["name"] == "turn"]
    assert record["prompt_versions"]["router"] == "5-worse"
    assert turn_span["attributes"]["switchboard.prompt.router"] == "5-worse"
    assert turn_span["attributes"]["switchboard.tool_schema"] == record["tool_schema"] != ""
