"""Shared fixtures: a real app (SQLite, Chroma, the shipped embedder) in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from switchboard.agents.embeddings import CachedEmbedder, Embedder, OnnxEmbedder, StaticEmbedder
from switchboard.app.settings import Settings
from switchboard.app.web.main import create_app
from tests.phoenix import Phoenix, phoenix_missing, running_phoenix

pytest_plugins = ["tests.services.postgres", "tests.services.chroma", "tests.services.redis"]

ADMIN = {"X-Admin-Token": "test-admin"}
SAME_SITE = {"Origin": "http://testserver"}  # what a browser adds to a request from the app's own page


def fast_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, demo_ttft_ms=0, demo_tokens_per_s=0, admin_token="test-admin")


def sign_in(client: TestClient, customer_id: str = "C1001") -> dict[str, str]:
    """Signs the client in as `customer_id`, as the demo's picker does: its later requests carry
    that customer's session cookie (until the next sign-in, or the end of the test). Returns the
    same session as bearer headers, for a test that acts as two customers at once."""
    response = client.post("/api/session", json={"customer_id": customer_id}, headers=SAME_SITE)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return CachedEmbedder(StaticEmbedder(Settings().embedding_model_dir))


@pytest.fixture(scope="session")
def onnx_embedder() -> Embedder:
    """The contextual MiniLM the semantic cache can use (SWITCHBOARD_CACHE_EMBEDDER=onnx)."""
    return CachedEmbedder(OnnxEmbedder(Settings().cache_embedding_model_dir))


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(fast_settings(tmp_path_factory.mktemp("app")))
    with TestClient(app, headers=ADMIN) as test_client:  # the operator's client; customers' tests drop it
        yield test_client


@pytest.fixture(scope="session")
def phoenix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Phoenix]:
    """A real OTLP receiver on loopback, one per session: its endpoint, and a client that reads
    back the spans it stored. Skipped only where scripts/ensure-phoenix.sh has not run."""
    if reason := phoenix_missing():
        pytest.skip(reason)
    with running_phoenix(tmp_path_factory.mktemp("phoenix")) as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def _default_flags(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that change flags on the shared app put them back, and sign its client out."""
    yield
    if "client" in request.fixturenames:
        shared = request.getfixturevalue("client")
        shared.cookies.clear()
        shared.patch("/api/flags", json={"preset": "all-on"})
