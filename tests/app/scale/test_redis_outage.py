"""Redis gone while the app runs: a request that needs it is refused with a 503 naming it, never a
500, and nothing the customer sent is half-stored."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.app.web.chatting import new_conversation, stored
from tests.conftest import ADMIN, SAME_SITE, fast_settings
from tests.services.redis import running_redis


def test_a_message_while_redis_is_down_gets_a_503_and_stores_nothing(tmp_path: Path) -> None:
    with running_redis(tmp_path) as url:  # a Redis of this test's own, to stop
        settings = fast_settings(tmp_path).model_copy(update={"redis_url": url})
        client = TestClient(create_app(settings), headers=SAME_SITE, raise_server_exceptions=False)
        client.__enter__()
        conversation = new_conversation(client)
        assert client.patch("/api/flags", json={"flags": {"rate_limit": True}}, headers=ADMIN).status_code == 200
    try:
        sent = client.post(
            f"/api/conversations/{conversation}/messages",
            json={"text": "where is my order?"},
            headers={"accept": "application/json"},
        )
        assert sent.status_code == 503, sent.text
        assert sent.json()["error"]["code"] == "shared_state_unavailable"
        assert int(sent.headers["Retry-After"]) > 0
        assert stored(client, conversation) == []  # refused before anything was kept
    finally:
        client.__exit__(None, None, None)
