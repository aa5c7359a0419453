"""The call log and replay on the operator's side: a stored call is sent again exactly (a recording
provider sees the same request, byte for byte), to the same or another model, both answers come
back with their figures; anyone but the operator is refused as on the rest of the operator's side,
an unknown call or model is a 4xx naming it, the kill switch stops a replay, and every replay is
audited and charged to the operator's replay window."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from switchboard.agents.llm.exchange import canonical, request_from_json
from switchboard.agents.llm.prices import price_of
from switchboard.agents.llm.providers.demo.provider import DemoProvider
from switchboard.app.services import Services
from switchboard.app.web.main import create_app
from switchboard.patterns.spend_budget import replay_key
from tests.app.web.chatting import ask, new_conversation
from tests.conftest import ADMIN, SAME_SITE, fast_settings, sign_in
from tests.fakes import ProviderRequests

QUESTION = "Where is my order 10049?"


@pytest.fixture(scope="module")
def operator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app of this module's own: its kill switch stays out of the shared app's turns."""
    with TestClient(create_app(fast_settings(tmp_path_factory.mktemp("calls"))), headers=ADMIN) as client:
        client.patch("/api/flags", json={"online_evals": False})
        yield client


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> ProviderRequests:
    return ProviderRequests().install(monkeypatch, DemoProvider)


@pytest.fixture(autouse=True)
def calls_running(operator: TestClient) -> Iterator[None]:
    operator.put("/api/kill-switch", json={"on": False})
    yield
    operator.cookies.clear()
    operator.put("/api/kill-switch", json={"on": False})


def played(operator: TestClient, customer: str = "C1001") -> dict[str, Any]:
    """A turn's record; the client is signed out again, so it is the operator alone."""
    record: dict[str, Any] = ask(operator, new_conversation(operator, customer), QUESTION)[-1][1]
    operator.cookies.clear()
    assert record["calls"]
    return record


def replay(client: TestClient, record: dict[str, Any], index: int = 0, **body: Any) -> Any:
    return client.post(f"/api/records/{record['id']}/calls/{index}/replay", json=body, headers=SAME_SITE)


def services_of(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


def test_a_replay_sends_the_stored_request_again_byte_for_byte(operator: TestClient, sent: ProviderRequests) -> None:
    record = played(operator)
    index = len(record["calls"]) - 1  # the answer's call: the one the customer read
    original = sent.requests[index]
    stored = operator.get(f"/api/records/{record['id']}/calls/{index}").json()
    assert canonical(request_from_json(stored["request"])) == canonical(original)
    body = replay(operator, record, index)
    assert body.status_code == 200, body.text
    again = sent.requests[-1]
    assert canonical(again) == canonical(original) and again is not original
    result = body.json()
    assert result["original"]["text"] == stored["answer"]["text"] and result["original"]["model"] == original.model
    assert result["replayed"]["model"] == original.model and result["replayed"]["text"] == result["original"]["text"]


def test_replayed_against_another_model_that_model_answers_and_is_priced(
    operator: TestClient, sent: ProviderRequests
) -> None:
    record = played(operator)
    index = len(record["calls"]) - 1
    stored = operator.get(f"/api/records/{record['id']}/calls/{index}").json()
    other = "demo-small" if stored["request"]["model"] != "demo-small" else "demo-large"
    result = replay(operator, record, index, model=other).json()
    assert sent.requests[-1].model == other
    side = result["replayed"]
    assert side["model"] == other and side["output_tokens"] > 0 and side["duration_ms"] >= 0
    assert side["cost_usd"] == pytest.approx(price_of(other).cost(side["input_tokens"], side["output_tokens"]))
    assert result["request"]["model"] == stored["request"]["model"]  # the stored request is shown as it was


def test_a_replay_is_audited_and_charged_to_the_operators_replay_window(operator: TestClient) -> None:
    record = played(operator)
    services = services_of(operator)
    key = replay_key(services.now())
    before = operator.portal.call(services.ledger.spent, [key])[key]  # type: ignore[union-attr]
    result = replay(operator, record).json()
    operator.portal.call(services.spend.settled)  # type: ignore[union-attr]
    after = operator.portal.call(services.ledger.spent, [key])[key]  # type: ignore[union-attr]
    assert (
        after.usd - before.usd == pytest.approx(result["replayed"]["cost_usd"], abs=1e-6)
        and after.tokens > before.tokens
    )
    (entry,) = operator.get("/api/audit", params={"action": "call.replay", "limit": 1}).json()["entries"]
    assert entry["target"] == f"{record['id']}/0" and entry["after"]["model"] == result["replayed"]["model"]


def test_with_the_kill_switch_on_a_replay_is_refused_and_no_model_is_called(
    operator: TestClient, sent: ProviderRequests
) -> None:
    record = played(operator)
    operator.put("/api/kill-switch", json={"on": True, "reason": "incident"})
    calls = len(sent.requests)
    refused = replay(operator, record)
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "kill_switch_on"
    assert "kill switch" in refused.json()["error"]["message"] and len(sent.requests) == calls


def test_an_unknown_model_is_a_422_naming_the_models_there_are(operator: TestClient) -> None:
    refused = replay(operator, played(operator), model="gpt-9")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unknown_model"
    assert "gpt-9" in refused.json()["error"]["message"] and "demo-small" in refused.json()["error"]["message"]


def test_an_unknown_record_or_index_is_a_404(operator: TestClient) -> None:
    record = played(operator)
    for path in ("/api/records/r_nope/calls/0", f"/api/records/{record['id']}/calls/{len(record['calls'])}"):
        assert operator.get(path).status_code == 404
        assert operator.post(f"{path}/replay", json={}, headers=SAME_SITE).status_code == 404
    assert operator.get("/api/records/r_nope/calls").status_code == 404


def test_a_customer_even_the_turns_own_is_refused_like_the_rest_of_the_operators_side(operator: TestClient) -> None:
    record = played(operator)
    owner = sign_in(operator, record["customer_id"])  # the turn's own customer's session, as bearer headers
    operator.cookies.clear()
    path = f"/api/records/{record['id']}/calls/0"
    outsider = TestClient(operator.app)  # no admin token of its own
    for headers in ({}, owner, {"X-Admin-Token": "wrong"}):
        assert outsider.get(path, headers=headers).status_code == 401
        assert outsider.post(f"{path}/replay", json={}, headers={**SAME_SITE, **headers}).status_code == 401
        assert outsider.get(f"/records/{record['id']}/calls/0", headers=headers).status_code == 401
    assert outsider.get(f"/api/records/{record['id']}", headers=owner).status_code == 200  # the record itself is theirs


def test_narrowed_to_another_storefront_the_call_does_not_exist(operator: TestClient) -> None:
    record = played(operator)
    assert record["tenant_id"] == "tidewater"
    path = f"/api/records/{record['id']}/calls/0"
    assert operator.get(path, params={"tenant": "summit"}).status_code == 404
    assert operator.post(f"{path}/replay?tenant=summit", json={}, headers=SAME_SITE).status_code == 404
    assert operator.get(path, params={"tenant": "tidewater"}).status_code == 200
    assert operator.get(f"/api/records/{record['id']}/calls", params={"tenant": "summit"}).status_code == 404


def test_the_list_follows_the_records_calls(operator: TestClient) -> None:
    record = played(operator)
    listed = operator.get(f"/api/records/{record['id']}/calls").json()
    assert [c["index"] for c in listed] == list(range(len(record["calls"])))
    assert [c["call"] for c in listed] == record["calls"]


def test_the_page_shows_the_original_beside_a_replay_form(operator: TestClient) -> None:
    record = played(operator)
    index = len(record["calls"]) - 1
    stored = operator.get(f"/api/records/{record['id']}/calls/{index}").json()
    page = operator.get(f"/records/{record['id']}/calls/{index}")
    assert page.status_code == 200
    assert (
        'id="answer-original"' in page.text and 'id="answer-replayed"' in page.text and 'id="replay-model"' in page.text
    )
    assert f"/api/records/{record['id']}/calls/{index}/replay" in page.text
    first_line = stored["answer"]["text"].splitlines()[0]
    assert first_line.replace("'", "&#39;").replace('"', "&#34;") in page.text or first_line in page.text


def test_a_bad_body_is_a_422(operator: TestClient) -> None:
    record = played(operator)
    assert replay(operator, record, model="").status_code == 422
    assert replay(operator, record, temperature=2).status_code == 422


def test_the_agent_view_links_calls_to_replay_for_the_operator_only(operator: TestClient) -> None:
    owner = sign_in(operator, "C1001")
    assert "data-operator" in operator.get("/").text
    operator.cookies.clear()
    customers_page = TestClient(operator.app).get("/", headers=owner)
    assert customers_page.status_code == 200 and 'id="agent-view"' in customers_page.text
    assert "data-operator" not in customers_page.text
