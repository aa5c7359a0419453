"""Sentence embeddings, offline.

The default embedder is a static model distilled from all-MiniLM-L6-v2 with model2vec (see
data/models/README.md): a token-embedding lookup and a mean, so it needs numpy and a
tokenizer but no torch, and encodes thousands of sentences a second on one core. Anything with
the same `embed` method (sentence-transformers, an embeddings API) can stand in for it.
"""

from __future__ import annotations

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
