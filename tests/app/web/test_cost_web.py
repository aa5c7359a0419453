"""The cost dashboard over HTTP: the operator's only; live turns by default, a run's on asking,
per tenant and from a date; bad filters are a 4xx naming the problem; the page works empty."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from switchboard.agents.llm.prices import DEFAULT_PRICES
from switchboard.agents.record import CallRecordView, TurnRecord
from switchboard.app.runs.replay import RunStore
from switchboard.app.services import Services
from switchboard.app.shop.models import Run
from switchboard.app.turns.records import record_row
from switchboard.app.web.main import create_app
from tests.conftest import ADMIN, fast_settings, sign_in

RUN_AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def cost_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app with one live turn a customer played, and a stored run of two turns of another tenant."""
    with TestClient(create_app(fast_settings(tmp_path_factory.mktemp("cost")))) as client:
        customer = sign_in(client, "C1001")
        conversation = client.post("/api/conversations", json={}, headers=customer).json()["id"]
        ask, as_json = {"text": "do you ship to Canada?"}, {**customer, "Accept": "application/json"}
        client.post(f"/api/conversations/{conversation}/messages", json=ask, headers=as_json)
        client.cookies.clear()
        client.portal.call(_store_a_run, _services(client))  # type: ignore[union-attr]
        yield client


def _services(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


async def _store_a_run(services: Services) -> None:
    flags = services.flags.snapshot()
    run = Run(id="run_cost", name="defaults · golden", created_at=RUN_AT, dataset="evals/golden.jsonl",
              dataset_hash="h", code_version="test", flags=flags)  # fmt: skip
    await RunStore(services.sessions).add(run)
    large = CallRecordView(purpose="answer", model="demo-large", provider="demo", input_tokens=900, output_tokens=60,
                           cost_usd=0.003)  # fmt: skip
    for i, outcome in enumerate(("answered", "escalated")):
        record = TurnRecord(id=f"run_rec_{i}", customer_id="C1002", tenant_id="peakline", run_id=run.id, flags=flags,
                            created_at=RUN_AT.isoformat(), outcome=outcome, cost_usd=0.003, calls=[large])  # fmt: skip
        await services.records.add(record_row(record, RUN_AT))


def get_cost(client: TestClient, query: str = "", **headers: str) -> Any:
    return client.get(f"/api/cost{query}", headers={**ADMIN, **headers})


def test_spend_is_the_operators_business(cost_client: TestClient) -> None:
    anonymous = cost_client.get("/api/cost")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "admin_only"
    customer = sign_in(cost_client, "C1001")
    assert cost_client.get("/api/cost", headers=customer).status_code == 401
    assert cost_client.get("/cost", headers=customer).status_code == 401
    cost_client.cookies.clear()
    assert get_cost(cost_client).status_code == 200


def test_live_turns_by_default_priced_and_projected(cost_client: TestClient) -> None:
    view = get_cost(cost_client).json()
    spend = view["spend"]
    assert view["scope"]["run_id"] is None and spend["turns"] == 1  # the run's two turns stay out
    assert spend["cost_usd"] > 0 and spend["customers"][0]["label"] == "Maya Okafor (C1001)"
    assert sum(m["cost_usd"] for m in spend["models"]) == pytest.approx(spend["cost_usd"])
    (live,) = view["projections"]
    assert live["label"] == "live turns" and live["per_turn_usd"] == pytest.approx(spend["cost_usd"])
    assert [s["per_day_usd"] for s in live["scales"]] == pytest.approx([spend["cost_usd"] * n for n in (1e3, 1e4, 1e5)])


def test_a_runs_turns_with_its_projection_beside_live_traffics(cost_client: TestClient) -> None:
    view = get_cost(cost_client, "?run=run_cost").json()
    spend = view["spend"]
    assert view["scope"]["run_label"].startswith("defaults · golden")
    assert (spend["turns"], spend["resolved"]) == (2, 1)
    assert spend["cost_per_resolved_usd"] == pytest.approx(0.006)  # the escalation is paid, not resolved
    assert [t["key"] for t in spend["tenants"]] == ["peakline"] and spend["days"][0]["day"] == "2026-11-20"
    live, run = view["projections"]
    assert (live["turns"], run["turns"]) == (1, 2)
    assert run["per_turn_usd"] == pytest.approx(DEFAULT_PRICES["demo-large"].cost(900, 60))  # priced from the table
    by_name = get_cost(cost_client, "?run=defaults · golden").json()
    assert by_name["scope"]["run_id"] == "run_cost"


def test_tenant_and_since_filter_the_turns(cost_client: TestClient) -> None:
    assert get_cost(cost_client, "?run=run_cost&tenant=tidewater").json()["spend"]["turns"] == 0
    assert get_cost(cost_client, "?run=run_cost&tenant=peakline").json()["spend"]["turns"] == 2
    assert get_cost(cost_client, "?run=run_cost&since=2026-11-21").json()["spend"]["turns"] == 0
    inclusive = get_cost(cost_client, "?run=run_cost&since=2026-11-20T09:00:00Z").json()
    assert inclusive["spend"]["turns"] == 2 and inclusive["scope"]["since"] == "2026-11-20T09:00:00+00:00"
    assert get_cost(cost_client, "?since=2999-01-01").json()["spend"]["turns"] == 0
    top = get_cost(cost_client, "?top=1").json()["spend"]["customers"]
    assert len(top) == 1


@pytest.mark.parametrize(
    ("query", "status", "named"),
    [
        ("?since=yesterday", 422, "since"),
        ("?since=2026-13-01", 422, "since"),
        ("?tenant=Peak%20Line", 422, "tenant"),
        ("?top=0", 422, "top"),
        ("?top=many", 422, "top"),
        ("?run=run_nope", 404, "run_nope"),
    ],
)
def test_bad_filters_are_a_4xx_naming_the_problem(cost_client: TestClient, query: str, status: int, named: str) -> None:
    response = get_cost(cost_client, query)
    assert response.status_code == status and named in response.json()["error"]["message"]


def test_the_page_shows_charts_tables_and_projections_and_an_empty_state(cost_client: TestClient) -> None:
    page = cost_client.get("/cost?run=run_cost", headers=ADMIN).text
    assert 'href="/cost" class="on"' in page  # in the operator's nav
    assert "chart-days" in page and 'id="cost-empty"' not in page
    assert 'option value="run_cost" selected' in page and 'option value="peakline"' in page
    projections = page.split('id="projection-table"')[1].split("</table>")[0]
    a_day_at_1k = DEFAULT_PRICES["demo-large"].cost(900, 60) * 1000  # the run's one call a turn, at 1K turns
    assert projections.count('<tr><th scope="row">') == 2 and f"<td>${a_day_at_1k:.2f}</td>" in projections
    for table in ("configuration-table", "model-table", "projection-table", "customer-table", "tenant-table"):
        assert page.count(f'id="{table}"') == 1  # every table once, none repeated
    for table in ("customer-table", "tenant-table"):
        assert '<tr><th scope="row">' in page.split(f'id="{table}"')[1].split("</table>")[0]
    empty = cost_client.get("/cost?since=2999-01-01", headers=ADMIN).text
    assert 'id="cost-empty"' in empty and "<canvas" not in empty and "No turns yet." in empty
