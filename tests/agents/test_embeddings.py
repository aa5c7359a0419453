"""The shipped embedders: unit-length rows, offline, one text per run, and the contextual one
tells a paraphrase from a different question better than the static one does."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from switchboard.agents.embeddings import Embedder, OnnxEmbedder
from switchboard.app.settings import REPO

ONNX_MODEL = REPO / "data" / "models" / "minilm-l6-onnx"


def test_it_loads_and_embeds_with_the_network_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    rows = OnnxEmbedder(ONNX_MODEL).embed(["where is order 10057?"])
    assert rows.shape == (1, 384) and OnnxEmbedder(ONNX_MODEL).name == "onnx:minilm-l6-onnx"


def test_rows_are_unit_length_and_a_text_embeds_the_same_in_any_batch() -> None:
    onnx = OnnxEmbedder(ONNX_MODEL)  # not the shared cached one: every text is really embedded
    texts = ["where is order 10057?", "how do I return a tent that I bought last month and never used?"]
    batch = onnx.embed(texts)
    assert batch.shape == (2, 384)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(batch[0], onnx.embed(texts[:1])[0])
    assert np.array_equal(batch[1], onnx.embed(texts[::-1])[0])


def test_no_texts_is_an_empty_array() -> None:
    assert OnnxEmbedder(ONNX_MODEL).embed([]).shape[0] == 0


def test_a_paraphrase_is_closer_than_a_different_question(onnx_embedder: Embedder) -> None:
    question, paraphrase, other = onnx_embedder.embed(
        ["how long do refunds take?", "when will I get my money back?", "how do I clean my tent?"]
    )
    assert question @ paraphrase > question @ other + 0.2


def test_it_separates_paraphrases_from_other_questions_more_than_the_static_model(
    onnx_embedder: Embedder, embedder: Embedder
) -> None:
    pairs = [("can I send my boots back?", "how do I return boots?"), ("my zip is stuck", "the zipper jammed")]
    others = [("can I send my boots back?", "do you ship to Canada?"), ("my zip is stuck", "I forgot my password")]

    def margin(model: Embedder) -> float:
        cosine = [float(a @ b) for a, b in (model.embed(list(p)) for p in pairs + others)]
        return min(cosine[: len(pairs)]) - max(cosine[len(pairs) :])

    assert margin(onnx_embedder) > margin(embedder)


def test_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no ONNX embedding model"):
        OnnxEmbedder(tmp_path / "no-such-model")
