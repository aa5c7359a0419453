"""Bad input gets a 4xx naming the problem — never a 500 — and changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.app.web.chatting import ask, new_conversation
from tests.conftest import sign_in


@pytest.fixture
def conversation(client: TestClient) -> str:
    sign_in(client, "C1001")
    return str(client.post("/api/conversations", json={}).json()["id"])


def error_of(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    return dict(body["error"])


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "empty"), ("   \n\t", "empty"), ("x" * 8001, "limit is 8000")],
)
def test_unacceptable_messages_are_refused_and_not_stored(
    client: TestClient, conversation: str, text: str, fragment: str
) -> None:
    response = client.post(f"/api/conversations/{conversation}/messages", json={"text": text})
    assert response.status_code == 422
    assert fragment in error_of(response)["message"]
    assert client.get(f"/api/conversations/{conversation}/messages").json() == []


def test_a_message_of_exactly_the_limit_is_accepted(client: TestClient, conversation: str) -> None:
    response = client.post(
        f"/api/conversations/{conversation}/messages",
        json={"text": "tent " * 1600},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200


def test_malformed_json_is_a_400(client: TestClient, conversation: str) -> None:
    response = client.post(
        f"/api/conversations/{conversation}/messages",
        content=b'{"text": "hi"',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_unknown_conversation_is_a_404(client: TestClient) -> None:
    sign_in(client)
    response = client.post("/api/conversations/c_nope/messages", json={"text": "hello"})
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "conversation_not_found",
        "message": "no conversation with id 'c_nope'",
    }


def test_signing_in_as_an_unknown_customer_is_a_404(client: TestClient) -> None:
    response = client.post("/api/session", json={"customer_id": "C9999"})
    assert response.status_code == 404
    assert error_of(response)["code"] == "customer_not_found"


def test_missing_and_extra_fields_are_422(client: TestClient) -> None:
    assert client.post("/api/session", json={}).status_code == 422
    sign_in(client)
    response = client.post("/api/conversations", json={"admin": True})
    assert response.status_code == 422
    assert "admin" in error_of(response)["message"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"flags": {"warp_drive": True}}, "unknown flag 'warp_drive'"),
        ({"flags": {"streaming": "yes"}}, "true or false"),
        ({"preset": "chapter-99"}, "unknown preset"),
        ({}, 'either "flags" or "preset"'),
    ],
)
def test_bad_flag_changes_are_refused_whole(client: TestClient, body: dict[str, object], fragment: str) -> None:
    before = client.get("/api/flags").json()["flags"]
    response = client.patch("/api/flags", json=body)
    assert response.status_code == 422
    assert fragment in error_of(response)["message"]
    assert client.get("/api/flags").json()["flags"] == before


def test_unknown_route_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


INVISIBLE = ["\u200b\u200b", "\ufeff", "\u2060 \u200b", "\u0301\u0301", "\u20dd", "\x07\x1b", "\u00ad\u200d"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_message_with_nothing_visible_is_refused_and_opens_no_ticket(
    client: TestClient, conversation: str, text: str
) -> None:
    response = client.post(f"/api/conversations/{conversation}/messages", json={"text": text})
    assert response.status_code == 422
    assert "message has no visible characters" in error_of(response)["message"]
    assert client.get(f"/api/conversations/{conversation}/messages").json() == []


@pytest.mark.parametrize("accept", ["application/json", "text/event-stream"])
def test_a_lone_surrogate_is_a_422_on_both_paths(client: TestClient, conversation: str, accept: str) -> None:
    response = client.post(
        f"/api/conversations/{conversation}/messages",
        content=b'{"text": "where is my order \\ud800?"}',
        headers={"content-type": "application/json", "accept": accept},
    )
    assert response.status_code == 422
    assert "surrogate" in error_of(response)["message"]
    assert client.get(f"/api/conversations/{conversation}/messages").json() == []


def test_control_characters_inside_a_message_are_stripped_before_it_is_stored(
    client: TestClient, conversation: str
) -> None:
    response = client.post(
        f"/api/conversations/{conversation}/messages",
        json={"text": "where is\x00 my\x1b order?\tthanks\nbye"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    stored = client.get(f"/api/conversations/{conversation}/messages").json()[0]["content"]
    assert stored == "where is my order?\tthanks\nbye"


def test_the_human_reply_is_validated_like_a_message(client: TestClient, conversation: str) -> None:
    response = client.post(f"/api/conversations/{conversation}/human-reply", json={"text": "\u200b"})
    assert response.status_code == 422
    assert "no visible characters" in error_of(response)["message"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/flags", b'{"flags": {"warp\\u0000\\ud800": true}}'),
        ("/api/chaos", b'{"chaos": {"demo-\\u0000": {"outage": true}}}'),
        ("/api/chaos", b'{"chaos": {"demo-a": {"\\udfff": 1}}}'),
        ("/api/chaos", b'{"preset": "calm\\u0000"}'),
    ],
)
def test_odd_names_are_a_422(client: TestClient, path: str, body: bytes) -> None:
    response = client.patch(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/records/%00",
        "/api/records/" + "x" * 5000,
        "/ui/conversations?customer_id=%ff",
        "/api/conversations/%00%ff/messages",
        "/api/runs/%00",
    ],
)
def test_odd_bytes_in_paths_and_queries_are_never_a_500(client: TestClient, path: str) -> None:
    assert 400 <= client.get(path).status_code < 500


@pytest.mark.parametrize("text", ["👍", "🙂🙂", "🙂 👍"])
def test_a_message_with_no_letters_or_digits_gets_a_question_back_not_a_ticket(client: TestClient, text: str) -> None:
    events = ask(client, new_conversation(client), text)
    done = events[-1][1]
    assert done["outcome"] == "answered"
    steps = [data for name, data in events if name == "step"]
    # not str(events): the record names every prompt's version, the escalate prompt's too
    assert steps and "escalate" not in str(steps) and "escalate" not in done["path"] and not done["tickets"]


@pytest.mark.parametrize("text", ["\u200b", "\u0301", "x" * 4001])
def test_the_console_form_refuses_a_reply_it_cannot_send(client: TestClient, conversation: str, text: str) -> None:
    response = client.post(f"/ui/conversations/{conversation}/human-reply", data={"text": text})
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_input"
