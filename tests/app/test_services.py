"""What the semantic cache's settings build: its embedder, its collection and its policy."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from switchboard.agents.embeddings import Embedder
from switchboard.app.heap import GC_THRESHOLDS
from switchboard.app.services import (
    cache_collection,
    cache_embedder,
    knowledge_embedders,
    open_answer_cache,
    open_knowledge_base,
    running_services,
)
from switchboard.app.settings import Settings
from switchboard.patterns.semantic_cache import Scope


def test_static_keeps_the_apps_own_embedder_and_collection(embedder: Embedder) -> None:
    settings = Settings(cache_embedder="static")
    assert cache_embedder(settings, embedder) is embedder
    assert cache_collection(settings) == "switchboard-answers"


def test_onnx_selects_the_contextual_model_in_a_collection_of_its_own(embedder: Embedder) -> None:
    settings = Settings(cache_embedder="onnx")
    chosen = cache_embedder(settings, embedder)
    assert chosen.name == "onnx:minilm-l6-onnx" and chosen.embed(["hi"]).shape == (1, 384)
    assert cache_collection(settings) == "switchboard-answers-onnx"


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_CACHE_EMBEDDER", "onnx")
    assert Settings().cache_embedder == "onnx"
    monkeypatch.setenv("SWITCHBOARD_CACHE_EMBEDDER", "word2vec")
    with pytest.raises(ValueError, match="cache_embedder"):
        Settings()


def test_entries_of_one_embedder_are_not_candidates_for_the_other(tmp_path: Path, embedder: Embedder) -> None:
    static = open_answer_cache(Settings(data_dir=tmp_path, cache_embedder="static"), embedder, frozenset(), dict)
    onnx_settings = Settings(data_dir=tmp_path, cache_embedder="onnx")
    onnx = open_answer_cache(onnx_settings, cache_embedder(onnx_settings, embedder), frozenset(), dict)
    static.store_now("how do I return a tent?", "Within 60 days.", Scope("tidewater", "m", "v1"), [], now=0)
    assert static.count() == 1 and onnx.count() == 0


def test_the_cache_policy_takes_the_passage_overlap_from_settings(tmp_path: Path, embedder: Embedder) -> None:
    assert open_answer_cache(Settings(data_dir=tmp_path), embedder, frozenset(), dict).policy.overlap == 0.0
    overlapping = Settings(data_dir=tmp_path, cache_overlap=0.33)
    assert open_answer_cache(overlapping, embedder, frozenset(), dict).policy.overlap == 0.33
    with pytest.raises(ValueError, match="cache_overlap"):
        Settings(cache_overlap=1.5)


def test_the_knowledge_base_takes_its_chunking_and_embedder_from_settings(tmp_path: Path, embedder: Embedder) -> None:
    assert knowledge_embedders(Settings(kb_embedder="static"), embedder) == (embedder, ())
    onnx, previous = knowledge_embedders(Settings(kb_embedder="onnx"), embedder)
    assert onnx.name == "onnx:minilm-l6-onnx" and previous == (embedder,)
    chunked = open_knowledge_base(Settings(data_dir=tmp_path, kb_chunking="sentence"), embedder)
    assert (chunked.health().layout, chunked.health().chunking) == ("tenant-chunks/sentence", "sentence")
    with pytest.raises(ValueError, match="kb_chunking"):
        Settings(kb_chunking="paragraph")  # type: ignore[arg-type]


def test_with_onnx_an_index_the_static_embedder_built_serves_until_re_embedded(
    tmp_path: Path, embedder: Embedder
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tents.md").write_text("# Tents\n\n## Drying\nDry the tent fully before storing it.\n")
    open_knowledge_base(Settings(data_dir=tmp_path), embedder).ingest(docs, "mine", "tidewater")
    kb = open_knowledge_base(Settings(data_dir=tmp_path, kb_embedder="onnx"), embedder)
    assert kb.stale() == ["tidewater"] and kb.health().stale_chunks == 1
    assert kb.search_now("drying a tent", 1, tenant="tidewater")[0].source == "tents"  # the static index serves
    assert kb.refresh("tidewater") == 1
    assert kb.stale() == [] and kb.health().embedder == "onnx:minilm-l6-onnx"
    assert kb.search_now("drying a tent", 1, tenant="tidewater")[0].source == "tents"


async def test_start_up_freezes_what_it_built_and_shutdown_thaws_it(tmp_path: Path) -> None:
    thresholds = gc.get_threshold()
    try:
        async with running_services(Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0)):
            assert gc.get_freeze_count() > 100_000  # models, indexes, graphs: out of the collector's scans
            assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(*thresholds)
