"""Ingest is idempotent by content hash, replaces changed articles and removes deleted ones."""

from __future__ import annotations

from pathlib import Path

from switchboard.agents.embeddings import Embedder
from switchboard.app.settings import Settings
from switchboard.app.shop.knowledge import KnowledgeBase


def write(folder: Path, article_id: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{article_id}.md").write_text(
        f"---\nid: {article_id}\ntitle: {article_id.title()}\nupdated: 2026-11-01\n---\n{body}\n"
    )


def test_reingest_is_idempotent_and_follows_changes(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    write(docs, "stoves", "## Lighting\nTurn the valve slowly and light the burner.")
    write(docs, "tents", "## Drying\nDry the tent fully before storing it.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)

    first = kb.ingest(docs, "mine")
    assert (first.added, first.updated, first.removed, first.chunks) == (2, 0, 0, 2)
    again = kb.ingest(docs, "mine")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)

    write(docs, "stoves", "## Lighting\nOpen the valve a quarter turn.\n\n## Cleaning\nWipe the burner.")
    (docs / "tents.md").unlink()
    changed = kb.ingest(docs, "mine")
    assert (changed.updated, changed.removed, changed.chunks) == (1, 1, 2)
    assert {p.source for p in kb.search_now("dry the tent", 5)} == {"stoves"}


def test_sources_do_not_remove_each_others_articles(tmp_path: Path, embedder: Embedder) -> None:
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    write(tmp_path / "a", "warranty", "## Cover\nSeams and zips are covered for two years.")
    write(tmp_path / "b", "loyalty", "## Points\nOne point per dollar spent.")
    kb.ingest(tmp_path / "a", "a")
    report = kb.ingest(tmp_path / "b", "b")
    assert report.removed == 0 and report.chunks == 2


def test_hybrid_search_finds_a_rare_exact_word(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    write(docs, "gift-cards", "## Balance\nA Tidewater gift card never expires.")
    write(docs, "shipping", "## Speed\nExpress parcels arrive in one or two business days.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    kb.ingest(docs, "mine")
    assert kb.search_now("giftcard balance", 1, hybrid=True)[0].source == "gift-cards"


def test_hybrid_search_recovers_what_vectors_alone_miss(tmp_path: Path, embedder: Embedder) -> None:
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    kb.ingest(Settings().kb_dir, "shipped")
    question = "PW number for my package"  # Parcelway tracking numbers start with PW
    assert kb.search_now(question, 3)[0].source != "tracking-your-parcel"
    assert kb.search_now(question, 3, hybrid=True)[0].source == "tracking-your-parcel"
