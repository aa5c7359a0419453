"""The panel's live choice of chunking strategy: the old index serves every search until the new
one is complete and swapped in; one build at a time; a restart keeps the choice."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from switchboard.app.services import Services
from switchboard.app.web.main import create_app
from tests.conftest import ADMIN, SAME_SITE, fast_settings

QUESTION = "What is your return policy for tents?"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chunking")


@pytest.fixture(scope="module")
def operator(data_dir: Path) -> Iterator[TestClient]:
    """An app of this module's own: switching its strategy changes nothing for other tests."""
    with TestClient(create_app(fast_settings(data_dir)), headers=ADMIN) as client:
        yield client


def services_of(client: TestClient) -> Services:
    return client.app.state.services  # type: ignore[attr-defined,no-any-return]


def gated(services: Services) -> threading.Event:
    """Hold the next build at its start until the returned event is set (the real build follows)."""
    release, real = threading.Event(), services.knowledge.rechunk

    def rechunk(*args: object, **kwargs: object) -> int:
        release.wait(30)
        services.knowledge.rechunk = real  # type: ignore[method-assign]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    services.knowledge.rechunk = rechunk  # type: ignore[method-assign]
    return release


def search(services: Services) -> Callable[[], list[object]]:
    return lambda: list(services.knowledge.search_now(QUESTION, 4, tenant="tidewater"))


def test_an_unknown_strategy_is_a_422_naming_it_and_the_ones_there_are(operator: TestClient) -> None:
    response = operator.put("/api/knowledge/chunking", json={"strategy": "paragraph"})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "paragraph" in message and "heading, fixed, sentence, parent" in message
    assert operator.get("/api/knowledge/chunking").json()["building"] is None


def test_the_old_index_serves_until_the_new_one_is_swapped_in_and_one_build_runs_at_a_time(
    operator: TestClient,
) -> None:
    services = services_of(operator)
    before = search(services)()
    release = gated(services)
    started = operator.put("/api/knowledge/chunking", json={"strategy": "sentence"})
    assert started.status_code == 202 and started.json()["building"] == "sentence"
    assert started.json()["serving"] == "heading"
    busy = operator.put("/api/knowledge/chunking", json={"strategy": "parent"})
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "chunking_busy"
    assert "sentence" in busy.json()["error"]["message"]
    health = operator.get("/api/knowledge/health").json()
    assert (health["chunking"], health["building"]) == ("heading", "sentence")
    assert search(services)() == before  # served by the heading index while the build waits
    release.set()
    operator.portal.call(services.chunking.settled)  # type: ignore[union-attr]
    after = operator.get("/api/knowledge/health").json()
    assert (after["chunking"], after["layout"], after["building"]) == ("sentence", "tenant-chunks/sentence", None)
    assert after["chunks"] > health["chunks"]  # one chunk a sentence, not a section
    assert search(services)() != before
    assert operator.put("/api/knowledge/chunking", json={"strategy": "sentence"}).status_code == 200  # serves already


def test_a_restart_keeps_the_strategy_last_swapped_in(operator: TestClient, data_dir: Path) -> None:
    if operator.get("/api/knowledge/chunking").json()["serving"] != "sentence":
        assert operator.put("/api/knowledge/chunking", json={"strategy": "sentence"}).status_code == 202
        operator.portal.call(services_of(operator).chunking.settled)  # type: ignore[union-attr]
    with TestClient(create_app(fast_settings(data_dir)), headers=ADMIN) as restarted:
        health = restarted.get("/api/knowledge/health").json()
        assert (health["chunking"], health["layout"]) == ("sentence", "tenant-chunks/sentence")
        assert health["stale_chunks"] == 0 and health["articles"] > 0


def test_the_panel_box_switches_and_says_why_it_refused(operator: TestClient) -> None:
    services = services_of(operator)
    release = gated(services)
    box = operator.post("/ui/knowledge/chunking", data={"strategy": "fixed"}, headers=SAME_SITE)
    assert box.status_code == 200 and '<td data-field="building"><code>fixed</code> chunks' in box.text
    refused = operator.post("/ui/knowledge/chunking", data={"strategy": "parent"}, headers=SAME_SITE)
    assert refused.status_code == 409 and "is being built" in refused.text
    release.set()
    operator.portal.call(services.chunking.settled)  # type: ignore[union-attr]
    assert "<code>fixed</code> chunks" in operator.get("/ui/knowledge").text
    unknown = operator.post("/ui/knowledge/chunking", data={"strategy": "paragraph"}, headers=SAME_SITE)
    assert unknown.status_code == 422 and "unknown chunking strategy" in unknown.text


def test_the_choice_is_audited(operator: TestClient) -> None:
    entries = operator.get("/api/audit", params={"action": "knowledge.chunking"}).json()
    assert any(e["after"] == {"chunking": "sentence"} for e in entries["entries"])


@pytest.mark.parametrize("method", ["get", "put"])
def test_nobody_but_the_operator_chooses(operator: TestClient, method: str) -> None:
    response = getattr(operator, method)(
        "/api/knowledge/chunking",
        headers={"X-Admin-Token": "", **SAME_SITE},
        **({"json": {}} if method == "put" else {}),
    )
    assert response.status_code == 401


def test_a_failed_build_leaves_the_old_strategy_serving_and_says_why(
    operator: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = services_of(operator)
    serving = operator.get("/api/knowledge/chunking").json()["serving"]
    other = "parent" if serving != "parent" else "heading"

    def fail(*args: object, **kwargs: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(services.knowledge, "rechunk", fail)
    assert operator.put("/api/knowledge/chunking", json={"strategy": other}).status_code == 202
    operator.portal.call(services.chunking.settled)  # type: ignore[union-attr]
    health = operator.get("/api/knowledge/health").json()
    assert (health["chunking"], health["building"]) == (serving, None)
    assert health["chunking_failure"] == f"{other}: disk full"
    assert "last build failed" in operator.get("/ui/knowledge").text
