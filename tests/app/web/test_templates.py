"""The pages' limits come from the server's definitions, not copies of their numbers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from switchboard.app.web.schemas import MAX_MESSAGE_CHARS
from tests.conftest import sign_in


def test_the_composer_allows_what_the_server_accepts(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/")
    assert page.status_code == 200
    assert f'<textarea id="text" name="text" rows="2" maxlength="{MAX_MESSAGE_CHARS}"' in page.text
