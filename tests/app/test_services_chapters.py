"""`switchboard serve --chapter N`: the app built from chapters 1..N starts, answers, and has
exactly those chapters' nodes, gateway wrappers and switches (agents/chapters.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from switchboard.agents.chapters import PARTS
from switchboard.app.lab.registry import REGISTRY
from switchboard.app.services import Services
from switchboard.app.web.main import create_app
from tests.app.web.chatting import answer_of, ask, new_conversation, send
from tests.conftest import ADMIN, fast_settings


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every chapter's app in turn: the database, index and seed are made once."""
    return tmp_path_factory.mktemp("chapters")


def chapter_app(data_dir: Path, chapter: int | None) -> Iterator[TestClient]:
    settings = fast_settings(data_dir).model_copy(update={"chapter": chapter})
    with TestClient(create_app(settings), headers=ADMIN) as client:
        yield client


def services_of(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


@pytest.mark.parametrize("chapter", range(1, 13))
def test_the_chapter_n_app_starts_answers_and_has_only_its_chapters(data_dir: Path, chapter: int) -> None:
    for client in chapter_app(data_dir, chapter):
        events = ask(client, new_conversation(client), "where is my order?")
        record = events[-1][1]
        assert record["outcome"] == "answered" and "#100" in answer_of(events)
        assert record["route"] == ("orders" if chapter >= 2 else "generalist")
        nodes = {n.name for n in services_of(client).agent_map.nodes} - {"__start__", "__end__"}
        assert nodes == {p.name for p in PARTS if p.kind == "node" and p.chapter <= chapter}
        assert set(record["path"]) <= nodes
        assert client.get("/healthz").json()["chapter"] == chapter
        flags = client.get("/api/flags").json()["flags"]
        later = {f.name for f in REGISTRY if f.chapter > chapter} - {"session_authorisation"}
        assert not any(flags[name] for name in later)
        assert flags["session_authorisation"]  # security is kept at every chapter


def test_a_chapter_8_gateway_has_no_breaker_retry_or_failover_and_one_provider(data_dir: Path) -> None:
    for client in chapter_app(data_dir, 8):
        services = services_of(client)
        assert services.gateway.wrappers == ("kill_switch",)
        assert [len(services.gateway.chain_for(m)) for m in services.gateway.models] == [1, 1]
        assert services.chaos.providers == ("demo-a",)
        assert "online_evals" in {f["name"] for f in client.get("/api/flags").json()["registry"] if f["value"]}


def test_a_chapter_9_app_is_the_first_with_the_resilience_wrappers(data_dir: Path) -> None:
    for client in chapter_app(data_dir, 9):
        gateway = services_of(client).gateway
        assert gateway.wrappers == ("kill_switch", "retry", "breaker", "failover")
        assert len(gateway.chain_for("demo-large")) == 2


def test_the_full_app_is_unchanged_by_the_chapters(data_dir: Path) -> None:
    for client in chapter_app(data_dir, None):
        services = services_of(client)
        assert services.gateway.wrappers == ("kill_switch", "retry", "breaker", "failover", "quota")
        assert services.settings.chapter is None and client.get("/healthz").json()["chapter"] is None
        nodes = {n.name for n in services_of(client).agent_map.nodes}
        assert nodes == {p.name for p in PARTS if p.kind == "node"} | {"__start__", "__end__"}


@pytest.mark.parametrize(("chapter", "refused"), [(9, False), (10, True)])
def test_token_budgets_are_wired_from_chapter_10(data_dir: Path, chapter: int, refused: bool) -> None:
    """A one-token budget per turn: the chapter-10 app refuses the turn's first model call; the
    chapter-9 app has no budget guard to ask, and answers."""
    settings = fast_settings(data_dir).model_copy(update={"chapter": chapter, "budget_request_tokens": 1})
    with TestClient(create_app(settings), headers=ADMIN) as client:
        events = ask(client, new_conversation(client), "where is my order?")
    assert ("#100" in answer_of(events)) is not refused


@pytest.mark.parametrize("chapter", [10, 11, 12])
def test_pii_redaction_and_the_door_s_guards_are_wired_from_their_chapters(data_dir: Path, chapter: int) -> None:
    for client in chapter_app(data_dir, chapter):
        guards = services_of(client).guards
        assert ("pii_redaction" in guards) is (chapter >= 11)
        assert ({"rate_limit", "load_shedding"} <= guards) is (chapter >= 12)


@pytest.mark.parametrize(("chapter", "limited"), [(11, False), (12, True)])
def test_a_rate_limit_is_only_enforced_where_it_is_wired(data_dir: Path, chapter: int, limited: bool) -> None:
    """One message a minute: the chapter-12 app (rate_limit switched on) refuses the second; the
    chapter-11 app refuses the switch itself, naming its chapter, and has no rate limit at its
    door to refuse the message with."""
    update = {"chapter": chapter, "rate_limit_messages_per_minute": 1}
    with TestClient(create_app(fast_settings(data_dir).model_copy(update=update)), headers=ADMIN) as client:
        switched = client.patch("/api/flags", json={"flags": {"rate_limit": True}})
        assert switched.status_code == (200 if limited else 422), switched.text
        assert limited or "belongs to chapter 12" in switched.text
        conversation = new_conversation(client)
        ask(client, conversation, "where is my order?")
        second = send(client, conversation, "and when will it arrive?")
    assert (second.status_code == 429) is limited, second.text
