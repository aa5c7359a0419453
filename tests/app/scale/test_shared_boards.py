"""Two replicas — two apps on one Postgres and one Redis (tests/services) — and the operator's
boards: a switch flipped through one applies on the other's next request and next turn (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from fastapi.testclient import TestClient
from redis.asyncio import Redis as AsyncRedis

from switchboard.app.shared.boards import LocalBoards, SharedBoards
from switchboard.app.web.main import create_app
from tests.app.web.chatting import new_conversation, send
from tests.conftest import ADMIN, SAME_SITE, fast_settings
from tests.phoenix import free_port

QUESTION = "do you ship to Canada?"


@contextmanager
def replica(data_dir: Path, database_url: str, redis_url: str) -> Iterator[TestClient]:
    settings = fast_settings(data_dir).model_copy(update={"database_url": database_url, "redis_url": redis_url})
    with TestClient(create_app(settings), headers=SAME_SITE) as client:
        yield client


def record_of(client: TestClient) -> dict[str, object]:
    """The record of a turn on `client`, as its customer's JSON answer carries it."""
    response = send(client, new_conversation(client), QUESTION)
    assert response.status_code == 200, response.text
    record: dict[str, object] = response.json()["record"]
    return record


def test_a_switch_flipped_through_one_replica_applies_on_the_other(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    with (
        replica(tmp_path / "one", postgres_url, redis_url) as one,
        replica(tmp_path / "two", postgres_url, redis_url) as two,
    ):
        assert isinstance(two.app.state.services.boards, SharedBoards)  # type: ignore[attr-defined]
        first = record_of(two)
        assert first["flags"]["rag"] is True and first["providers"]  # type: ignore[index]
        assert one.patch("/api/flags", json={"flags": {"rag": False}}, headers=ADMIN).status_code == 200
        assert two.get("/api/flags").json()["flags"]["rag"] is False
        assert record_of(two)["flags"]["rag"] is False  # type: ignore[index]

        assert one.put("/api/kill-switch", json={"on": True, "reason": "drill"}, headers=ADMIN).status_code == 200
        turn = record_of(two)
        assert turn["degraded_reason"] == "kill switch on" and turn["providers"] == []


def test_chaos_and_budgets_follow_and_a_bad_edit_reaches_no_replica(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    with (
        replica(tmp_path / "one", postgres_url, redis_url) as one,
        replica(tmp_path / "two", postgres_url, redis_url) as two,
    ):
        assert one.patch("/api/chaos", json={"preset": "primary-down"}, headers=ADMIN).status_code == 200
        assert two.get("/api/chaos", headers=ADMIN).json()["preset"] == "primary-down"
        budget = {"customer_day": {"action": "refuse", "max_tokens": 5000}}
        assert one.put("/api/budgets", json=budget, headers=ADMIN).status_code == 200
        assert two.get("/api/budgets", headers=ADMIN).json()["customer_day"]["max_tokens"] == 5000

        before = two.get("/api/flags").json()["flags"]
        bad = one.patch("/api/flags", json={"flags": {"rag": False, "no_such_flag": True}}, headers=ADMIN)
        assert bad.status_code in (400, 422)
        assert two.get("/api/flags").json()["flags"] == before == one.get("/api/flags").json()["flags"]


def test_a_replica_started_later_adopts_the_fleets_boards_and_the_database_keeps_the_kill_switch(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    with replica(tmp_path / "one", postgres_url, redis_url) as one:
        one.patch("/api/flags", json={"preset": "all-off"}, headers=ADMIN)
        one.put("/api/kill-switch", json={"on": True, "reason": "incident"}, headers=ADMIN)
        with replica(tmp_path / "late", postgres_url, redis_url) as late:
            started = late.app.state.services.flags.snapshot()  # type: ignore[attr-defined]
            assert not any(started.values())  # adopted at start-up, before any request pulled
            assert late.get("/api/flags").json()["flags"] == one.get("/api/flags").json()["flags"]
            assert not any(late.get("/api/flags").json()["flags"].values())  # all-off, not the defaults
    redis.Redis.from_url(redis_url).flushall()  # Redis lost: the database still has the switch
    with replica(tmp_path / "after", postgres_url, redis_url) as after:
        assert after.get("/api/kill-switch", headers=ADMIN).json()["on"] is True
        assert after.get("/api/flags").json()["flags"]["rag"] is True  # flags live in Redis only: the defaults


def test_without_redis_a_replica_keeps_its_boards_to_itself(tmp_path: Path) -> None:
    with TestClient(create_app(fast_settings(tmp_path)), headers=SAME_SITE) as client:
        assert isinstance(client.app.state.services.boards, LocalBoards)  # type: ignore[attr-defined]
        assert client.patch("/api/flags", json={"flags": {"rag": False}}, headers=ADMIN).status_code == 200
        assert client.get("/api/flags").json()["flags"]["rag"] is False


def test_a_change_redis_does_not_take_is_a_503_saying_it_holds_on_this_replica_only(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    with replica(tmp_path / "one", postgres_url, redis_url) as one:
        boards = one.app.state.services.boards  # type: ignore[attr-defined]
        boards._redis = AsyncRedis.from_url(f"redis://127.0.0.1:{free_port()}/0")  # the server gone
        response = one.patch("/api/flags", json={"flags": {"rag": False}}, headers=ADMIN)
        assert response.status_code == 503 and response.json()["error"]["code"] == "boards_unshared"
        assert "flags change holds on this replica only until Redis answers" in response.json()["error"]["message"]
        assert one.get("/api/flags").json()["flags"]["rag"] is False  # served on, as this replica holds it
