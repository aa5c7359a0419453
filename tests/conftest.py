"""Shared fixtures: a real app (SQLite, Chroma, the shipped embedder) in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from switchboard.agents.embeddings import CachedEmbedder, Embedder, StaticEmbedder
from switchboard.app.main import create_app
from switchboard.app.settings import Settings

ADMIN = {"X-Admin-Token": "test-admin"}


def fast_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, demo_ttft_ms=0, demo_tokens_per_s=0, admin_token="test-admin")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return CachedEmbedder(StaticEmbedder(Settings().embedding_model_dir))


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(fast_settings(tmp_path_factory.mktemp("app")))
    with TestClient(app, headers=ADMIN) as test_client:  # the operator's client; customers' tests drop it
        yield test_client


@pytest.fixture(autouse=True)
def _default_flags(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that change flags on the shared app put them back."""
    yield
    if "client" in request.fixturenames:
        request.getfixturevalue("client").patch("/api/flags", json={"preset": "all-on"})
