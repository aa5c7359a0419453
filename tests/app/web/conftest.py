"""Fixtures the web tests share: an app whose client has no credentials of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.conftest import fast_settings


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client with no credentials of its own, one app per test module: each test says who it is."""
    with TestClient(create_app(fast_settings(tmp_path_factory.mktemp("anonymous")))) as client:
        yield client


@pytest.fixture
def signed_out(app_client: TestClient) -> Iterator[None]:
    """Starts and ends the test with no cookies (modules use it with `pytestmark`)."""
    app_client.cookies.clear()
    yield
    app_client.cookies.clear()
