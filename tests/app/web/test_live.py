"""A conversation's event stream, over a real socket: what the console posts reaches the open
stream at once; only the conversation's own customer may listen; a closed stream unsubscribes.

The streaming tests serve the app with uvicorn in a thread: TestClient (and httpx's ASGI
transport) hand a response over only once it has ended, and this one does not end by itself.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from switchboard.app.web.routes import live
from tests.conftest import ADMIN, fast_settings, sign_in

STARTUP_S = 60.0


@dataclass
class Served:
    url: str
    app: FastAPI


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def eventually(condition: Callable[[], bool], within_s: float = 10.0) -> bool:
    """Polls a condition another thread makes true (the server's), up to `within_s`."""
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)  # polling interval, not a wait for a condition
    return True


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    app = create_app(fast_settings(tmp_path))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert eventually(lambda: server.started, STARTUP_S), "uvicorn did not start"
    yield Served(f"http://127.0.0.1:{server.config.port}", app)
    server.should_exit = True
    thread.join(timeout=30)
    assert not thread.is_alive(), "the server did not stop"


def customer_and_conversation(client: httpx.Client, customer_id: str = "C1001") -> tuple[dict[str, str], str]:
    token = client.post("/api/session", json={"customer_id": customer_id}).json()["token"]
    client.cookies.clear()  # this customer speaks by bearer token from here on
    bearer = {"Authorization": f"Bearer {token}"}
    return bearer, str(client.post("/api/conversations", json={}, headers=bearer).json()["id"])


def events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event, data) pairs, and ("comment", text) for each comment line (the heartbeat)."""
    kind, data = "message", ""
    for line in lines:
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()
        elif not line and data:
            yield kind, data
            kind, data = "message", ""


def test_what_the_console_posts_reaches_the_open_stream_and_closing_it_unsubscribes(served: Served) -> None:
    with httpx.Client(base_url=served.url, timeout=10) as client:
        customer, conversation = customer_and_conversation(client)
        feed = served.app.state.services.feed
        with client.stream("GET", f"/api/conversations/{conversation}/events", headers=customer) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            received = events(stream.iter_lines())
            assert next(received) == ("held", '{"held":false}')
            took = client.post(f"/api/conversations/{conversation}/takeover", json={"on": True}, headers=ADMIN)
            assert took.status_code == 200 and next(received) == ("held", '{"held":true}')
            reply = {"text": "It ships today."}
            sent = client.post(f"/api/conversations/{conversation}/human-reply", json=reply, headers=ADMIN).json()
            kind, data = next(received)
            assert kind == "message" and httpx.Response(200, content=data).json() == {
                "message_id": sent["id"],
                "role": "assistant",
                "content": "From our team: It ships today.",
            }
            assert feed.listeners(conversation) == 1
        assert eventually(lambda: feed.listeners(conversation) == 0), "a closed stream stayed subscribed"


def test_an_idle_stream_sends_heartbeat_comments(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "PING_S", 0.1)
    with httpx.Client(base_url=served.url, timeout=10) as client:
        customer, conversation = customer_and_conversation(client)
        with client.stream("GET", f"/api/conversations/{conversation}/events", headers=customer) as stream:
            received = events(stream.iter_lines())
            assert next(received)[0] == "held"
            assert next(received)[0] == "comment"  # nothing happened: a comment keeps the line open


def test_another_customers_conversation_has_no_stream(app_client: TestClient) -> None:
    first = sign_in(app_client, "C1001")
    theirs = app_client.post("/api/conversations", json={}, headers=first).json()["id"]
    sign_in(app_client, "C1002")
    refused = app_client.get(f"/api/conversations/{theirs}/events")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "conversation_not_found"
    assert app_client.get("/api/conversations/c_nothing/events").status_code == 404


def test_no_session_no_stream(app_client: TestClient) -> None:
    customer = sign_in(app_client, "C1001")
    mine = app_client.post("/api/conversations", json={}, headers=customer).json()["id"]
    app_client.cookies.clear()
    refused = app_client.get(f"/api/conversations/{mine}/events", headers={"Accept": "text/event-stream"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_signed_in"
    as_operator = app_client.get(f"/api/conversations/{mine}/events", headers=ADMIN)
    assert as_operator.status_code == 401  # the operator watches from the console, not the customer's stream
