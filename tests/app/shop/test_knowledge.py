"""Ingest is idempotent by content hash, replaces changed articles and removes deleted ones;
every search keeps to one tenant's articles."""

from __future__ import annotations

from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from switchboard.agents.embeddings import Embedder
from switchboard.app.settings import Settings
from switchboard.app.shop.knowledge import ChromaEmbedding, KnowledgeBase
from tests.app.shop.tenant_articles import two_shops_with_one_article_id


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

    first = kb.ingest(docs, "mine", "tidewater")
    assert (first.added, first.updated, first.removed, first.chunks) == (2, 0, 0, 2)
    again = kb.ingest(docs, "mine", "tidewater")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)

    write(docs, "stoves", "## Lighting\nOpen the valve a quarter turn.\n\n## Cleaning\nWipe the burner.")
    (docs / "tents.md").unlink()
    changed = kb.ingest(docs, "mine", "tidewater")
    assert (changed.updated, changed.removed, changed.chunks) == (1, 1, 2)
    assert {p.source for p in kb.search_now("dry the tent", 5, tenant="tidewater")} == {"stoves"}


def test_the_articles_versions_follow_ingest_and_name_what_changed(tmp_path: Path, embedder: Embedder) -> None:
    """What the answer cache checks an entry against: `<tenant>/<article>` → content hash."""
    docs = tmp_path / "docs"
    write(docs, "stoves", "## Lighting\nTurn the valve slowly.")
    write(docs, "tents", "## Drying\nDry the tent fully.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    assert kb.ingest(docs, "mine", "tidewater").changed == ()  # added, not changed
    before = kb.versions()
    assert set(before) == {"tidewater/stoves", "tidewater/tents"}
    write(docs, "stoves", "## Lighting\nOpen the valve a quarter turn.")
    (docs / "tents.md").unlink()
    report = kb.ingest(docs, "mine", "tidewater")
    assert report.changed == ("tidewater/stoves", "tidewater/tents")
    after = kb.versions()
    assert set(after) == {"tidewater/stoves"} and after["tidewater/stoves"] != before["tidewater/stoves"]


def test_sources_do_not_remove_each_others_articles(tmp_path: Path, embedder: Embedder) -> None:
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    write(tmp_path / "a", "warranty", "## Cover\nSeams and zips are covered for two years.")
    write(tmp_path / "b", "loyalty", "## Points\nOne point per dollar spent.")
    kb.ingest(tmp_path / "a", "a", "tidewater")
    report = kb.ingest(tmp_path / "b", "b", "tidewater")
    assert report.removed == 0 and report.chunks == 2


def test_hybrid_search_finds_a_rare_exact_word(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    write(docs, "gift-cards", "## Balance\nA Tidewater gift card never expires.")
    write(docs, "shipping", "## Speed\nExpress parcels arrive in one or two business days.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    kb.ingest(docs, "mine", "tidewater")
    assert kb.search_now("giftcard balance", 1, hybrid=True, tenant="tidewater")[0].source == "gift-cards"


def test_reingest_rebuilds_the_keyword_index(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    write(docs, "stoves", "## Lighting\nTurn the valve slowly and light the burner.")
    write(docs, "tents", "## Drying\nDry the tent fully before storing it.")
    write(docs, "zips", "## Sticking\nRub a candle along a sticking zip.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    kb.ingest(docs, "mine", "tidewater")
    assert kb.search_now("burner", 1, hybrid=True, tenant="tidewater")[0].source == "stoves"  # index built

    (docs / "stoves.md").unlink()
    write(docs, "tents", "## Drying\nDry the tent fully before storing it; a damp burner bag grows mildew.")
    kb.ingest(docs, "mine", "tidewater")
    found = kb.search_now("burner", 3, hybrid=True, tenant="tidewater")
    assert "stoves" not in {p.source for p in found}  # a stale index would still rank the removed chunk
    assert found[0].source == "tents"  # only the new text has the word


def test_hybrid_search_recovers_what_vectors_alone_miss(tmp_path: Path, embedder: Embedder) -> None:
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    kb.ingest(Settings().tenants_dir / "tidewater" / "kb", "shipped", "tidewater")
    question = "PW number for my package"  # Parcelway tracking numbers start with PW
    assert kb.search_now(question, 3, tenant="tidewater")[0].source != "tracking-your-parcel"
    assert kb.search_now(question, 3, hybrid=True, tenant="tidewater")[0].source == "tracking-your-parcel"


def test_one_article_id_at_two_tenants_is_two_articles(tmp_path: Path, embedder: Embedder) -> None:
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    two_shops_with_one_article_id(kb, tmp_path)
    tide = kb.search_now("how many days do I have to return something", 3, tenant="tidewater")
    summit = kb.search_now("how many days do I have to return something", 3, tenant="summit")
    assert {p.id for p in tide} == {"tidewater/returns-policy#0"} and "45 days" in tide[0].text
    assert {p.id for p in summit} == {"summit/returns-policy#0"} and "30 days" in summit[0].text
    assert tide[0].source == summit[0].source == "returns-policy"  # answers cite the bare id


def test_hybrid_search_keeps_to_the_tenant_in_its_keyword_index_too(tmp_path: Path, embedder: Embedder) -> None:
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    two_shops_with_one_article_id(kb, tmp_path)
    found = kb.search_now("derailleur", 5, hybrid=True, tenant="tidewater")  # a word only Summit's article has
    assert found and {p.id.split("/")[0] for p in found} == {"tidewater"}


def test_reingesting_one_tenant_leaves_the_others_article_of_the_same_id(tmp_path: Path, embedder: Embedder) -> None:
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    two_shops_with_one_article_id(kb, tmp_path)
    (tmp_path / "tidewater" / "returns-policy.md").unlink()
    report = kb.ingest(tmp_path / "tidewater", "shipped", "tidewater")
    assert report.removed == 1
    assert kb.search_now("return", 3, tenant="tidewater") == []
    assert [p.id for p in kb.search_now("return", 3, tenant="summit")] == ["summit/returns-policy#0"]


def test_a_collection_from_before_tenants_is_rebuilt(tmp_path: Path, embedder: Embedder) -> None:
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    made_before = {"embedding_function": ChromaEmbedding(embedder), "metadata": {"hnsw:space": "cosine"}}
    old = client.create_collection("test-kb", **made_before)  # type: ignore[arg-type]
    old.add(ids=["returns-policy#0"], documents=["Return within 45 days."], metadatas=[{"source": "shipped"}])
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    assert kb.count() == 0  # its chunks named no tenant: dropped, to be ingested again


def test_a_tenant_without_articles_finds_nothing_not_everything(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    write(docs, "tents", "## Drying\nDry the tent fully before storing it.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    kb.ingest(docs, "mine", "tidewater")
    assert kb.search_now("dry the tent", 3, tenant="summit") == []
    assert kb.search_now("dry the tent", 3, hybrid=True, tenant="summit") == []


def test_a_chunk_removed_behind_the_knowledge_bases_back_neither_fails_nor_returns(
    tmp_path: Path, embedder: Embedder
) -> None:
    """Another process may re-ingest the same collection: this one's list of chunk ids goes stale."""
    docs = tmp_path / "docs"
    write(docs, "stoves", "## Lighting\nTurn the valve slowly and light the burner.")
    write(docs, "tents", "## Drying\nDry the tent fully before storing it.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    kb.ingest(docs, "mine", "tidewater")
    assert {p.source for p in kb.search_now("tent", 2, tenant="tidewater")} == {"stoves", "tents"}
    other = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    (docs / "tents.md").unlink()
    other.ingest(docs, "mine", "tidewater")
    assert {p.source for p in kb.search_now("tent", 2, tenant="tidewater")} == {"stoves"}
    assert {p.source for p in kb.search_now("tent", 2, tenant="tidewater")} == {"stoves"}  # ids read anew


def test_a_change_of_chunking_strategy_cuts_the_articles_again(tmp_path: Path, embedder: Embedder) -> None:
    """The layout names the strategy: an index cut another way is not served at open and the next
    ingest adds every article again, cut the new way (never two layouts in one index)."""
    docs = tmp_path / "docs"
    write(docs, "tents", "## Drying\nDry the tent fully. Store it loose. Never pack it wet.")
    heading = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    assert heading.ingest(docs, "mine", "tidewater").chunks == 1
    assert KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder).health().layout == "tenant-chunks"

    parent = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder, chunking="parent")
    assert parent.count() == 0 and parent.health().layout == "tenant-chunks/parent"
    report = parent.ingest(docs, "mine", "tidewater")
    assert (report.added, report.unchanged, report.chunks) == (1, 0, 3)  # one chunk a sentence
    again = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder, chunking="parent")
    assert again.ingest(docs, "mine", "tidewater").unchanged == 1  # the same strategy keeps its index


def test_parent_chunks_return_their_section_once_under_the_sections_name(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    section = "Dry the tent fully. Store the tent loose. Never pack the tent wet."
    write(docs, "tents", f"## Drying\n{section}\n\n## Pitching\nStake the corners first.")
    write(docs, "stoves", "## Lighting\nTurn the valve slowly and light the burner.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder, chunking="parent")
    kb.ingest(docs, "mine", "tidewater")
    for hybrid in (False, True):
        found = kb.search_now("how do I store a wet tent", 3, hybrid, tenant="tidewater")
        assert found[0].id == "tidewater/tents#s0" and found[0].text == section
        assert len({p.id for p in found}) == len(found) == 3  # three sections, not three sentences of one


def test_sentence_chunks_return_the_sentence_with_its_neighbours(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    write(docs, "tents", "## Care\nPitch it on flat ground. Dry the tent fully before storing. Zip the door.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder, chunking="sentence")
    kb.ingest(docs, "mine", "tidewater")
    best = kb.search_now("dry the tent before storing", 1, tenant="tidewater")[0]
    assert best.id == "tidewater/tents#1"
    assert best.text == "Pitch it on flat ground. Dry the tent fully before storing. Zip the door."


def test_reranking_lifts_the_passage_with_the_questions_rare_word(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    write(docs, "tent-care", "## Tents\nPitching a tent in your living room to dry the tent is fine.")
    write(docs, "returns", "## Returns\nYou can return tents within 60 days.")
    for n, text in enumerate(
        ["Turn the valve slowly.", "Wash the jacket cold.", "Patch the pad.", "Boots need breaking in."]
    ):
        write(docs, f"other-{n}", f"## Care\n{text}")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder, rerank=True)
    kb.ingest(docs, "mine", "tidewater")
    first = kb.search_now("can I return a tent", 6, tenant="tidewater", rerank=False)
    reranked = kb.search_now("can I return a tent", 6, tenant="tidewater")  # as opened: reranking
    assert [p.source for p in first[:2]] == ["tent-care", "returns"]
    assert [p.source for p in reranked[:2]] == ["returns", "tent-care"]
    assert sorted(p.id for p in reranked) == sorted(p.id for p in first)
    assert len(kb.search_now("can I return a tent", 2, tenant="tidewater")) == 2


def test_below_the_floor_a_search_finds_nothing_rather_than_the_nearest_passage(
    tmp_path: Path, embedder: Embedder
) -> None:
    docs = tmp_path / "docs"
    write(docs, "tent-care", "## Drying\nDry the tent fully before you store it.")
    write(docs, "stoves", "## Lighting\nTurn the valve slowly and light the burner.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder, floor=0.5)
    kb.ingest(docs, "mine", "tidewater")
    (near,) = kb.search_now("how do I dry my tent before storing it", 1, tenant="tidewater", rerank=False)
    assert near.source == "tent-care" and near.score >= 0.5
    unrelated = "what is the capital of Mongolia"
    assert kb.search_now(unrelated, 3, tenant="tidewater") == []
    assert kb.search_now(unrelated, 3, True, tenant="tidewater") == []  # keyword hits do not count
    assert kb.search_now(unrelated, 1, tenant="tidewater", floor=0.0)  # a caller may ask for the nearest anyway


def test_hybrid_passages_are_chromas_chunks_with_their_vector_scores(tmp_path: Path, embedder: Embedder) -> None:
    """The passages come from the chunks held in memory: each as Chroma holds it, scored by its
    cosine with the question when the vector ranking found it and 0 when only BM25 did."""
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    kb.ingest(Settings().tenants_dir / "tidewater" / "kb", "shipped", "tidewater")
    question = "PW number for my package"
    found = kb.search_now(question, 8, hybrid=True, tenant="tidewater")
    stored = kb._indexes["tidewater"].collection.get(ids=[p.id for p in found], include=["documents", "embeddings"])
    vectors, asked = dict(zip(stored["ids"], stored["embeddings"], strict=True)), embedder.embed([question])[0]
    texts = dict(zip(stored["ids"], stored["documents"] or [], strict=True))
    assert all(p.text in texts[p.id] and p.title.startswith(texts[p.id].split(" — ")[0]) for p in found)
    by_vector = [p for p in found if p.score != 0.0]
    assert by_vector and len(by_vector) < len(found)  # both rankings contributed
    assert all(p.score == pytest.approx(float(vectors[p.id] @ asked), abs=1e-5) for p in by_vector)


def test_hybrid_search_serves_a_chunk_another_replica_wrote_since_its_chunks_were_read(
    tmp_path: Path, embedder: Embedder
) -> None:
    docs, theirs = tmp_path / "docs", tmp_path / "theirs"
    write(docs, "tents", "## Drying\nDry the tent fully before storing it.")
    write(theirs, "kayaks", "## Paddling\nHold the kayak paddle with both hands, knuckles up.")
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    kb.ingest(docs, "mine", "tidewater")
    assert kb.search_now("kayak paddle", 1, hybrid=True, tenant="tidewater")[0].source == "tents"  # chunks read
    KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder).ingest(theirs, "theirs", "tidewater")
    (best,) = kb.search_now("kayak paddle", 1, hybrid=True, tenant="tidewater")  # found by its vector
    assert (best.source, best.text, best.score > 0) == (
        "kayaks",
        "Hold the kayak paddle with both hands, knuckles up.",
        True,
    )
