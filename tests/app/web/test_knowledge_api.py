"""The knowledge base's index health on the API and the panel: the operator sees what the index
holds and what made it; nobody else does."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from switchboard.app.settings import REPO
from switchboard.app.shop.knowledge import IndexHealth
from switchboard.app.web.routes.knowledge import health_view
from tests.conftest import SAME_SITE

SHIPPED_ARTICLES = sum(1 for _ in (REPO / "data" / "tenants").glob("*/kb/*.md"))


def test_the_operator_reads_the_index_health(client: TestClient) -> None:
    health = client.get("/api/knowledge/health")
    assert health.status_code == 200
    body = health.json()
    assert body["tenants"] == 2 and body["articles"] >= SHIPPED_ARTICLES  # the chaos panel's planted ones too
    assert body["chunks"] > body["articles"] and body["stale_chunks"] == 0
    assert (body["embedder"], body["rebuilding"]) == ("model2vec:minilm-l6-static", [])
    assert (body["chunking"], body["layout"]) == ("heading", "tenant-chunks")
    assert datetime.fromisoformat(body["last_ingest"]).tzinfo is not None  # the app ingested on start


def test_the_panel_shows_the_knowledge_base_box(client: TestClient) -> None:
    page = client.get("/switchboard")
    assert page.status_code == 200 and 'id="knowledge"' in page.text
    box = client.get("/ui/knowledge")
    assert box.status_code == 200
    articles = client.get("/api/knowledge/health").json()["articles"]
    assert f'<td data-field="articles">{articles}</td>' in box.text and "<code>heading</code> chunks" in box.text


@pytest.mark.parametrize("path", ["/api/knowledge/health", "/ui/knowledge"])
def test_nobody_but_the_operator_reads_it(client: TestClient, path: str) -> None:
    assert client.get(path, headers={"X-Admin-Token": "", **SAME_SITE}).status_code == 401


def test_a_rebuild_under_way_shows_as_stale_chunks_and_the_storefront_named() -> None:
    health = IndexHealth(
        tenants=2, articles=49, chunks=200, stale_chunks=150, embedder="onnx:minilm-l6-onnx",
        layout="tenant-chunks/parent", last_ingest=0.0, rebuilding=("tidewater",), chunking="parent",
    )  # fmt: skip
    view = health_view(health)
    assert (view.stale_chunks, view.rebuilding, view.last_ingest) == (150, ["tidewater"], "1970-01-01T00:00:00+00:00")
    assert view.chunking == "parent"
    assert health_view(IndexHealth(0, 0, 0, 0, "e", "l", None, ())).last_ingest is None
