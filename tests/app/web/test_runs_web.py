"""Runs from the browser: start, follow, list, compare; run approvals kept apart; bad requests are 4xx."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from switchboard.app.runs.replay import RunJobs
from switchboard.app.web.main import create_app
from tests.conftest import ADMIN, fast_settings, sign_in

CASES = [
    {"id": "track", "customer": "C1001", "turns": ["where is order 10057?"], "expect": {"contains": ["10057"]}},
    {"id": "canada", "customer": "C1001", "turns": ["do you ship to Canada?"], "expect": {"route": "knowledge"}},
    # over $250: with human_approval on, the refund waits for a decision
    {"id": "big-refund", "customer": "C1024", "turns": ["please refund 10039, I never used the sleeping bag"]},
]


@contextmanager
def app_with_golden(tmp_path: Path, cases: list[dict[str, Any]]) -> Iterator[TestClient]:
    """The operator's client on an app whose golden dataset is `cases`."""
    datasets = tmp_path / "datasets"
    datasets.mkdir()
    (datasets / "golden.jsonl").write_text("\n".join(json.dumps(c) for c in cases) + "\n")
    settings = fast_settings(tmp_path / "data").model_copy(update={"eval_datasets_dir": datasets})
    with TestClient(create_app(settings), headers=ADMIN) as test_client:
        yield test_client


@pytest.fixture
def runs_client(tmp_path: Path) -> Iterator[TestClient]:
    with app_with_golden(tmp_path, CASES) as test_client:
        yield test_client


def finish_runs(client: TestClient) -> None:
    jobs: RunJobs = client.app.state.jobs  # type: ignore[attr-defined]
    client.portal.call(jobs.wait)  # type: ignore[union-attr]


def run_via_api(client: TestClient, flags: str) -> str:
    job = client.post("/api/runs", json={"dataset": "golden", "flags": flags}).json()
    finish_runs(client)
    run_id = client.get(f"/api/runs/jobs/{job['id']}").json()["run_id"]
    assert run_id
    return str(run_id)


def test_a_run_started_from_the_page_is_named_by_its_configuration_and_compared_with_the_previous(
    runs_client: TestClient,
) -> None:
    run_via_api(runs_client, "rag=off")
    started = runs_client.post("/ui/runs", data={"dataset": "golden"})
    assert started.status_code == 200 and "cases of golden" in started.text
    job_id = started.text.split("/ui/runs/jobs/")[1].split('"')[0]
    finish_runs(runs_client)
    done = runs_client.get(f"/ui/runs/jobs/{job_id}").text
    assert "Compare with the previous run" in done and 'class="run-name">defaults<' in done

    runs = runs_client.get("/api/runs").json()
    assert [r["label"] for r in runs] == ["defaults", "defaults − rag"]
    assert [r["name"] for r in runs] == ["defaults · golden", "defaults − rag · golden"]
    compare_url = done.split('href="')[1].split('"')[0].replace("&amp;", "&")
    page = runs_client.get(compare_url).text
    header = page.split('id="runs-header"')[1].split("</table>")[0]
    # the one switch that differs heads the page; the other 20-odd stay in each run's <details>
    assert '<th scope="row">rag</th><td class="state-off">off</td><td class="state-on">on</td>' in header
    assert header.count('class="difference"') == 1
    assert "streaming=on" in header  # the full snapshot, one click away
    assert "pass@1" in page and "chart-scorers" in page and "only newly failing" in page


def test_the_case_table_shows_question_expectation_verdicts_and_links_each_turns_record(
    runs_client: TestClient,
) -> None:
    first, second = run_via_api(runs_client, "all-off"), run_via_api(runs_client, "all-on")
    page = runs_client.get(f"/runs/compare?ids={first}&ids={second}").text
    cases = page.split('id="case-table"')[1].split("</table>")[0]
    assert cases.count('class="case"') == len(CASES)
    assert "where is order 10057?" in cases and "expected: contains: 10057" in cases
    record_ids = [part.split('"')[0] for part in cases.split('href="/runs/records/')[1:]]
    assert len(record_ids) == 2 * len(CASES)
    record_page = runs_client.get(f"/runs/records/{record_ids[0]}")
    assert record_page.status_code == 200 and record_ids[0] in record_page.text
    assert "Asked" in record_page.text and "where is order 10057?" in record_page.text
    assert f"/runs/compare?ids={first}" in record_page.text  # back to the run that played it
    stored = runs_client.get(f"/api/runs/{first}").json()["cases"]
    failing = {c["case_id"] for c in stored if not c["passed"]}
    assert cases.count("<b>failed</b>") >= len(failing)


def test_two_runs_of_the_same_configuration_get_distinct_labels(runs_client: TestClient) -> None:
    first, second = run_via_api(runs_client, "all-off"), run_via_api(runs_client, "all-off")
    page = runs_client.get(f"/runs/compare?ids={first}&ids={second}").text
    chart = json.loads(page.split('id="chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == ["all-off", "all-off #2"]


def test_approvals_a_run_raises_stay_out_of_the_live_queue_and_are_resolved_by_its_policy(
    runs_client: TestClient,
) -> None:
    customer = sign_in(runs_client, "C1001")
    conversation = runs_client.post("/api/conversations", json={}, headers=customer).json()["id"]
    ask = {"text": "I want a refund for order 10049"}
    runs_client.post(f"/api/conversations/{conversation}/messages", json=ask, headers=customer)
    (live,) = runs_client.get("/api/approvals").json()

    run_id = run_via_api(runs_client, "all-on")

    assert [a["id"] for a in runs_client.get("/api/approvals").json()] == [live["id"]]
    assert live["customer_id"] == "C1001"
    summary = runs_client.get(f"/api/runs/{run_id}").json()["summary"]
    assert summary["approvals"] == {"raised": 1, "policy": "deny", "resolved": {"deny": 1}}
    page = runs_client.get(f"/runs/compare?ids={run_id}").text
    assert "approvals this run raised: 1, resolved by policy (deny) as 1 deny" in page
    console = runs_client.get("/console").text
    assert f'data-approval="{live["id"]}"' in console and console.count("data-approval=") == 1


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
    missing = runs_client.get("/runs/compare?ids=run_nope")
    assert missing.status_code == 404 and "run_nope" in missing.text
    too_many = runs_client.get("/runs/compare?" + "&".join(["ids=a"] * 7))
    assert too_many.status_code == 422 and "at most 6" in too_many.text
    assert runs_client.get("/runs/records/r_nope").status_code == 404


def test_a_run_with_tracing_on_links_each_case_s_own_trace(runs_client: TestClient) -> None:
    runs_client.patch("/api/flags", json={"flags": {"tracing": True}})  # the request starting it is traced too
    run_id = run_via_api(runs_client, "tracing=on")
    page = runs_client.get(f"/runs/compare?ids={run_id}").text
    traces = set(re.findall(r'href="/traces/([0-9a-f]{32})" class="trace-link"', page))
    assert len(traces) == len(CASES)  # one trace per turn, not the run's request's trace shared
    for trace_id in traces:
        spans = runs_client.get(f"/api/traces/{trace_id}").json()["spans"]
        roots = [s for s in spans if s["parent_span_id"] is None]
        assert [r["name"] for r in roots] == ["turn"]
