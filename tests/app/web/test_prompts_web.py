"""The prompt registry and canary over HTTP: versions, diffs, rollouts that change what new turns
are served (sticky, flag-gated), promote and roll back in one click each, every change audited,
4xx naming the problem, and the page with the two versions side by side."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.app.web.chatting import ask, new_conversation
from tests.conftest import ADMIN, fast_settings

SHIPPED, WORSE = "5", "5-worse"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(fast_settings(tmp_path_factory.mktemp("prompts"))), headers=ADMIN) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _stable_router(client: TestClient) -> Iterator[None]:
    """Every test starts and ends with the shipped router stable and no candidate."""
    yield
    client.cookies.clear()
    client.patch("/api/flags", json={"preset": "all-on"})
    rollout = client.get("/api/prompts/router").json()["rollout"]
    if rollout["stable"] != SHIPPED:
        client.put("/api/prompts/router/rollout", json={"candidate": SHIPPED, "share": 0})
        client.post("/api/prompts/router/promote")
    elif rollout["candidate"]:
        client.post("/api/prompts/router/rollback")


def roll_out(client: TestClient, share: float, candidate: str = WORSE) -> dict[str, Any]:
    response = client.put("/api/prompts/router/rollout", json={"candidate": candidate, "share": share})
    assert response.status_code == 200, response.text
    return dict(response.json())


def record_of_a_turn(client: TestClient, text: str = "how long do refunds take") -> dict[str, Any]:
    conversation = new_conversation(client)
    events = ask(client, conversation, text)
    client.cookies.clear()
    return dict(next(data for name, data in events if name == "done"))


def audited(client: TestClient, action: str) -> list[dict[str, Any]]:
    return list(client.get("/api/audit", params={"action": action}).json()["entries"])


def test_every_prompt_is_listed_with_its_versions_and_rollout(client: TestClient) -> None:
    prompts = {p["name"]: p for p in client.get("/api/prompts").json()}
    router = prompts["router"]
    assert [v["version"] for v in router["versions"]] == ["2", "3", "4", SHIPPED, WORSE]
    assert router["rollout"] == {"prompt": "router", "stable": SHIPPED, "candidate": None, "share": 0.0}
    assert {"judge", "knowledge", "orders", "summarise"} <= prompts.keys()


def test_the_diff_between_two_versions(client: TestClient) -> None:
    body = client.get("/api/prompts/router/diff", params={"a": SHIPPED, "b": WORSE}).json()
    assert body["diff"].startswith(f"--- router@{SHIPPED}\n+++ router@{WORSE}\n")
    assert "-How-to questions" in body["diff"]
    texts = {t["version"]: t["text"] for t in client.get("/api/prompts/router").json()["texts"]}
    assert "How-to questions" in texts[SHIPPED] and "How-to questions" not in texts[WORSE]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("get", "/api/prompts/routr", None, 404, "prompt_not_found"),
        ("get", "/api/prompts/router/diff?a=5&b=9", None, 404, "prompt_not_found"),
        ("put", "/api/prompts/routr/rollout", {"candidate": WORSE, "share": 10}, 404, "prompt_not_found"),
        ("put", "/api/prompts/router/rollout", {"candidate": "9", "share": 10}, 404, "prompt_not_found"),
        ("put", "/api/prompts/router/rollout", {"candidate": WORSE, "share": 150}, 422, "invalid_input"),
        ("put", "/api/prompts/router/rollout", {"candidate": WORSE, "share": -1}, 422, "invalid_input"),
        ("put", "/api/prompts/router/rollout", {"candidate": SHIPPED, "share": 10}, 422, "invalid_rollout"),
        ("post", "/api/prompts/router/promote", None, 422, "invalid_rollout"),
        ("post", "/api/prompts/router/rollback", None, 422, "invalid_rollout"),
    ],
)
def test_bad_requests_are_4xx_naming_the_problem(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None, status: int, code: str
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    if code == "prompt_not_found":
        assert "router" in error["message"] or "5-worse" in error["message"]  # names what there is


def test_the_prompts_api_and_page_are_the_operators_only(client: TestClient) -> None:
    for path in ("/api/prompts", "/api/prompts/router", "/prompts"):
        assert client.get(path, headers={"X-Admin-Token": ""}).status_code == 401


def test_a_full_rollout_serves_new_turns_the_candidate_and_the_record_names_its_versions(client: TestClient) -> None:
    roll_out(client, 100)
    record = record_of_a_turn(client)
    assert record["prompt_versions"]["router"] == WORSE
    assert record["prompt_versions"]["knowledge"] == client.get("/api/prompts/knowledge").json()["shipped"]
    assert len(record["tool_schema"]) == 12 and record["models"]


def test_with_prompt_canary_off_everyone_gets_stable(client: TestClient) -> None:
    roll_out(client, 100)
    client.patch("/api/flags", json={"flags": {"prompt_canary": False}})
    assert record_of_a_turn(client)["prompt_versions"]["router"] == SHIPPED


def test_the_same_conversation_keeps_its_version_across_turns(client: TestClient) -> None:
    roll_out(client, 50)
    conversation = new_conversation(client)
    served = set()
    for text in ("how long do refunds take", "where is my order?", "do you ship to Canada"):
        events = ask(client, conversation, text)
        served.add(next(data for name, data in events if name == "done")["prompt_versions"]["router"])
    assert len(served) == 1


def test_a_rollback_serves_new_turns_stable_again_and_is_audited(client: TestClient) -> None:
    before = len(audited(client, "prompts.rollback"))
    roll_out(client, 100)
    assert client.post("/api/prompts/router/rollback").json() == {
        "prompt": "router",
        "stable": SHIPPED,
        "candidate": None,
        "share": 0.0,
    }
    assert record_of_a_turn(client)["prompt_versions"]["router"] == SHIPPED
    entries = audited(client, "prompts.rollback")
    assert len(entries) == before + 1
    entry = entries[0]
    assert entry["target"] == "router" and entry["before"]["candidate"] == WORSE and entry["after"]["candidate"] is None


def test_a_promotion_makes_the_candidate_stable_for_everyone_and_is_audited(client: TestClient) -> None:
    roll_out(client, 10)
    rollout_entry = audited(client, "prompts.rollout")[0]
    assert rollout_entry["after"] == {"stable": SHIPPED, "candidate": WORSE, "share": 10.0}
    assert client.post("/api/prompts/router/promote").json()["stable"] == WORSE
    assert record_of_a_turn(client)["prompt_versions"]["router"] == WORSE
    promoted = audited(client, "prompts.promote")[0]
    assert promoted["before"]["stable"] == SHIPPED
    assert promoted["after"] == {"stable": WORSE, "candidate": None, "share": 0.0}


def test_the_page_shows_the_diff_the_form_and_both_versions_side_by_side(client: TestClient) -> None:
    roll_out(client, 100)
    record_of_a_turn(client)
    page = client.get("/prompts", params={"name": "router"})
    assert page.status_code == 200
    html = page.text
    assert 'id="rollout-form"' in html and 'id="promote"' in html and 'id="rollback"' in html
    assert f'<th scope="col" data-version="{SHIPPED}">' in html and f'<th scope="col" data-version="{WORSE}">' in html
    assert 'class="diff"' in html and "How-to questions" in html
    figures = client.get("/api/prompts/router/figures").json()["figures"]
    assert [f["version"] for f in figures] == [SHIPPED, WORSE] and figures[1]["turns"] >= 1
    assert '<th scope="row">Resolved score</th>' in html and "resolved_score" in figures[1]


def test_the_pages_buttons_roll_back_in_one_click(client: TestClient) -> None:
    roll_out(client, 20)
    response = client.post("/prompts/router/rollback", headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/prompts?name=router"
    assert client.get("/api/prompts/router").json()["rollout"]["candidate"] is None


def test_the_details_strip_names_the_version_matrix(client: TestClient) -> None:
    record = record_of_a_turn(client)
    strip = client.get(f"/ui/records/{record['id']}").text
    assert f"router@{SHIPPED}" in strip and record["tool_schema"] in strip
