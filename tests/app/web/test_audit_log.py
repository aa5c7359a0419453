"""The audit log over HTTP: each operator action leaves exactly one entry with what it changed, a
refused one leaves none, and the page, the JSON and the CSV are the operator's only."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from switchboard.app.services import Services
from switchboard.app.shop.audit import AuditLog
from switchboard.app.web.main import create_app
from tests.app.web.test_console import open_big_refund
from tests.conftest import ADMIN, SAME_SITE, fast_settings, sign_in

AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
OPERATOR = {**ADMIN, "User-Agent": "audit-test/1.0"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The operator's client, on an app whose audit log reads a fixed clock."""
    with TestClient(create_app(fast_settings(tmp_path_factory.mktemp("audit"))), headers=OPERATOR) as test_client:
        services: Services = test_client.app.state.services  # type: ignore[attr-defined]
        services.audit = AuditLog(services.sessions, lambda: AT)
        yield test_client


@pytest.fixture(autouse=True)
def _defaults(client: TestClient) -> Iterator[None]:
    yield
    client.cookies.clear()
    client.patch("/api/flags", json={"preset": "all-on"})
    client.patch("/api/chaos", json={"preset": "calm"})


def newest_id(client: TestClient) -> int:
    entries = client.get("/api/audit", params={"limit": 1}).json()["entries"]
    return int(entries[0]["id"]) if entries else 0


def since(client: TestClient, marker: int) -> list[dict[str, Any]]:
    """The entries written after `marker`, oldest first."""
    entries = client.get("/api/audit", params={"limit": 200}).json()["entries"]
    return [e for e in reversed(entries) if e["id"] > marker]


def only_entry(client: TestClient, marker: int) -> dict[str, Any]:
    (entry,) = since(client, marker)
    return entry


def test_a_flag_change_over_the_api_records_only_the_flag_that_changed(client: TestClient) -> None:
    marker = newest_id(client)
    assert client.patch("/api/flags", json={"flags": {"rag": False, "router": True}}).status_code == 200
    entry = only_entry(client, marker)
    assert (entry["action"], entry["before"], entry["after"]) == ("flags.set", {"rag": True}, {"rag": False})
    assert entry["at"].startswith("2026-12-04T09:30:00") and entry["target"] == ""
    assert (entry["sign_in"], entry["address"], entry["user_agent"]) == ("admin_token", "testclient", "audit-test/1.0")


def test_a_preset_records_its_name_and_every_flag_it_moved(client: TestClient) -> None:
    client.patch("/api/flags", json={"flags": {"rag": False}})
    marker = newest_id(client)
    client.patch("/api/flags", json={"preset": "all-on"})
    entry = only_entry(client, marker)
    assert (entry["action"], entry["target"], entry["before"], entry["after"]) == (
        "flags.preset",
        "all-on",
        {"rag": False},
        {"rag": True},
    )


def test_the_panels_flag_form_is_recorded_like_the_api(client: TestClient) -> None:
    marker = newest_id(client)
    assert client.post("/ui/flags", data={"name": "rag", "value": "off"}).status_code == 200
    entry = only_entry(client, marker)
    assert (entry["action"], entry["before"], entry["after"]) == ("flags.set", {"rag": True}, {"rag": False})


def test_chaos_dials_and_presets_record_the_dials_they_moved(client: TestClient) -> None:
    marker = newest_id(client)
    client.patch("/api/chaos", json={"chaos": {"demo-b": {"error_rate": 0.3}}})
    dial = only_entry(client, marker)
    assert dial["action"] == "chaos.set"
    assert dial["before"] == {"preset": "calm", "chaos": {"demo-b": {"error_rate": 0.0}}}
    assert dial["after"] == {"preset": "custom", "chaos": {"demo-b": {"error_rate": 0.3}}}
    marker = newest_id(client)
    client.post("/ui/chaos", data={"preset": "calm"})
    preset = only_entry(client, marker)
    assert (preset["action"], preset["target"]) == ("chaos.preset", "calm")
    assert preset["after"] == {"preset": "calm", "chaos": {"demo-b": {"error_rate": 0.0}}}


def test_the_panels_dial_form_is_recorded(client: TestClient) -> None:
    marker = newest_id(client)
    assert client.post("/ui/chaos/dials", data={"provider": "demo-a", "outage": "on"}).status_code == 200
    entry = only_entry(client, marker)
    assert entry["action"] == "chaos.set" and entry["after"]["chaos"] == {"demo-a": {"outage": True}}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/flags", {"flags": {"no_such_flag": True}}),
        ("PATCH", "/api/flags", {"preset": "chapter-99"}),
        ("PATCH", "/api/chaos", {"chaos": {"demo-a": {"error_rate": 7}}}),
        ("PUT", "/api/budgets", {"customer_day": {"max_usd": -1}}),
    ],
)
def test_a_refused_change_leaves_no_entry(client: TestClient, method: str, path: str, body: dict[str, Any]) -> None:
    marker = newest_id(client)
    assert client.request(method, path, json=body).status_code == 422
    assert since(client, marker) == []


def test_a_budget_change_records_the_window_it_changed(client: TestClient) -> None:
    marker = newest_id(client)
    before = client.get("/api/budgets").json()["customer_day"]
    assert before == {"action": "degrade", "max_tokens": None, "max_usd": 0.5}
    client.put("/api/budgets", json={"customer_day": {"action": "refuse", "max_tokens": 5000}})
    entry = only_entry(client, marker)  # a window sent replaces the window: its max_usd is gone
    assert entry["action"] == "budgets.change" and entry["before"] == {"customer_day": before}
    assert entry["after"] == {"customer_day": {"action": "refuse", "max_tokens": 5000, "max_usd": None}}
    marker = newest_id(client)
    form = {"window": "customer_day", "action": "degrade", "max_tokens": "", "max_usd": "0.5"}
    assert client.post("/ui/budgets", data=form).status_code == 200
    assert only_entry(client, marker)["after"] == {"customer_day": before}


def test_the_kill_switch_is_recorded_on_the_api_and_the_panel(client: TestClient) -> None:
    marker = newest_id(client)
    client.put("/api/kill-switch", json={"on": True, "reason": "provider incident"})
    entry = only_entry(client, marker)
    assert entry["action"] == "kill_switch.set" and entry["after"]["on"] is True
    assert entry["before"]["on"] is False and entry["after"]["reason"] == "provider incident"
    marker = newest_id(client)
    assert client.post("/ui/kill-switch", data={"on": "false"}).status_code == 200
    assert only_entry(client, marker)["after"]["on"] is False


def test_take_over_reply_and_hand_back_each_leave_one_entry(client: TestClient) -> None:
    customer = sign_in(client, "C1001")
    conversation = client.post("/api/conversations", json={}, headers=customer).json()["id"]
    client.cookies.clear()
    marker = newest_id(client)
    client.post(f"/api/conversations/{conversation}/takeover", json={"on": True})
    note = 'Refund sent, "today", promise\n=1+1'
    client.post(f"/api/conversations/{conversation}/human-reply", json={"text": note})
    client.post(f"/api/conversations/{conversation}/takeover", json={"on": False})
    took, replied, gave_back = since(client, marker)
    assert (took["action"], took["target"]) == ("conversation.take_over", conversation)
    assert (took["before"], took["after"]) == ({"taken_over": False}, {"taken_over": True})
    assert replied["action"] == "conversation.human_reply" and replied["note"] == note
    assert replied["after"]["message_ids"][0].startswith("m_")
    assert (gave_back["action"], gave_back["after"]) == ("conversation.hand_back", {"taken_over": False})


def test_an_approval_decision_is_recorded_and_a_refused_one_is_not(client: TestClient) -> None:
    waiting = open_big_refund(client)
    client.cookies.clear()
    marker = newest_id(client)
    assert client.post(f"/api/approvals/{waiting}", json={"decision": "edit"}).status_code == 422
    assert since(client, marker) == []
    decided = client.post(f"/ui/approvals/{waiting}", data={"decision": "deny", "note": "Outside the window"})
    assert decided.status_code == 200
    entry = only_entry(client, marker)
    assert (entry["action"], entry["target"], entry["note"]) == ("approval.deny", waiting, "Outside the window")
    assert entry["before"]["status"] == "pending" and entry["before"]["request"]["order_id"] == "10049"
    assert entry["after"]["status"] == "deny"
    assert client.post(f"/api/approvals/{waiting}", json={"decision": "approve"}).status_code == 409
    assert len(since(client, marker)) == 1  # deciding twice is refused, and not recorded


def test_the_cookie_sign_in_is_named_and_the_token_never_stored(client: TestClient) -> None:
    browser = TestClient(client.app)  # no header: it signs in at /admin, as a person does
    assert browser.get("/admin", params={"token": "test-admin"}, follow_redirects=False).status_code == 303
    marker = newest_id(client)
    assert browser.patch("/api/flags", json={"flags": {"rag": False}}, headers=SAME_SITE).status_code == 200
    assert only_entry(client, marker)["sign_in"] == "admin_cookie"
    everything = client.get("/api/audit", params={"limit": 200}).text + client.get("/api/audit.csv").text
    assert "test-admin" not in everything


def test_the_csv_export_round_trips_through_pythons_csv_module(client: TestClient) -> None:
    customer = sign_in(client, "C1002")
    conversation = client.post("/api/conversations", json={}, headers=customer).json()["id"]
    client.cookies.clear()
    note = '=SUM(A1:A9), "quoted", and\na new line'
    client.post(f"/api/conversations/{conversation}/human-reply", json={"text": note})
    response = client.get("/api/audit.csv", params={"action": "conversation.human_reply"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    mine = [r for r in rows if r["target"] == conversation]
    assert [r["note"] for r in mine] == ["'" + note]
    assert {r["action"] for r in rows} == {"conversation.human_reply"}
    assert json.loads(mine[0]["after"])["message_ids"][0].startswith("m_")


def test_the_list_pages_on_newest_first(client: TestClient) -> None:
    for value in (False, True, False):
        client.patch("/api/flags", json={"flags": {"rag": value}})
    first = client.get("/api/audit", params={"limit": 2, "action": "flags.set"}).json()
    ids = [e["id"] for e in first["entries"]]
    assert ids == sorted(ids, reverse=True) and first["next_before"] == ids[-1]
    older = client.get("/api/audit", params={"limit": 2, "action": "flags.set", "before": ids[-1]}).json()
    assert all(e["id"] < ids[-1] for e in older["entries"]) and older["entries"]


@pytest.mark.parametrize(
    "params",
    [{"action": "flags.delete"}, {"limit": 0}, {"limit": 201}, {"before": "abc"}, {"before": 0}],
)
def test_a_bad_filter_is_a_422_naming_it(client: TestClient, params: dict[str, object]) -> None:
    for path in ("/api/audit", "/audit"):
        response = client.get(path, params=params)
        assert response.status_code == 422, path
        assert next(iter(params)) in response.json()["error"]["message"]
    if "action" in params:
        assert client.get("/api/audit.csv", params=params).status_code == 422


@pytest.mark.parametrize("path", ["/audit", "/api/audit", "/api/audit.csv"])
def test_the_page_and_the_apis_are_the_operators(client: TestClient, path: str) -> None:
    anonymous = TestClient(client.app)
    assert anonymous.get(path).status_code == 401
    assert anonymous.get(path, headers={"X-Admin-Token": "guess"}).status_code == 401
    sign_in(anonymous, "C1001")
    assert anonymous.get(path).status_code == 401  # a customer is not the operator


def test_the_page_shows_the_entries_filtered_and_is_linked_from_the_nav(client: TestClient) -> None:
    client.patch("/api/chaos", json={"preset": "slow"})
    page = client.get("/audit").text
    assert 'href="/audit"' in client.get("/switchboard").text
    assert "chaos.preset" in page and "Download as CSV" in page
    filtered = client.get("/audit", params={"action": "budgets.change"}).text
    assert '<th scope="row">chaos.preset</th>' not in filtered
    assert 'href="/audit"' not in TestClient(client.app).get("/").text  # customers get no link
