"""The kill switch on the API and the panel: the operator turns it (a bad body is a 422 and changes
nothing), the panel and the console show it red while it is on, customers are answered without a
model, and nobody but the operator reads or turns it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.app.web.chatting import answer_of, ask, new_conversation
from tests.conftest import ADMIN, SAME_SITE, fast_settings


@pytest.fixture(scope="module")
def operator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app of this module's own: its switch stays out of the shared app's turns."""
    with TestClient(create_app(fast_settings(tmp_path_factory.mktemp("kill"))), headers=ADMIN) as client:
        yield client


@pytest.fixture(autouse=True)
def switched_off(operator: TestClient) -> Iterator[None]:
    """Each test starts and ends with model calls running and nobody signed in."""
    operator.put("/api/kill-switch", json={"on": False})
    yield
    operator.cookies.clear()
    operator.put("/api/kill-switch", json={"on": False})


def test_the_switch_starts_off(operator: TestClient) -> None:
    assert operator.get("/api/kill-switch").json()["on"] is False


def test_turned_on_customers_are_answered_without_a_model_and_off_again_by_one(operator: TestClient) -> None:
    turned = operator.put("/api/kill-switch", json={"on": True, "reason": "provider incident"})
    assert turned.status_code == 200 and turned.json()["on"] is True and turned.json()["reason"] == "provider incident"
    conversation = new_conversation(operator, "C1001")
    events = ask(operator, conversation, "Is shipping to Canada something you do?")
    record = events[-1][1]
    assert (record["outcome"], record["tier_served"], record["degraded_reason"]) == (
        "degraded",
        "kb-only",
        "kill switch on",
    )
    assert record["calls"] == [] and "unavailable right now" in answer_of(events)
    operator.cookies.clear()
    off = operator.put("/api/kill-switch", json={"on": False}).json()
    assert off["on"] is False and off["reason"] == ""  # the reason for a stop is stale once resumed
    again = ask(operator, new_conversation(operator, "C1001"), "Is shipping to Canada something you do?")[-1][1]
    assert again["outcome"] == "answered" and again["calls"]


def test_the_panel_and_the_console_show_the_switch_red_while_it_is_on(operator: TestClient) -> None:
    assert 'data-kill-switch="off"' in operator.get("/switchboard").text
    operator.put("/api/kill-switch", json={"on": True, "reason": "bad answers"})
    for page in ("/switchboard", "/console", "/ui/kill-switch"):
        html = operator.get(page).text
        assert 'class="kill-banner" role="alert" data-kill-switch="on"' in html and "Why: bad answers" in html
    operator.put("/api/kill-switch", json={"on": True, "reason": "<script>alert(1)</script>"})
    assert "<script>alert" not in operator.get("/switchboard").text  # the operator's note is text, not markup


def test_the_panel_toggle_turns_the_switch(operator: TestClient) -> None:
    on = operator.post("/ui/kill-switch", data={"on": "true", "reason": "drill"})
    assert on.status_code == 200 and 'data-kill-switch="on"' in on.text and "Why: drill" in on.text
    assert operator.get("/api/kill-switch").json()["on"] is True
    off = operator.post("/ui/kill-switch", data={"on": "false"})
    assert 'data-kill-switch="off"' in off.text and operator.get("/api/kill-switch").json()["on"] is False
    assert operator.post("/ui/kill-switch", data={"on": "maybe"}).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "on"),
        ({"on": "yes"}, "on"),
        ({"on": 1}, "on"),
        ({"reason": "drill"}, "on"),
        ({"on": True, "reason": "x" * 201}, "reason"),
        ({"on": True, "reason": 7}, "reason"),
        ({"on": True, "why": "drill"}, "why"),
    ],
)
def test_a_bad_body_is_a_422_naming_its_field_and_changes_nothing(
    operator: TestClient, body: dict[str, Any], field: str
) -> None:
    before = operator.get("/api/kill-switch").json()
    response = operator.put("/api/kill-switch", json=body)
    assert response.status_code == 422 and response.json()["error"]["message"].startswith(f"{field}:")
    assert operator.get("/api/kill-switch").json() == before


def test_a_body_that_is_not_json_is_a_400(operator: TestClient) -> None:
    response = operator.put("/api/kill-switch", content=b"{on: true", headers={"content-type": "application/json"})
    assert response.status_code == 400 and operator.get("/api/kill-switch").json()["on"] is False


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/kill-switch"), ("PUT", "/api/kill-switch"), ("GET", "/ui/kill-switch"), ("POST", "/ui/kill-switch")],
)
def test_only_the_operator_reads_or_turns_the_switch(operator: TestClient, method: str, path: str) -> None:
    new_conversation(operator, "C1001")  # a signed-in customer, without the operator's token
    body: dict[str, Any] = {"json": {"on": True}} if method == "PUT" else {"data": {"on": "true"}}
    response = operator.request(method, path, headers={"X-Admin-Token": "", **SAME_SITE}, **body)
    assert response.status_code == 401
    operator.cookies.clear()
    assert operator.get("/api/kill-switch").json()["on"] is False


def test_a_signed_in_operators_browser_cannot_be_made_to_turn_it_from_another_site(operator: TestClient) -> None:
    signed = operator.post("/admin", data={"token": "test-admin"}, headers=SAME_SITE, follow_redirects=False)
    assert signed.status_code == 303

    def by_cookie(origin: str) -> int:
        request = operator.build_request("PUT", "/api/kill-switch", json={"on": True}, headers={"Origin": origin})
        del request.headers["X-Admin-Token"]  # the browser's cookie is its only credential
        return operator.send(request).status_code

    assert by_cookie("https://evil.example") == 403 and operator.get("/api/kill-switch").json()["on"] is False
    assert by_cookie(SAME_SITE["Origin"]) == 200 and operator.get("/api/kill-switch").json()["on"] is True
