"""The injection scanner: scores a user message before the model sees it.

The text is normalised first (normalise.py: NFKC, casefold, accents and invisible characters
removed, whitespace collapsed, simple leetspeak such as "1gn0re" and spaced-out letters undone)
so that trivial obfuscation changes nothing. Then each piece of evidence gets a weight in 0..1:

    rule hit       the weight of a hand-written regex (rules.toml: override phrases, persona
                   hijack, fake role delimiters, prompt or tool extraction, tool forcing, bulk
                   data requests, policy bypass, ...); of several hits on overlapping text only
                   the strongest counts, so one phrase that many rules see is still one piece of
                   evidence
    unicode        bidi controls, zero-width characters inside words, invisible tag characters
    payload        text hidden by an encoding that decodes to text (0.45, payloads.py: base64, tag
                   characters, hex, %xx, binary, Morse, and ROT13 or reversal when the message
                   names them), whose decoded text is then matched against the rules like the
                   message itself
    similarity     sim_weight · clip((cos − sim_floor) / (sim_full − sim_floor), 0, 1), where cos
                   is the best cosine between the message and the bank of known attacks
    classifier     learned_weight · clip((p − learned_floor) / (learned_full − learned_floor), 0, 1),
                   where p is the probability from the logistic regression in `classifier.py`
                   (hashed word and character n-grams of the normalised text, plus the sentence
                   embedding when there is an embedder); it also scores decoded payloads, without
                   the embedding

    score = 1 − Π (1 − w)        a "noisy OR": independent pieces of evidence reinforce each other

A weight reads as "how sure is this piece of evidence, alone, that the message is an attack":
one strong phrase (0.8–0.95) blocks by itself, a weak one (0.3–0.6) only flags, and two or
three weak ones together can block (0.55 and 0.55 give 0.80). Similarity is capped at 0.6, so
the bank alone never blocks: a static embedding puts ordinary support questions within 0.75
of some attack, and it is there to tip borderline rule hits over. With `embed=None` the
similarity is skipped and the classifier uses its variant trained without the embedding.

The rules know the phrasings someone wrote down; the classifier scores wordings no rule spells
out. It is trained on data/injection/train.jsonl: some 750 attacks and 1,000 benign messages
written for it, plus tool results and help-centre passages built from the shop's own data,
because the app scans those too (a flagged tool result costs the turn its write tools), and on
issue 16's wide sets (injection_wide_dev.jsonl and the spent injection_wide_holdout.jsonl). p is calibrated
(Platt scaling on cross-validated logits). Its weight ramps from 0 at p = 0.8 to 0.85 at
p = 0.9; the floor was 0.7 before calibration, and 0.8 flags fewer benign messages on the
cross-validated dev set (7.1% against 8.1%) for 3 points fewer attacks flagged or blocked.
scripts/train_injection_classifier.py trains the model; bench/injection_roc.py --cv 5
measures the decision on the dev set.

What the evidence decides is `DecisionPolicy`'s business (policy.py): rule evidence at
block_at (0.8) blocks; the learned layer and the similarity alone only flag, unless the
calibrated probability is overwhelming (0.95); a score at flag_at (0.4) flags (the turn goes on,
without write tools). Every `Verdict` names the classifier version that scored it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from switchboard.patterns.injection.classifier import InjectionClassifier, ShippedModels, default_model_path
from switchboard.patterns.injection.normalise import normalise
from switchboard.patterns.injection.payloads import TAG_RUN, decoded_payloads
from switchboard.patterns.injection.policy import Action, DecisionPolicy, Evidence, noisy_or
from switchboard.patterns.injection.rules import RULES, Rule

Embed = Callable[[Sequence[str]], npt.NDArray[Any]]
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_INSIDE_WORD = re.compile("(?<=[^\\W\\d_])[\u00ad\u200b-\u200d\u2060\ufeff]+(?=[^\\W\\d_])")


@dataclass(frozen=True)
class Verdict:
    action: Action
    score: float
    reasons: tuple[str, ...] = ()
    classifier_version: str = ""  # the learned layer's `ShippedModels.version`; "" with none


def default_bank_path() -> Path:
    return Path(__file__).with_name("known_attacks.txt")


def load_bank(path: Path | str) -> list[str]:
    """One phrasing per line; blank lines and # comments ignored."""
    lines = (line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _unit_rows(vectors: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = matrix / np.maximum(norms, 1e-12)
    return unit


SHIPPED_CLASSIFIER = default_model_path()  # trained by scripts/train_injection_classifier.py


class Scanner:
    """Scores a message for prompt injection; see the module docstring for the formula.

    `classifier` is the learned layer: the shipped model by default, models already loaded, or
    None for rules and similarity only. It is read once here, not per scan.
    """

    def __init__(
        self,
        embed: Embed | None = None,
        bank: Sequence[str] = (),
        flag_at: float = 0.4,
        block_at: float = 0.8,
        sim_floor: float = 0.7,
        sim_full: float = 0.9,
        sim_weight: float = 0.6,
        rules: Sequence[Rule] = RULES,
        classifier: ShippedModels | Path | None = SHIPPED_CLASSIFIER,
        learned_floor: float = 0.8,
        learned_full: float = 0.9,
        learned_weight: float = 0.85,
        policy: DecisionPolicy | None = None,
        embedder_name: str | None = None,
    ) -> None:
        self._embed = embed
        self._bank = list(bank)
        # Embedded once: a scan is then one embedding and one matrix-vector product.
        self._matrix = _unit_rows(embed([normalise(t) for t in self._bank])) if embed and self._bank else None
        self._rules = tuple(sorted(rules, key=lambda r: -r.weight))  # strongest first: see _match
        self.policy = policy or DecisionPolicy(flag_at=flag_at, block_at=block_at)
        self.flag_at, self.block_at = self.policy.flag_at, self.policy.block_at
        # The name keys the semantic variant; a bound `Embedder.embed` carries it on its object.
        self._embedder_name = embedder_name if embedder_name is not None else _name_of(embed)
        self._sim_floor, self._sim_full, self._sim_weight = sim_floor, sim_full, sim_weight
        self._models = ShippedModels.load(classifier) if isinstance(classifier, Path) else classifier
        self._learned_floor, self._learned_full, self._learned_weight = learned_floor, learned_full, learned_weight

    @property
    def classifier_version(self) -> str:
        return self._models.version if self._models is not None else ""

    def scan(self, text: str) -> Verdict:
        found = self.evidence(text)
        reasons = tuple(hit.reason for hit in sorted(found, key=lambda h: -h.weight) if hit.weight > 0)
        score = round(noisy_or([hit.weight for hit in found]), 3)
        return Verdict(self.policy.decide(found), score, reasons, self.classifier_version)

    def evidence(self, text: str) -> list[Evidence]:
        """Every layer's evidence on `text`, before the policy decides (bench/injection_roc.py sweeps it)."""
        clean = normalise(text)
        vector = self._vector(clean)
        return self._evidence(text, clean) + self._similarity(vector) + self._learned(clean, vector)

    def _evidence(self, raw: str, clean: str) -> list[Evidence]:
        found = self._match(clean) + _unicode_tricks(raw)
        for payload in decoded_payloads(unicodedata.normalize("NFKC", raw)):
            found.append(Evidence("payload", 0.45, f"encoded payload: '{_clip(payload)}'"))
            inside = self._match(normalise(payload)) + self._learned(normalise(payload), None)
            found += [replace(h, reason=f"inside encoded payload: {h.reason}") for h in inside]
        return found

    def _match(self, clean: str) -> list[Evidence]:
        """Rule hits, strongest first; a hit overlapping a stronger one is the same evidence and is dropped."""
        hits: list[tuple[int, int, Evidence]] = []
        for rule in self._rules:
            match = rule.find(clean)
            if match and not any(match.start() < end and start < match.end() for start, end, _ in hits):
                found = Evidence("rule", rule.weight, f"{rule.name}: '{_clip(match.group())}'")
                hits.append((match.start(), match.end(), found))
        return [hit for _, _, hit in hits]

    def _vector(self, clean: str) -> npt.NDArray[np.float32] | None:
        """The message's unit embedding, computed once for both the bank and the classifier."""
        wanted = self._matrix is not None or (self._models is not None and self._models.semantic.embedding_dim > 0)
        if self._embed is None or not clean or not wanted:
            return None
        vector: npt.NDArray[np.float32] = _unit_rows(self._embed([clean]))[0]
        return vector

    def _similarity(self, vector: npt.NDArray[np.float32] | None) -> list[Evidence]:
        if self._matrix is None or vector is None or self._matrix.shape[1] != len(vector):
            return []
        sims = self._matrix @ vector
        best = int(np.argmax(sims))
        weight = self._sim_weight * _ramp(float(sims[best]), self._sim_floor, self._sim_full)
        return [
            Evidence("similarity", weight, f"similar to known attack ({sims[best]:.2f}): '{_clip(self._bank[best])}'")
        ]

    def _learned(self, clean: str, vector: npt.NDArray[np.float32] | None) -> list[Evidence]:
        if self._models is None or not clean:
            return []
        model = _variant_for(self._models, vector, self._embedder_name)
        probability = model.probability(clean, vector if model.embedding_dim else None)
        weight = self._learned_weight * _ramp(probability, self._learned_floor, self._learned_full)
        return [Evidence("learned", weight, f"learned classifier (p={probability:.2f})", probability)]


def _name_of(embed: Embed | None) -> str:
    return str(getattr(getattr(embed, "__self__", None), "name", ""))


def _variant_for(models: ShippedModels, vector: npt.NDArray[np.float32] | None, embedder: str) -> InjectionClassifier:
    # The semantic variant only fits the embedding model it was trained with, named in the file.
    return models.semantic if vector is not None and models.semantic.accepts(vector, embedder) else models.lexical


def _ramp(value: float, floor: float, full: float) -> float:
    """0 at or below `floor`, 1 at or above `full`, linear in between."""
    return min(1.0, max(0.0, (value - floor) / (full - floor)))


def _unicode_tricks(raw: str) -> list[Evidence]:
    found = []
    if _BIDI.search(raw):
        found.append(Evidence("unicode", 0.5, "bidirectional control characters"))
    if _INSIDE_WORD.search(raw):
        found.append(Evidence("unicode", 0.35, "invisible characters inside words"))
    if TAG_RUN.search(raw):
        found.append(Evidence("unicode", 0.8, "invisible Unicode tag characters"))
    return found


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
