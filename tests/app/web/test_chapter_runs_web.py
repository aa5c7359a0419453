"""A chapter's before and after on the Runs page: made on this server, one run at a time, then compared."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.app.web.test_runs_web import CASES, app_with_golden, finish_runs


@pytest.fixture
def runs_client(tmp_path: Path) -> Iterator[TestClient]:
    with app_with_golden(tmp_path, CASES[:2]) as test_client:
        yield test_client


def test_the_two_runs_are_made_from_the_page_and_then_it_opens_their_comparison(runs_client: TestClient) -> None:
    page = runs_client.get("/runs/chapters/2")
    assert page.status_code == 200 and page.text.count("not run on this server yet") == 2
    assert "<code>chapter-1</code>" in page.text and 'id="run-missing"' in page.text
    for remaining in (1, 0):
        started = runs_client.post("/ui/runs/chapters/2")
        assert started.status_code == 200 and "cases of golden" in started.text, started.text
        finish_runs(runs_client)
        if remaining:
            assert runs_client.get("/runs/chapters/2").text.count("not run on this server yet") == remaining
    runs = {r["flags"]: r["id"] for r in runs_client.get("/api/runs").json()}
    opened = runs_client.get("/runs/chapters/2", follow_redirects=False)
    assert opened.status_code == 303
    before, after = opened.headers["location"].split("ids=")[1:]
    assert sorted([before.rstrip("&"), after]) == sorted(runs.values())
    names = [r["name"] for r in runs_client.get("/api/runs").json()]
    assert names[-1].startswith("chapter-1"), names  # the before run was made first
    assert "already" in runs_client.post("/ui/runs/chapters/2").text  # nothing left to run


def test_a_chapter_measured_under_chaos_asks_for_its_preset_first(runs_client: TestClient) -> None:
    page = runs_client.get("/runs/chapters/3").text
    assert "<code>flaky-tools</code>" in page and "set <code>flaky-tools</code> under Faults" in page
    refused = html.unescape(runs_client.post("/ui/runs/chapters/3").text)
    assert "Set the chaos preset 'flaky-tools' on the panel first (it is 'calm' now)" in refused
    assert runs_client.get("/api/runs").json() == []


def test_a_chapter_the_runs_page_cannot_replay_says_how_it_is_measured(runs_client: TestClient) -> None:
    page = runs_client.get("/runs/chapters/11")
    assert page.status_code == 200 and "switchboard chapters measure 11" in page.text


def test_no_such_chapter_is_a_404_and_the_page_is_the_operator_s(runs_client: TestClient) -> None:
    missing = runs_client.get("/runs/chapters/13")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "chapter_not_found"
    anonymous = runs_client.get("/runs/chapters/2", headers={"X-Admin-Token": ""})
    assert anonymous.status_code == 401
