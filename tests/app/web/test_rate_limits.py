"""rate_limit over HTTP: a customer past their limit gets a 429 with Retry-After and nothing is
stored; another customer is unaffected; the switch off, nothing is limited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.app.telemetry.scraped import samples, value
from tests.app.web.chatting import ask, new_conversation, send, stored, turns_recorded
from tests.conftest import ADMIN, SAME_SITE, fast_settings, sign_in

pytestmark = pytest.mark.usefixtures("limits_on")


def limited_client(data_dir: Path, messages: int, tokens: int) -> TestClient:
    settings = fast_settings(data_dir).model_copy(
        update={"rate_limit_messages_per_minute": messages, "rate_limit_tokens_per_minute": tokens}
    )
    return TestClient(create_app(settings), headers=SAME_SITE)  # a browser on the app's own page


@pytest.fixture(scope="module")
def two_a_minute(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Two messages a minute, tokens not limited. Every test here sends within one minute."""
    with limited_client(tmp_path_factory.mktemp("two_a_minute"), messages=2, tokens=0) as client:
        yield client


@pytest.fixture
def limits_on(two_a_minute: TestClient) -> Iterator[None]:
    assert two_a_minute.patch("/api/flags", json={"flags": {"rate_limit": True}}, headers=ADMIN).status_code == 200
    yield
    two_a_minute.patch("/api/flags", json={"flags": {"rate_limit": False}}, headers=ADMIN)
    two_a_minute.cookies.clear()


def assert_limited(response: httpx.Response, limit_words: str) -> None:
    assert response.status_code == 429, response.text
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 60
    error = response.json()["error"]
    assert error["code"] == "rate_limited"
    assert limit_words in error["message"] and f"try again in {retry_after} second" in error["message"]


def test_the_message_past_the_limit_gets_429_with_retry_after_and_nothing_is_stored(two_a_minute: TestClient) -> None:
    conversation = new_conversation(two_a_minute, "C1001")
    ask(two_a_minute, conversation, "where is my order?")
    ask(two_a_minute, conversation, "do you ship to Canada?")
    before = stored(two_a_minute, conversation)
    turns = turns_recorded(two_a_minute)
    assert_limited(send(two_a_minute, conversation, "a third message"), "sent a lot of messages")
    assert stored(two_a_minute, conversation) == before and "a third message" not in before
    assert turns_recorded(two_a_minute) == turns  # no turn played: no model called


def test_each_refusal_is_counted_on_the_metrics_endpoint_by_its_limit(two_a_minute: TestClient) -> None:
    def refused() -> float:
        scraped = samples(two_a_minute.get("/metrics", headers=ADMIN).text)
        return value(scraped, "switchboard_rate_limited_total", reason="messages")

    conversation = new_conversation(two_a_minute, "C1005")
    for _ in range(2):
        ask(two_a_minute, conversation, "where is my order?")
    before = refused()
    assert_limited(send(two_a_minute, conversation), "sent a lot of messages")
    assert refused() == before + 1


def test_another_customer_is_unaffected(two_a_minute: TestClient) -> None:
    busy = new_conversation(two_a_minute, "C1002")
    for _ in range(2):
        ask(two_a_minute, busy, "where is my order?")
    assert_limited(send(two_a_minute, busy), "sent a lot of messages")
    other = new_conversation(two_a_minute, "C1003")
    assert send(two_a_minute, other).status_code == 200


def test_the_limit_is_the_customer_s_across_their_conversations(two_a_minute: TestClient) -> None:
    first = new_conversation(two_a_minute, "C1004")
    for _ in range(2):
        ask(two_a_minute, first, "where is my order?")
    second = new_conversation(two_a_minute, "C1004")  # a new conversation is no way round it
    assert_limited(send(two_a_minute, second), "sent a lot of messages")
    assert stored(two_a_minute, second) == []


def test_with_the_switch_off_nothing_is_limited(two_a_minute: TestClient) -> None:
    two_a_minute.patch("/api/flags", json={"flags": {"rate_limit": False}}, headers=ADMIN)
    conversation = new_conversation(two_a_minute, "C1006")
    for _ in range(4):
        assert send(two_a_minute, conversation).status_code == 200


def test_a_token_heavy_customer_is_limited_on_tokens(tmp_path: Path) -> None:
    with limited_client(tmp_path, messages=0, tokens=50) as client:
        client.patch("/api/flags", json={"flags": {"rate_limit": True}}, headers=ADMIN)
        conversation = new_conversation(client, "C1001")
        record = ask(client, conversation, "how do I return a tent?")[-1][1]
        assert record["input_tokens"] + record["output_tokens"] > 50  # one turn spends the minute's tokens
        assert_limited(send(client, conversation), "used a lot of the assistant's time")
        sign_in(client, "C1002")
        assert send(client, new_conversation(client, "C1002")).status_code == 200
