"""From a run, replay a case: the same dataset case played again through the turn path under the
run's flags, in a partition of its own, scored; the old and new answers and verdicts come back side
by side, the record page offers it, and it is the operator's alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from switchboard.app.runs.replay import RunJobs
from tests.app.web.test_runs_web import app_with_golden
from tests.conftest import SAME_SITE

CASES = [
    {"id": "track", "customer": "C1001", "turns": ["where is order 10057?"], "expect": {"contains": ["10057"]}},
    {"id": "canada", "customer": "C1001", "turns": ["do you ship to Canada?"], "expect": {"route": "knowledge"}},
]


@pytest.fixture(scope="module")
def runs_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_with_golden(tmp_path_factory.mktemp("case_replay"), CASES) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def run(runs_client: TestClient) -> dict[str, Any]:
    job = runs_client.post("/api/runs", json={"dataset": "golden", "flags": "rag=off"}).json()
    jobs: RunJobs = runs_client.app.state.jobs  # type: ignore[attr-defined]
    runs_client.portal.call(jobs.wait)  # type: ignore[union-attr]
    run_id = runs_client.get(f"/api/runs/jobs/{job['id']}").json()["run_id"]
    stored: dict[str, Any] = runs_client.get(f"/api/runs/{run_id}").json()
    return stored


def replay(client: TestClient, run_id: str, case_id: str) -> Any:
    return client.post(f"/api/runs/{run_id}/cases/{case_id}/replay", headers=SAME_SITE)


def test_a_replayed_case_returns_the_old_and_the_new_answer_and_verdicts(
    runs_client: TestClient, run: dict[str, Any]
) -> None:
    response = replay(runs_client, run["id"], "canada")
    assert response.status_code == 200, response.text
    body = response.json()
    old = next(c for c in run["cases"] if c["case_id"] == "canada")
    assert body["old"] == old and body["flags"] == run["flags"] and body["flags"]["rag"] is False
    new = body["new"]
    assert new["case_id"] == "canada" and [t["user"] for t in new["turns"]] == ["do you ship to Canada?"]
    assert new["turns"][0]["answer"] and new["turns"][0]["verdicts"] and isinstance(new["passed"], bool)
    assert new["turns"][0]["record_id"] != old["turns"][0]["record_id"]
    record = runs_client.get(f"/api/records/{new['turns'][0]['record_id']}").json()
    assert record["run_id"] == body["replay_run_id"] != run["id"]  # a partition of its own
    assert record["flags"]["rag"] is False  # played under the run's snapshot, not the board's
    entries = runs_client.get("/api/audit", params={"action": "run.replay_case", "limit": 1}).json()["entries"]
    assert entries[0]["target"] == f"{run['id']}/canada"


def test_the_record_page_offers_to_replay_its_case(runs_client: TestClient, run: dict[str, Any]) -> None:
    record_id = next(c for c in run["cases"] if c["case_id"] == "track")["turns"][0]["record_id"]
    page = runs_client.get(f"/runs/records/{record_id}").text
    assert 'id="case-replay-button"' in page and f"/api/runs/{run['id']}/cases/track/replay" in page


def test_an_unknown_run_or_case_is_a_404_and_a_customer_a_401(runs_client: TestClient, run: dict[str, Any]) -> None:
    assert replay(runs_client, "run_nope", "track").status_code == 404
    missing = replay(runs_client, run["id"], "nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "case_not_found"
    outsider = TestClient(runs_client.app)
    assert outsider.post(f"/api/runs/{run['id']}/cases/track/replay", headers=SAME_SITE).status_code == 401


def test_a_case_the_dataset_no_longer_has_is_a_409(runs_client: TestClient, run: dict[str, Any]) -> None:
    dataset = Path(run["dataset"])
    kept = dataset.read_text()
    dataset.write_text(json.dumps(CASES[0]) + "\n")
    try:
        gone = replay(runs_client, run["id"], "canada")
    finally:
        dataset.write_text(kept)
    assert gone.status_code == 409 and "canada" in gone.json()["error"]["message"]
