"""Chatting over the HTTP API in tests, as the browser does: sign in, open a conversation, ask."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.conftest import ADMIN, sign_in
from tests.sse import parse_sse


def new_conversation(client: TestClient, customer_id: str = "C1001") -> str:
    """A new conversation, with the client signed in as `customer_id`."""
    sign_in(client, customer_id)
    response = client.post("/api/conversations", json={})
    assert response.status_code == 201
    return str(response.json()["id"])


def ask(client: TestClient, conversation_id: str, text: str) -> list[tuple[str, Any]]:
    response = client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"text": text},
        headers={"accept": "text/event-stream"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_sse(response.text)


def answer_of(events: list[tuple[str, Any]]) -> str:
    return "".join(data["text"] for name, data in events if name == "token")


def send(client: TestClient, conversation_id: str, text: str = "where is my order?") -> httpx.Response:
    """A message sent for a JSON answer, whatever its status (the refusal tests read it)."""
    return client.post(
        f"/api/conversations/{conversation_id}/messages", json={"text": text}, headers={"accept": "application/json"}
    )


def stored(client: TestClient, conversation_id: str) -> list[str]:
    """The conversation's stored messages, as the signed-in customer reads them."""
    return [m["content"] for m in client.get(f"/api/conversations/{conversation_id}/messages").json()]


def turns_recorded(client: TestClient) -> int:
    """How many turns the app has recorded, from the operator's metrics."""
    return sum(row["count"] for row in client.get("/api/metrics", headers=ADMIN).json()["configurations"])
