"""Sentence embeddings, offline.

The default embedder is a static model distilled from all-MiniLM-L6-v2 with model2vec (see
data/models/README.md): a token-embedding lookup and a mean, so it needs numpy and a
tokenizer but no torch, and encodes thousands of sentences a second on one core. Anything with
the same `embed` method (sentence-transformers, an embeddings API) can stand in for it.

The contextual one (`OnnxEmbedder`) is the whole all-MiniLM-L6-v2 run by onnxruntime: about
fifteen times slower, and better at telling a paraphrase from a different question with the
same words, which is what the semantic cache needs (`SWITCHBOARD_CACHE_EMBEDDER`).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One unit-length row per text."""
        ...


def normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


class StaticEmbedder:
    """model2vec static embeddings loaded from a local directory (never from a hub)."""

    def __init__(self, model_dir: Path) -> None:
        from model2vec import StaticModel

        if not (model_dir / "config.json").exists():
            raise FileNotFoundError(f"no embedding model in {model_dir}")
        self._model = StaticModel.from_pretrained(str(model_dir.resolve()), quantize_to="float32")
        self.name = f"model2vec:{model_dir.name}"

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return normalise(np.asarray(self._model.encode(list(texts)), dtype=np.float32))


class OnnxEmbedder:
    """all-MiniLM-L6-v2 itself, all six layers, run by onnxruntime from a local folder.

    The static model averages a fixed vector per token; this one reads each token in its
    context, so "send it back" and "return it" land close, at a few milliseconds a short
    sentence on one core instead of a few hundredths. Made by scripts/export_onnx_embedder.py
    (int8 MatMul and embedding weights; within 0.99 cosine of the float model). A sentence is
    mean-pooled over its tokens and normalised, as sentence-transformers does for this model.
    """

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if not (model_dir / "model.onnx").exists():
            raise FileNotFoundError(f"no ONNX embedding model in {model_dir}")
        config = json.loads((model_dir / "config.json").read_text())
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(int(config["max_tokens"]))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # one turn's embedding should not take both cores
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model_dir / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self.name = f"onnx:{model_dir.name}"

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One text per run: the int8 model quantises activations over the whole input, padding
        included, so a text batched with longer ones would come out slightly different (cosine
        0.99) from the same text alone, and a lookup must see the vector its entry was stored with."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return normalise(np.stack([self._one(text) for text in texts]))

    def _one(self, text: str) -> Vectors:
        ids = np.array([self._tokenizer.encode(text).ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        hidden = np.asarray(self._session.run(None, feed)[0][0], dtype=np.float32)
        pooled: Vectors = hidden.mean(axis=0)
        return pooled


class CachedEmbedder:
    """Remembers the vectors of recently seen texts: prompts repeat, so most lookups hit.

    An LRU of `capacity` texts; a batch is embedded in one call for whatever missed.
    """

    def __init__(self, inner: Embedder, capacity: int = 4096) -> None:
        self._inner = inner
        self._capacity = capacity
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self.name = inner.name

    def embed(self, texts: Sequence[str]) -> Vectors:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, row in zip(missing, self._inner.embed(missing), strict=True):
                self._remember(text, row)
        rows = [self._cache[t] for t in texts]
        for text in texts:
            self._cache.move_to_end(text)
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def _remember(self, text: str, row: Vectors) -> None:
        self._cache[text] = row
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
