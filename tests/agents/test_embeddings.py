"""The shipped embedders: unit-length rows, and the contextual one tells a paraphrase from a
different question better than the static one does."""

from __future__ import annotations

import numpy as np
import pytest

from switchboard.agents.embeddings import OnnxEmbedder, StaticEmbedder
from switchboard.app.settings import REPO, Settings

ONNX_MODEL = REPO / "data" / "models" / "minilm-l6-onnx"


@pytest.fixture(scope="module")
def onnx() -> OnnxEmbedder:
    return OnnxEmbedder(ONNX_MODEL)


def test_rows_are_unit_length_and_a_text_embeds_the_same_in_any_batch(onnx: OnnxEmbedder) -> None:
    texts = ["where is order 10057?", "how do I return a tent that I bought last month and never used?"]
    batch = onnx.embed(texts)
    assert batch.shape == (2, 384)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(batch[0], onnx.embed(texts[:1])[0])


def test_a_paraphrase_is_closer_than_a_different_question(onnx: OnnxEmbedder) -> None:
    question, paraphrase, other = onnx.embed(
        ["how long do refunds take?", "when will I get my money back?", "how do I clean my tent?"]
    )
    assert question @ paraphrase > question @ other + 0.2


def test_it_separates_paraphrases_from_other_questions_more_than_the_static_model() -> None:
    pairs = [("can I send my boots back?", "how do I return boots?"), ("my zip is stuck", "the zipper jammed")]
    others = [("can I send my boots back?", "do you ship to Canada?"), ("my zip is stuck", "I forgot my password")]

    def margin(embedder: OnnxEmbedder | StaticEmbedder) -> float:
        cosine = [float(a @ b) for a, b in (embedder.embed(list(p)) for p in pairs + others)]
        return min(cosine[: len(pairs)]) - max(cosine[len(pairs) :])

    assert margin(OnnxEmbedder(ONNX_MODEL)) > margin(StaticEmbedder(Settings().embedding_model_dir))


def test_a_missing_model_is_a_clear_error(tmp_path: object) -> None:
    with pytest.raises(FileNotFoundError, match="no ONNX embedding model"):
        OnnxEmbedder(REPO / "data" / "models" / "no-such-model")
