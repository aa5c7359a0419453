"""Bad input gets a 4xx naming the problem — never a 500 — and changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

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
        ({"flags": {"semantic_cache": True}}, "not built yet"),
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
