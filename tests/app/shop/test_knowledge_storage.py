"""The knowledge base's storage: a Chroma server, a collection per tenant, embedder refresh."""

from __future__ import annotations

from pathlib import Path

from switchboard.agents.embeddings import Embedder
from switchboard.app.shop.chroma import chroma_client
from switchboard.app.shop.knowledge import KnowledgeBase
from tests.app.shop.test_knowledge import write
from tests.fakes import HeldJobs, RenamedEmbedder


def test_ingest_against_a_chroma_server_is_idempotent_and_keeps_tenants_apart(
    tmp_path: Path, embedder: Embedder, chroma_server: str
) -> None:
    docs = tmp_path / "docs"
    write(docs, "tents", "## Drying\nDry the tent fully before storing it.")
    write(docs, "stoves", "## Lighting\nTurn the valve slowly.")
    kb = KnowledgeBase.open(chroma_client(tmp_path, chroma_server), "server-kb", embedder)
    first = kb.ingest(docs, "mine", "tidewater")
    assert (first.added, first.chunks) == (2, 2)
    again = KnowledgeBase.open(chroma_client(tmp_path, chroma_server), "server-kb", embedder)
    second = again.ingest(docs, "mine", "tidewater")
    assert (second.added, second.updated, second.unchanged, second.chunks) == (0, 0, 2, 2)
    write(docs, "tents", "## Drying\nHang the tent in the shade until it is bone dry.")
    third = again.ingest(docs, "mine", "tidewater")
    assert third.updated == 1 and third.changed == ("tidewater/tents",)
    assert "bone dry" in again.search_now("drying the tent", 1, tenant="tidewater")[0].text
    assert again.search_now("drying the tent", 3, hybrid=True, tenant="summit") == []


def test_a_new_embedder_rebuilds_in_the_background_while_the_old_index_serves(
    tmp_path: Path, embedder: Embedder
) -> None:
    docs = tmp_path / "docs"
    write(docs, "tents", "## Drying\nDry the tent fully before storing it.")
    old = RenamedEmbedder(embedder, "old-model")
    KnowledgeBase.open(tmp_path / "chroma", "kb", old).ingest(docs, "mine", "tidewater")
    new, jobs = RenamedEmbedder(embedder, "new-model"), HeldJobs()
    kb = KnowledgeBase.open(tmp_path / "chroma", "kb", new, previous=[old], spawn=jobs)
    assert kb.refresh_in_background() == ["tidewater"]
    assert kb.health().rebuilding == ("tidewater",) and kb.health().stale_chunks == 1
    old.texts = 0
    assert kb.search_now("dry the tent", 1, tenant="tidewater")[0].source == "tents"
    assert (old.texts, new.texts) == (1, 0)  # the query was embedded for the old index's vectors
    jobs.run_all()
    assert new.texts == 1 and kb.health().stale_chunks == 0 and kb.health().rebuilding == ()
    assert kb.search_now("dry the tent", 1, tenant="tidewater")[0].source == "tents"
    assert new.texts == 2
    assert kb.ingest(docs, "mine", "tidewater").reembedded == 1
    reopened = KnowledgeBase.open(tmp_path / "chroma", "kb", new)
    assert reopened.stale() == [] and reopened.count() == 1  # the old collection was dropped


def test_an_index_whose_embedder_is_gone_is_re_embedded_before_it_serves(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    write(docs, "tents", "## Drying\nDry the tent fully before storing it.")
    KnowledgeBase.open(tmp_path / "chroma", "kb", RenamedEmbedder(embedder, "gone")).ingest(docs, "mine", "tidewater")
    kb = KnowledgeBase.open(tmp_path / "chroma", "kb", embedder)
    assert kb.stale() == [] and kb.health().stale_chunks == 0
    report = kb.ingest(docs, "mine", "tidewater")
    assert (report.unchanged, report.reembedded) == (1, 1)


def test_two_replicas_starting_together_on_a_fresh_chroma_server_both_ingest(
    tmp_path: Path, embedder: Embedder, chroma_server: str
) -> None:
    """Both open before either has made the storefront's collection, as replicas started together do."""
    docs = tmp_path / "docs"
    write(docs, "tents", "## Drying\nDry the tent fully before storing it.")
    first, second = (KnowledgeBase.open(chroma_client(tmp_path, chroma_server), "twins", embedder) for _ in range(2))
    assert first.ingest(docs, "mine", "tidewater").added == 1
    report = second.ingest(docs, "mine", "tidewater")  # its collection was made a moment ago by the first
    assert (report.added, report.unchanged, second.count()) == (0, 1, 1)
    assert second.search_now("dry the tent", 1, tenant="tidewater")[0].source == "tents"
