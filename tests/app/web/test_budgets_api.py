"""The budgets on the API and the panel: the operator reads and edits them (a bad value is a 422
naming its field, and changes nothing), sees spend per customer and tenant, and nobody else does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.app.web.chatting import ask, new_conversation
from tests.conftest import ADMIN, fast_settings


@pytest.fixture(scope="module")
def operator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app of this module's own: its budget edits stay out of the shared app's turns."""
    with TestClient(create_app(fast_settings(tmp_path_factory.mktemp("budgets"))), headers=ADMIN) as client:
        yield client


def error_of(response: Any) -> str:
    assert response.status_code == 422, response.text
    return str(response.json()["error"]["message"])


def test_the_budgets_start_from_the_settings(operator: TestClient) -> None:
    budgets = operator.get("/api/budgets").json()
    assert budgets["request"] == {"action": "refuse", "max_tokens": 20_000, "max_usd": 0.05}
    assert budgets["customer_day"] == {"action": "degrade", "max_tokens": None, "max_usd": 0.5}
    assert budgets["tenant_month"] == {"action": "warn", "max_tokens": None, "max_usd": 500.0}


def test_an_edit_replaces_the_budgets_it_names_and_keeps_the_others(operator: TestClient) -> None:
    before = operator.get("/api/budgets").json()
    edited = operator.put("/api/budgets", json={"customer_day": {"action": "refuse", "max_tokens": 5000}})
    assert edited.status_code == 200
    assert edited.json()["customer_day"] == {"action": "refuse", "max_tokens": 5000, "max_usd": None}
    assert operator.get("/api/budgets").json() == {**before, "customer_day": edited.json()["customer_day"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer_day": {"action": "explode"}}, "customer_day.action"),
        ({"customer_day": {"action": "warn", "max_usd": -1}}, "customer_day.max_usd"),
        ({"request": {"action": "warn", "max_tokens": "lots"}}, "request.max_tokens"),
        ({"request": {"action": "warn", "max_tokens": 0}}, "request.max_tokens"),
        ({"tenant_month": {"max_usd": 5}}, "tenant_month.action"),
        ({"week": {"action": "warn"}}, "week"),
        ({"request": {"action": "warn", "limit": 3}}, "request.limit"),
    ],
)
def test_a_bad_value_is_a_422_naming_its_field_and_changes_nothing(
    operator: TestClient, body: dict[str, Any], field: str
) -> None:
    before = operator.get("/api/budgets").json()
    assert error_of(operator.put("/api/budgets", json=body)).startswith(f"{field}:")
    assert operator.get("/api/budgets").json() == before


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/budgets"), ("PUT", "/api/budgets"), ("GET", "/api/spend")])
def test_only_the_operator_sees_or_edits_budgets_and_spend(operator: TestClient, method: str, path: str) -> None:
    new_conversation(operator, "C1001")  # a signed-in customer, without the operator's token
    response = operator.request(method, path, json={}, headers={"X-Admin-Token": ""})
    operator.cookies.clear()
    assert response.status_code == 401


def test_spend_shows_the_customer_today_and_the_tenant_this_month(operator: TestClient) -> None:
    conversation = new_conversation(operator, "C1002")
    done = next(data for kind, data in ask(operator, conversation, "Where is my order?") if kind == "done")
    operator.cookies.clear()
    spend = operator.get("/api/spend", params={"customer": "C1002"}).json()
    (mine,) = spend["customers"]
    assert (mine["customer"], mine["tenant"], mine["period"]) == ("C1002", "tidewater", spend["day"])
    assert mine["tokens"] >= done["input_tokens"] + done["output_tokens"] > 0
    assert [t["tenant"] for t in spend["tenants"]] == ["tidewater"]
    assert operator.get("/api/spend", params={"customer": "C9999"}).json()["customers"] == []
    assert operator.get("/api/spend", params={"tenant": "elsewhere"}).json()["tenants"] == []


def test_the_panel_shows_the_budgets_box_and_edits_a_row(operator: TestClient) -> None:
    page = operator.get("/switchboard")
    assert page.status_code == 200 and 'id="budgets"' in page.text and "Customers today" in page.text
    form = {"window": "tenant_month", "action": "degrade", "max_tokens": "", "max_usd": "250"}
    box = operator.post("/ui/budgets", data=form)
    assert box.status_code == 200 and 'value="250.0"' in box.text
    set_now = operator.get("/api/budgets").json()["tenant_month"]
    assert set_now == {"action": "degrade", "max_tokens": None, "max_usd": 250.0}
    assert error_of(operator.post("/ui/budgets", data={**form, "max_usd": "-3"})).startswith("tenant_month.max_usd:")
    assert error_of(operator.post("/ui/budgets", data={**form, "window": "week"})).startswith("window:")
