"""load_shedding over HTTP: with every turn slot taken and the line for one full, the next
message is a 503 with Retry-After at once, nothing stored and no model called, counted on
/metrics and shown on the panel; below capacity it is admitted; the switch off, today's
behaviour (the message stored, the turn refused inside). Slots are held by tasks on the app's
own event loop, waiting on an event: nothing sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from switchboard.patterns.admission import Admission
from tests.app.telemetry.scraped import samples, value
from tests.app.web.chatting import new_conversation, send, stored, turns_recorded
from tests.conftest import ADMIN, SAME_SITE, fast_settings


@pytest.fixture(scope="module")
def one_slot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One turn at a time, and one more may wait for it (the queue is as long as the limit)."""
    settings = fast_settings(tmp_path_factory.mktemp("one_slot")).model_copy(update={"max_concurrent_turns": 1})
    with TestClient(create_app(settings), headers=SAME_SITE) as client:
        yield client


@pytest.fixture(autouse=True)
def shedding_on(one_slot: TestClient) -> Iterator[None]:
    assert one_slot.patch("/api/flags", json={"flags": {"load_shedding": True}}, headers=ADMIN).status_code == 200
    yield
    one_slot.patch("/api/flags", json={"flags": {"load_shedding": True}}, headers=ADMIN)
    one_slot.cookies.clear()


async def _hold(admission: Admission, release: asyncio.Event) -> None:
    async with admission.slot(None):
        await release.wait()


async def _until(done: Callable[[], bool]) -> None:
    for _ in range(1000):  # a few loop turns are enough; bounded so a broken test fails, not hangs
        if done():
            return
        await asyncio.sleep(0)
    raise AssertionError("the holders never took their places")


@contextmanager
def held(client: TestClient, running: int, waiting: int) -> Iterator[Admission]:
    """`running` slots taken and `waiting` turns in line, until the block ends."""
    portal = client.portal
    assert portal is not None
    admission: Admission = client.app.state.services.admission  # type: ignore[attr-defined]
    release: asyncio.Event = portal.call(asyncio.Event)
    holders: list[Future[None]] = [portal.start_task_soon(_hold, admission, release) for _ in range(running + waiting)]
    portal.call(_until, lambda: (admission.running, admission.waiting) == (running, waiting))
    try:
        yield admission
    finally:
        portal.call(release.set)
        for holder in holders:
            holder.result(timeout=10)


def shed_counted(client: TestClient) -> float:
    return value(samples(client.get("/metrics", headers=ADMIN).text), "switchboard_shed_total", reason="queue_full")


def test_at_capacity_the_next_message_is_a_503_with_retry_after_and_nothing_is_stored(one_slot: TestClient) -> None:
    conversation = new_conversation(one_slot, "C1001")
    turns = turns_recorded(one_slot)
    with held(one_slot, running=1, waiting=1):
        response = send(one_slot, conversation, "a message with no room")
    assert response.status_code == 503, response.text
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit() and int(retry_after) >= 1
    error = response.json()["error"]
    assert error["code"] == "overloaded" and f"try again in {retry_after} second" in error["message"]
    assert stored(one_slot, conversation) == []
    assert turns_recorded(one_slot) == turns  # no turn played: no model called


def test_below_capacity_the_message_is_admitted(one_slot: TestClient) -> None:
    conversation = new_conversation(one_slot, "C1002")
    with held(one_slot, running=1, waiting=1):
        assert send(one_slot, conversation).status_code == 503
    response = send(one_slot, conversation, "and now?")  # the slot and the line are free again
    assert response.status_code == 200 and response.json()["answer"]
    assert stored(one_slot, conversation)[0] == "and now?"


def test_a_slot_taken_with_room_in_line_is_not_capacity(one_slot: TestClient) -> None:
    with held(one_slot, running=1, waiting=0) as admission:
        assert admission.door().shed is None  # what the route asks: the message would wait its turn


def test_each_shed_message_is_counted_on_the_metrics_endpoint(one_slot: TestClient) -> None:
    conversation = new_conversation(one_slot, "C1003")
    before = shed_counted(one_slot)
    with held(one_slot, running=1, waiting=1):
        assert send(one_slot, conversation).status_code == 503
        assert send(one_slot, conversation).status_code == 503
    assert shed_counted(one_slot) == before + 2


def test_the_panel_shows_queue_depth_and_the_shed_count(one_slot: TestClient) -> None:
    conversation = new_conversation(one_slot, "C1004")
    with held(one_slot, running=1, waiting=1):
        assert send(one_slot, conversation).status_code == 503
        page = one_slot.get("/ui/metrics", headers=ADMIN).text
    shed = int(shed_counted(one_slot))
    assert "1 of 1 turn slots taken" in page and "queue 1 of 1" in page and f"{shed} shed since start" in page


def test_with_the_switch_off_the_message_is_stored_and_refused_inside_the_turn(one_slot: TestClient) -> None:
    one_slot.patch("/api/flags", json={"flags": {"load_shedding": False}}, headers=ADMIN)
    conversation = new_conversation(one_slot, "C1005")
    before = shed_counted(one_slot)
    with held(one_slot, running=1, waiting=1):
        response = send(one_slot, conversation, "no shedding")
    assert response.status_code == 200  # today's behaviour: begun, then no slot for it
    assert stored(one_slot, conversation)[0] == "no shedding"
    assert shed_counted(one_slot) == before


def test_a_shed_message_does_not_use_up_the_customer_s_rate_limit(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path).model_copy(
        update={"max_concurrent_turns": 1, "rate_limit_messages_per_minute": 1, "rate_limit_tokens_per_minute": 0}
    )
    with TestClient(create_app(settings), headers=SAME_SITE) as client:
        client.patch("/api/flags", json={"flags": {"load_shedding": True, "rate_limit": True}}, headers=ADMIN)
        conversation = new_conversation(client, "C1001")
        with held(client, running=1, waiting=1):
            assert send(client, conversation).status_code == 503  # the door first: the limit not consulted
        assert send(client, conversation).status_code == 200  # the one message a minute is still there
        assert send(client, conversation).status_code == 429
