"""Two replicas on one Postgres and one Redis (tests/services): what the Human console does
through one reaches the customer's chat streaming from the other, and a customer's rate limit
counts the messages sent through both.

Replica two serves the customer's event stream with uvicorn in a thread (a TestClient hands a
response over only once it has ended); replica one is a TestClient, as the console's requests end.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from switchboard.app.settings import Settings
from switchboard.app.web.main import create_app
from tests.app.web.chatting import new_conversation, send
from tests.app.web.test_live import STARTUP_S, _free_port, customer_and_conversation, events, eventually
from tests.conftest import ADMIN, SAME_SITE, fast_settings, sign_in


def replica(data_dir: Path, postgres_url: str, redis_url: str, **settings: object) -> Settings:
    shared = {"database_url": postgres_url, "redis_url": redis_url, "session_secret": "one-for-both"}
    return fast_settings(data_dir).model_copy(update={**shared, **settings})


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app on a free loopback port, for as long as the block runs: its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert eventually(lambda: server.started, STARTUP_S), "uvicorn did not start"
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert not thread.is_alive(), "the server did not stop"


def test_an_approval_decided_on_one_replica_reaches_the_chat_streaming_from_the_other(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    two = create_app(replica(tmp_path / "two", postgres_url, redis_url))
    with serving(two) as url, httpx.Client(base_url=url, timeout=30) as chat:
        customer, conversation = customer_and_conversation(chat)
        asked = chat.post(
            f"/api/conversations/{conversation}/messages",
            json={"text": "I want a refund for order 10049"},  # C1001's $364 order: over what the assistant may approve
            headers={**customer, "Accept": "application/json"},
        )
        assert asked.status_code == 200 and "asked a colleague" in asked.json()["answer"]
        with (
            chat.stream("GET", f"/api/conversations/{conversation}/events", headers=customer) as stream,
            TestClient(create_app(replica(tmp_path / "one", postgres_url, redis_url)), headers=SAME_SITE) as one,
        ):
            # the heartbeat's comments come whenever the stream is quiet long enough: not what is asserted
            received = (event for event in events(stream.iter_lines()) if event[0] != "comment")
            assert next(received) == ("held", '{"held":false}')  # sent once the stream's SUBSCRIBE is in place
            (waiting,) = one.get("/api/approvals", headers=ADMIN).json()
            decided = one.post(f"/api/approvals/{waiting['id']}", json={"decision": "approve"}, headers=ADMIN)
            assert decided.status_code == 200, decided.text
            kind, data = next(received)
            assert kind == "message" and "approved your refund of $357.05" in json.loads(data)["content"]
            took = one.post(f"/api/conversations/{conversation}/takeover", json={"on": True}, headers=ADMIN)
            assert took.status_code == 200 and next(received) == ("held", '{"held":true}')
            assert one.app.state.services.feed.listeners(conversation) == 0  # type: ignore[attr-defined]
            assert two.state.services.feed.listeners(conversation) == 1  # the stream is on two only


def test_a_rate_limit_counts_the_messages_sent_through_both_replicas(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    limited = {"rate_limit_messages_per_minute": 2, "rate_limit_tokens_per_minute": 0}
    with (
        TestClient(create_app(replica(tmp_path / "one", postgres_url, redis_url, **limited)), headers=SAME_SITE) as one,
        TestClient(create_app(replica(tmp_path / "two", postgres_url, redis_url, **limited)), headers=SAME_SITE) as two,
    ):
        for client in (one, two):  # the switch is per replica here (sharing it is another part's)
            assert client.patch("/api/flags", json={"flags": {"rate_limit": True}}, headers=ADMIN).status_code == 200
        conversation = new_conversation(one, "C1001")
        sign_in(two, "C1001")
        assert send(one, conversation).status_code == 200
        assert send(two, conversation).status_code == 200
        refused = send(one, conversation, "a third message")  # each replica has seen one: together, two
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
        assert send(two, conversation, "a fourth message").status_code == 429
        other = new_conversation(two, "C1002")
        assert send(two, other).status_code == 200  # another customer is unaffected
