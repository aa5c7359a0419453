"""Runs from the browser: start, follow, list, compare; bad requests are 4xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from switchboard.app.runs.replay import RunJobs
from switchboard.app.web.main import create_app
from tests.conftest import ADMIN, fast_settings

CASES = [
    {"id": "track", "customer": "C1001", "turns": ["where is order 10057?"], "expect": {"contains": ["10057"]}},
    {"id": "canada", "customer": "C1001", "turns": ["do you ship to Canada?"], "expect": {"route": "knowledge"}},
]


@pytest.fixture
def runs_client(tmp_path: Path) -> Iterator[TestClient]:
    datasets = tmp_path / "datasets"
    datasets.mkdir()
    (datasets / "golden.jsonl").write_text("\n".join(json.dumps(c) for c in CASES) + "\n")
    settings = fast_settings(tmp_path / "data").model_copy(update={"eval_datasets_dir": datasets})
    with TestClient(create_app(settings), headers=ADMIN) as test_client:
        yield test_client


def finish_runs(client: TestClient) -> None:
    jobs: RunJobs = client.app.state.jobs  # type: ignore[attr-defined]
    client.portal.call(jobs.wait)  # type: ignore[union-attr]


def test_a_run_started_from_the_page_is_stored_and_compared_with_the_previous(runs_client: TestClient) -> None:
    first = runs_client.post("/api/runs", json={"dataset": "golden", "flags": "all-off"}).json()
    finish_runs(runs_client)
    assert runs_client.get(f"/api/runs/jobs/{first['id']}").json()["run_id"]

    started = runs_client.post("/ui/runs", data={"dataset": "golden"})
    assert started.status_code == 200 and "cases of golden" in started.text
    job_id = started.text.split("/ui/runs/jobs/")[1].split('"')[0]
    finish_runs(runs_client)
    done = runs_client.get(f"/ui/runs/jobs/{job_id}").text
    assert "Compare with the previous run" in done

    runs = runs_client.get("/api/runs").json()
    assert len(runs) == 2 and {r["cases"] for r in runs} == {2}
    compare_url = done.split('href="')[1].split('"')[0].replace("&amp;", "&")
    page = runs_client.get(compare_url)
    assert page.status_code == 200
    assert "pass@1" in page.text and "Newly failing" in page.text and "chart-scorers" in page.text
    assert runs_client.get("/runs").text.count('name="ids"') == 2


def test_bad_run_requests(runs_client: TestClient) -> None:
    assert runs_client.post("/api/runs", json={"dataset": "secret"}).status_code == 422
    assert runs_client.post("/api/runs", json={"flags": "warp=on"}).json()["error"]["code"] == "invalid_flag"
    assert runs_client.post("/api/runs", json={"dataset": "golden", "extra": 1}).status_code == 422
    runs_client.post("/api/runs", json={})
    busy = runs_client.post("/api/runs", json={})
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "run_in_progress"
    finish_runs(runs_client)
    assert runs_client.get("/api/runs/run_nope").status_code == 404
    assert runs_client.get("/api/runs/jobs/job_nope").status_code == 404
    assert runs_client.get("/runs/compare").status_code == 422
