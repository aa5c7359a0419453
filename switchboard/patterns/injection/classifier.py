"""A small learned layer for the injection scanner: logistic regression over hashed n-grams.

The hand-written rules in `rules.toml` know the phrasings someone thought of; this model
learns from a few hundred labelled examples (data/injection/train.jsonl) which words and
letter sequences tend to come with attacks, so it can score wordings no rule spells out.

Features, all taken from the *normalised* text (`normalise.py`), hashed into one table
of 2**bits weights:

    char n-grams   every 3-, 4- and 5-byte window of the UTF-8 text (padded with a space),
                   so "instruc", "prompt", "anweisung" count even inside unseen words
    word n-grams   every word and every pair of adjacent words, so "your rules" and
                   "my rules" differ even though they share a word

Digits are masked first (order numbers carry no intent). Each block is scaled by one over the
square root of its length, so a long message does not score higher for being long. With a
sentence embedding the model also has one weight per dimension. The probability is

    p = sigmoid(bias + Σ weight[bucket] · value  [+ Σ embedding_weight[i] · vector[i]])

Two variants ship together (`ShippedModels`): `lexical`, n-grams only, for a scanner with no
embedder, and `semantic`, which adds the static MiniLM embedding and generalises better to
paraphrases (in cross-validation it blocked noticeably more attacks at the same false-positive
rate). Training (`fit`) is full-batch gradient descent with Nesterov momentum, L2
regularisation and balanced class weights: no randomness at all, so the same data gives the
same weights. Runtime needs numpy only; weights ship as float16 in `classifier.npz`.

How `Scanner` turns p into evidence is documented in `scanner.py`.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FEATURE_VERSION = 1  # bump when featurise changes: a saved model is only valid for its version
DEFAULT_BITS = 17
CHAR_SIZES = (3, 4, 5)

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of h·φ are well mixed
_BASE = np.uint64(257)  # rolling-hash base; wraps modulo 2**64, which numpy does silently
_WORD_SALT, _PAIR_SALT = np.uint64(0x5BD1E995), np.uint64(0x27D4EB2F)
_WORD = re.compile(r"\w+")
_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Features:
    """A sparse row: hashed bucket numbers and their values (a bucket may repeat; values add)."""

    indices: IntArray
    values: FloatArray


def _buckets(hashes: npt.NDArray[np.uint64], bits: int) -> IntArray:
    return ((hashes * _MULTIPLIER) >> np.uint64(64 - bits)).astype(np.int64)


def _char_ngrams(clean: str, bits: int) -> IntArray:
    """One bucket per 3-, 4- and 5-byte window; the size is added in so "abc" and " abc" differ."""
    data = np.frombuffer(f" {clean} ".encode(), dtype=np.uint8).astype(np.uint64)
    three = data[:-2] * _BASE * _BASE + data[1:-1] * _BASE + data[2:]
    four = three[:-1] * _BASE + data[3:]
    five = four[:-1] * _BASE + data[4:]
    return _buckets(np.concatenate([three, four + np.uint64(4), five + np.uint64(5)]), bits)


def _word_ngrams(clean: str, bits: int) -> IntArray:
    words = np.array([zlib.crc32(w.encode()) for w in _WORD.findall(clean)], dtype=np.uint64)
    pairs = words[:-1] * _BASE + words[1:] + _PAIR_SALT
    return _buckets(np.concatenate([words + _WORD_SALT, pairs]), bits)


def _blocks(clean: str, bits: int) -> tuple[IntArray, IntArray]:
    # Digits all read as 0: an order number says nothing about intent, and the model would
    # otherwise learn the particular numbers its training attacks happened to use.
    clean = clean.translate(_DIGITS_AS_ZERO)
    return _char_ngrams(clean, bits), _word_ngrams(clean, bits)


def featurise(clean: str, bits: int = DEFAULT_BITS) -> Features:
    """The hashed features of already-normalised text: each block scaled by 1/√(its length).

    Repeated n-grams count again rather than being deduplicated: np.unique would double the
    cost of a scan, and repeats are rare in messages this short.
    """
    blocks = [b for b in _blocks(clean, bits) if len(b)]
    values = [np.full(len(b), 1.0 / np.sqrt(len(b)), dtype=np.float32) for b in blocks]
    if not blocks:
        return Features(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    return Features(np.concatenate(blocks), np.concatenate(values))


@dataclass(frozen=True)
class InjectionClassifier:
    """A weight per hashed bucket, a bias, and (for the semantic variant) a weight per embedding dimension."""

    table: FloatArray
    bias: float
    embedding_weights: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    embedder: str = ""  # the embedding model's name (`Embedder.name`) the weights were fitted to
    calibration: tuple[float, float] = (1.0, 0.0)  # Platt's (a, b): calibrated p = sigmoid(a·logit + b)

    @property
    def bits(self) -> int:
        return len(self.table).bit_length() - 1

    @property
    def embedding_dim(self) -> int:
        return len(self.embedding_weights)

    def accepts(self, vector: FloatArray | None, embedder: str = "") -> bool:
        """Whether this model can use `vector` from the embedder named `embedder`.

        Keyed by name: two models of the same width (the static and the ONNX MiniLM are both
        384 wide once projected) put meaning in different dimensions, so a width match proves
        nothing. A model saved without a name (one built in code) falls back to the width.
        """
        if self.embedding_dim == 0:
            return True
        fits = vector is not None and len(vector) == self.embedding_dim
        return fits and (not self.embedder or embedder == self.embedder)

    def logit(self, clean: str, vector: FloatArray | None = None) -> float:
        # The same sum as featurise then a dot product, without building the value arrays: this runs per message.
        total = self.bias
        for block in _blocks(clean, self.bits):
            if len(block):
                total += float(self.table[block].sum()) / math.sqrt(len(block))
        if self.embedding_dim and vector is not None:
            total += float(np.dot(self.embedding_weights, vector))
        return total

    def probability(self, clean: str, vector: FloatArray | None = None) -> float:
        """How likely the normalised text (with its unit embedding, if the model uses one) is an
        attack: the calibrated probability sigmoid(a·logit + b), (a, b) fitted by Platt scaling
        on cross-validated logits (scripts/train_injection_classifier.py)."""
        a, b = self.calibration
        return _probability(a * self.logit(clean, vector) + b)


def _probability(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(30.0, max(-30.0, z))))


@dataclass(frozen=True)
class ShippedModels:
    """The two variants trained together: `lexical` for a scanner without an embedder."""

    lexical: InjectionClassifier
    semantic: InjectionClassifier  # also reads the static MiniLM sentence embedding
    version: str = "unversioned"  # written by the training script; every Verdict carries it

    def save(self, path: Path | str) -> None:
        # float16 halves the file; three significant digits are plenty for these weights.
        np.savez_compressed(
            path,
            version=FEATURE_VERSION,
            model_version=self.version,
            **{f"{name}_{part}": value for name, model in self._named() for part, value in _parts(model).items()},
        )

    @classmethod
    def load(cls, path: Path | str) -> ShippedModels:
        with np.load(path) as saved:
            if int(saved["version"]) != FEATURE_VERSION:
                raise ValueError(f"{path} holds features of version {int(saved['version'])}, not {FEATURE_VERSION}")
            version = str(saved["model_version"]) if "model_version" in saved.files else "unversioned"
            return cls(_model(saved, "lexical"), _model(saved, "semantic"), version)

    def _named(self) -> tuple[tuple[str, InjectionClassifier], ...]:
        return (("lexical", self.lexical), ("semantic", self.semantic))


def _parts(model: InjectionClassifier) -> dict[str, Any]:
    return {
        "table": model.table.astype(np.float16),
        "bias": model.bias,
        "embedding_weights": model.embedding_weights.astype(np.float16),
        "embedder": model.embedder,
        "calibration": np.asarray(model.calibration, dtype=np.float64),
    }


def _model(saved: Any, name: str) -> InjectionClassifier:
    table, embedding = (saved[f"{name}_{part}"].astype(np.float32) for part in ("table", "embedding_weights"))
    # Files written before names and calibration were saved load as unnamed and uncalibrated.
    embedder = str(saved[f"{name}_embedder"]) if f"{name}_embedder" in saved.files else ""
    a, b = saved[f"{name}_calibration"] if f"{name}_calibration" in saved.files else (1.0, 0.0)
    return InjectionClassifier(table, float(saved[f"{name}_bias"]), embedding, embedder, (float(a), float(b)))


def default_model_path() -> Path:
    return Path(__file__).with_name("classifier.npz")


def _sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


# --- training -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Design:
    """Rows stacked as coordinates, so X·w and Xᵀ·g are a gather and a bincount."""

    rows: IntArray
    cols: IntArray
    values: FloatArray
    count: int

    @classmethod
    def of(cls, features: Sequence[Features]) -> _Design:
        rows = np.concatenate([np.full(len(f.indices), i, dtype=np.int64) for i, f in enumerate(features)])
        cols = np.concatenate([f.indices for f in features])
        return cls(rows, cols, np.concatenate([f.values for f in features]), len(features))

    def times(self, weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        products = np.bincount(self.rows, weights=self.values * weights[self.cols], minlength=self.count)
        return np.asarray(products, dtype=np.float64)

    def transposed_times(self, gradient: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.float64]:
        sums = np.bincount(self.cols, weights=self.values * gradient[self.rows], minlength=size)
        return np.asarray(sums, dtype=np.float64)


def fit(
    texts: Sequence[str],
    labels: Sequence[int],
    vectors: FloatArray | None = None,
    bits: int = DEFAULT_BITS,
    l2: float = 1e-4,
    steps: int = 400,
) -> InjectionClassifier:
    """Logistic regression on normalised texts (label 1 = attack), by deterministic gradient descent.

    With `vectors` (one unit-length embedding per text) the model also learns one weight per
    embedding dimension. Each class carries half the loss, so the model is not pulled towards
    whichever the data has more of; Nesterov momentum makes 400 full-batch steps enough.
    """
    size = 1 << bits
    rows = [featurise(t, bits) for t in texts]
    if vectors is not None:
        rows = [_with_embedding(row, vector, size) for row, vector in zip(rows, vectors, strict=True)]
    embedding_dim = 0 if vectors is None else int(np.shape(vectors)[1])
    weights, bias = _descend(_Design.of(rows), np.asarray(labels, dtype=np.float64), size + embedding_dim, l2, steps)
    return InjectionClassifier(weights[:size].astype(np.float32), bias, weights[size:].astype(np.float32))


def _with_embedding(row: Features, vector: FloatArray, offset: int) -> Features:
    columns = np.arange(offset, offset + len(vector), dtype=np.int64)
    return Features(np.concatenate([row.indices, columns]), np.concatenate([row.values, vector]).astype(np.float32))


def _descend(
    design: _Design, y: npt.NDArray[np.float64], size: int, l2: float, steps: int, rate: float = 2.0
) -> tuple[npt.NDArray[np.float64], float]:
    share = np.where(y == 1, 0.5 / max(1.0, y.sum()), 0.5 / max(1.0, len(y) - y.sum()))
    weights, velocity = np.zeros(size), np.zeros(size)
    bias, bias_velocity = 0.0, 0.0
    for _ in range(steps):
        ahead, ahead_bias = weights + 0.9 * velocity, bias + 0.9 * bias_velocity
        error = share * (_sigmoid(design.times(ahead) + ahead_bias) - y)
        velocity = 0.9 * velocity - rate * (design.transposed_times(error, size) + l2 * ahead)
        bias_velocity = 0.9 * bias_velocity - rate * float(error.sum())
        weights, bias = weights + velocity, bias + bias_velocity
    return weights, bias


def platt(logits: Sequence[float], labels: Sequence[int], steps: int = 50) -> tuple[float, float]:
    """Platt scaling: the (a, b) minimising the log loss of sigmoid(a·logit + b) on held-out
    logits, with Platt's smoothed targets, by Newton's method from (1, 0). Each step is halved
    until the loss goes down (plain Newton overshoots on this loss and can diverge); no randomness."""
    z, y = np.asarray(logits, dtype=np.float64), np.asarray(labels, dtype=np.float64)
    positives, negatives = y.sum(), len(y) - y.sum()
    target = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    design = np.stack([z, np.ones_like(z)], axis=1)
    params = np.array([1.0, 0.0])
    for _ in range(steps):
        p = _sigmoid(design @ params)
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + 1e-9 * np.eye(2)
        params = _damped(params, np.linalg.solve(hessian, design.T @ (p - target)), design, target)
    return float(params[0]), float(params[1])


def _damped(params: Any, step: Any, design: Any, target: Any) -> Any:
    """params − step·2⁻ⁿ for the smallest n (up to 30) that does not raise the log loss."""
    before = _log_loss(design @ params, target)
    for halvings in range(30):
        trial = params - step / (1 << halvings)
        if _log_loss(design @ trial, target) <= before:
            return trial
    return params


def _log_loss(z: Any, target: Any) -> float:
    # log(1 + e^z) − t·z, computed stably
    return float(np.sum(np.logaddexp(0.0, z) - target * z))
