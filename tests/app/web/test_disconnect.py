"""A browser that closes the page mid-answer, over real HTTP on loopback: the app's SSE route
served by uvicorn, an OpenAI-compatible model server behind it (openai_wire's `slow` model)
that notes when its client — the app's gateway — hangs up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from switchboard.app.settings import Settings
from switchboard.app.web.main import create_app
from tests.agents.llm.providers import openai_wire
from tests.agents.llm.providers.loopback import serve
from tests.conftest import ADMIN

QUESTION = "how do I return a tent?"


@pytest.fixture(scope="module")
def model_url() -> Iterator[str]:
    with openai_wire.serving() as url:
        yield url


@pytest.fixture
def app_url(tmp_path: Path, model_url: str) -> Iterator[str]:
    settings = Settings(
        data_dir=tmp_path,
        demo_ttft_ms=0,
        demo_tokens_per_s=0,
        admin_token=ADMIN["X-Admin-Token"],
        openai_base_url=model_url,
        openai_model="slow",
    )
    with serve(create_app(settings)) as url:
        yield url


def signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, headers={"Origin": url}, timeout=10)
    token = client.post("/api/session", json={"customer_id": "C1001"}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    # One model call answers: no cascade, no escalation on an unsure route, no cache.
    quiet = {"model_routing": False, "escalation_triggers": False, "semantic_cache": False}
    assert client.patch("/api/flags", json={"flags": quiet}, headers=ADMIN).status_code == 200
    return client


def read_then_leave(client: httpx.Client, conversation: str, words: int) -> None:
    """Reads the answer's first `words` token events, then closes the connection."""
    seen = 0
    with client.stream("POST", f"/api/conversations/{conversation}/messages", json={"text": QUESTION}) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            seen += line.startswith("event: token")
            if seen == words:
                break


def stored_record(client: httpx.Client, conversation: str) -> dict[str, Any]:
    """The answer's record, once the server has written it. Written on the server's thread after
    the hang-up: asked again until then, for at most 10 s."""
    for _ in range(1000):
        messages = client.get(f"/api/conversations/{conversation}/messages").json()
        if len(messages) == 2 and messages[1]["record_id"]:
            record: dict[str, Any] = client.get(f"/api/records/{messages[1]['record_id']}").json()
            return record
        time.sleep(0.01)  # the other thread's write, not this app's behaviour
    raise AssertionError("no record was written")


def test_closing_the_page_hangs_up_on_the_model_and_records_the_cut_call(app_url: str) -> None:
    client = signed_in(app_url)
    conversation = client.post("/api/conversations", json={}).json()["id"]
    openai_wire.SLOW.hung_up.clear()
    read_then_leave(client, conversation, words=3)
    assert openai_wire.SLOW.hung_up.wait(timeout=10)  # the model server saw its client go
    assert openai_wire.SLOW.sent[-1] < openai_wire.SLOW_WORDS

    record = stored_record(client, conversation)
    assert record["outcome"] == "cancelled" and record["error"] == "client disconnected"
    cut = record["calls"][-1]
    assert cut["provider"] == "openai" and cut["purpose"] == "knowledge" and cut["estimated"]
    # counted in the turn's tokens (its cost too: "slow" is priced at 0, the demo test sees dollars)
    assert cut["output_tokens"] >= 3 and record["output_tokens"] >= cut["output_tokens"]
    user, answer = client.get(f"/api/conversations/{conversation}/messages").json()
    assert user["content"] == QUESTION and not answer["complete"]
