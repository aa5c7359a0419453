"""A change of chunking strategy while running: the old index serves every search until the new
one is complete, then one swap; the folders the index was fed from are cut again."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from switchboard.agents.embeddings import Embedder
from switchboard.app.shop.chroma import chroma_client
from switchboard.app.shop.knowledge import KnowledgeBase
from tests.app.shop.test_knowledge import write

QUESTION = "how do I store a wet tent"


def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    shipped, mine = tmp_path / "shipped", tmp_path / "mine"
    write(shipped, "tents", "## Drying\nDry the tent fully. Store the tent loose. Never pack the tent wet.")
    write(shipped, "stoves", "## Lighting\nTurn the valve slowly. Light the burner.")
    write(mine, "boots", "## Break-in\nWear the boots at home first. Wax the leather.")
    return shipped, mine


def fed(tmp_path: Path, embedder: Embedder, chunking: str = "heading") -> KnowledgeBase:
    shipped, mine = two_folders(tmp_path)
    kb = KnowledgeBase.open(tmp_path / f"chroma-{chunking}", "test-kb", embedder, chunking=chunking)
    kb.ingest(shipped, "shipped", "tidewater")
    kb.ingest(mine, "mine", "tidewater")
    return kb


def test_searches_are_served_by_the_old_layout_until_the_new_one_is_swapped_in(
    tmp_path: Path, embedder: Embedder
) -> None:
    kb = fed(tmp_path / "live", embedder)
    as_heading = fed(tmp_path / "heading", embedder).search_now(QUESTION, 3, tenant="tidewater")
    as_sentence = fed(tmp_path / "sentence", embedder, "sentence").search_now(QUESTION, 3, tenant="tidewater")
    assert as_heading != as_sentence  # else the test could not tell them apart
    started, release = threading.Event(), threading.Event()

    def gate(done: int, total: int) -> None:  # the builder stops after its first article
        if done == 1:
            started.set()
            release.wait()

    builder = threading.Thread(target=kb.rechunk, args=("sentence", {}, gate))
    builder.start()
    assert started.wait(30)
    assert kb.search_now(QUESTION, 3, tenant="tidewater") == as_heading
    health = kb.health()
    assert (health.chunking, health.building and health.building.chunking) == ("heading", "sentence")
    assert health.building is not None and (health.building.done, health.building.total) == (1, 3)
    release.set()
    builder.join(30)
    assert kb.search_now(QUESTION, 3, tenant="tidewater") == as_sentence
    hybrid = fed(tmp_path / "s2", embedder, "sentence").search_now(QUESTION, 3, True, tenant="tidewater")
    assert kb.search_now(QUESTION, 3, True, tenant="tidewater") == hybrid  # keywords made again from the new chunks
    after = kb.health()
    assert (after.chunking, after.layout, after.building) == ("sentence", "tenant-chunks/sentence", None)


def test_every_folder_the_index_was_fed_from_is_cut_again_and_the_old_collections_go(
    tmp_path: Path, embedder: Embedder
) -> None:
    kb = fed(tmp_path, embedder)
    assert kb.rechunk("parent", {}) == 3
    assert {p.source for p in kb.search_now("wax the leather of my boots", 3, tenant="tidewater")} >= {"boots"}
    assert kb.count() == 7  # one chunk a sentence
    reopened = KnowledgeBase.open(tmp_path / "chroma-heading", "test-kb", embedder, chunking="parent")
    assert reopened.count() == 7 and reopened.ingest(tmp_path / "mine", "mine", "tidewater").unchanged == 1
    assert KnowledgeBase.open(tmp_path / "chroma-heading", "test-kb", embedder).count() == 0  # heading's dropped


def test_shipped_folders_feed_an_index_whose_chunks_name_no_folder(tmp_path: Path, embedder: Embedder) -> None:
    """Indexes made before chunks recorded their folder: the caller names the shipped ones."""
    shipped, _ = two_folders(tmp_path)
    kb = KnowledgeBase.open(tmp_path / "chroma", "test-kb", embedder)
    assert kb.rechunk("sentence", {"tidewater": {"shipped": shipped}}) == 2
    assert kb.count() == 5 and kb.health().tenants == 1  # one chunk a sentence


def test_an_unknown_strategy_is_refused_before_anything_is_touched(tmp_path: Path, embedder: Embedder) -> None:
    kb = fed(tmp_path, embedder)
    with pytest.raises(ValueError, match="paragraph"):
        kb.rechunk("paragraph", {})
    assert (kb.health().chunking, kb.count()) == ("heading", 3)


def test_a_build_that_fails_leaves_the_old_index_serving_and_drops_what_it_built(
    tmp_path: Path, embedder: Embedder
) -> None:
    kb = fed(tmp_path, embedder)
    before = kb.search_now(QUESTION, 3, tenant="tidewater")

    def fail(done: int, total: int) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        kb.rechunk("sentence", {}, fail)
    assert kb.search_now(QUESTION, 3, tenant="tidewater") == before and kb.health().building is None
    assert KnowledgeBase.open(tmp_path / "chroma-heading", "test-kb", embedder, chunking="sentence").count() == 0


def test_on_a_chroma_server_a_replica_follows_the_strategy_another_swapped_in(
    tmp_path: Path, embedder: Embedder, chroma_server: str
) -> None:
    """Two processes on one server: while one builds, both serve the old index; once it swaps
    (dropping the old collections) the other's next search finds its index gone and follows."""
    shipped, mine = two_folders(tmp_path)
    name = f"kb-{tmp_path.name}"[:60]
    builder_side = KnowledgeBase.open(chroma_client(tmp_path, chroma_server), name, embedder)
    builder_side.ingest(shipped, "shipped", "tidewater")
    builder_side.ingest(mine, "mine", "tidewater")
    other = KnowledgeBase.open(chroma_client(tmp_path, chroma_server), name, embedder)
    as_heading = other.search_now(QUESTION, 3, tenant="tidewater")
    started, release = threading.Event(), threading.Event()

    def gate(done: int, total: int) -> None:
        if done == 1:
            started.set()
            release.wait()

    builder = threading.Thread(target=builder_side.rechunk, args=("sentence", {}, gate))
    builder.start()
    assert started.wait(30)
    assert other.search_now(QUESTION, 3, tenant="tidewater") == as_heading
    assert builder_side.search_now(QUESTION, 3, tenant="tidewater") == as_heading
    release.set()
    builder.join(30)
    as_sentence = builder_side.search_now(QUESTION, 3, tenant="tidewater")
    assert as_sentence != as_heading
    assert other.search_now(QUESTION, 3, tenant="tidewater") == as_sentence
    assert (other.health().chunking, other.count()) == ("sentence", 7)


def test_the_strategy_serving_already_is_left_as_it_is(tmp_path: Path, embedder: Embedder) -> None:
    """Its new collections would have the serving ones' names: nothing is cut, nothing dropped."""
    kb = fed(tmp_path, embedder)
    before = kb.search_now(QUESTION, 3, tenant="tidewater")
    assert kb.rechunk("heading", {}) == 0
    assert kb.search_now(QUESTION, 3, tenant="tidewater") == before and kb.count() == 3


def test_opened_under_another_strategy_the_folders_the_old_index_records_are_cut_again(
    tmp_path: Path, embedder: Embedder
) -> None:
    """A restart with another strategy (a changed setting, a choice stored by another replica):
    the operator's own folder survives, cut the new way, and the old layout's index goes."""
    fed(tmp_path, embedder)
    store = tmp_path / "chroma-heading"
    reopened = KnowledgeBase.open(store, "test-kb", embedder, chunking="sentence")
    assert reopened.count() == 0  # not served: cut another way
    assert reopened.recut_others({}) == 3
    assert reopened.count() == 7 and reopened.health().layout == "tenant-chunks/sentence"
    assert {p.source for p in reopened.search_now("wax the leather of my boots", 3, tenant="tidewater")} >= {"boots"}
    assert KnowledgeBase.open(store, "test-kb", embedder).count() == 0  # heading's index dropped
    assert KnowledgeBase.open(store, "test-kb", embedder, chunking="sentence").recut_others({}) == 0  # nothing left
