"""Train the injection scanner's learned layer, and measure how well it does on text it never saw.

    python scripts/train_injection_classifier.py            # train on all of it, write the .npz
    python scripts/train_injection_classifier.py --cv 5     # k-fold cross-validation report only

Training data and where it came from:

- data/injection/train.jsonl: {"text", "label": "attack"|"benign", "kind"} per line; some 750
  attacks and 1,000 benign messages written for the classifier, plus tool results and
  help-centre passages built from the shop's own data.
- evals/datasets/injection_wide_dev.jsonl (issue 16): the dev half of a blind set written
  before any detector change, 309 benign messages full of trigger words across every kind of
  request a chat box gets (coding, writing, role-play, questions about AI, other languages,
  pasted text, frustration, the shop) and 162 attacks of every family. Its user turns are
  read as examples of kind "wide-<tag>".
- evals/datasets/injection_wide_holdout.jsonl: its held-out twin (305 benign, 162 attacks),
  measured once on commit 8334e6b and so SPENT; since then it is training data like the dev
  half. The new blind set, injection_wide_holdout2.jsonl, is never read here (nor by any
  tuning step): the integrator measures it once, by `bench/injection_roc.py --dataset`.

Every example carrying personal data is also trained on in its redacted form, since with
`pii_redaction` on the app scans messages after redaction.
Calibration: the logits each variant gives to examples it was not trained on (K-fold, the
same seeded folds) are fitted by Platt scaling, and the (a, b) ship with the weights, so the
probability the scanner reads is calibrated. The file records the embedding model's name
(`Embedder.name`) the semantic variant was fitted to, and a version (a digest of the weights
and the data) that every Verdict carries.

Two logistic regressions are fitted (see switchboard/patterns/injection/classifier.py): one on
hashed n-grams alone, for a scanner without an embedder, and one that also reads the static
MiniLM sentence embedding. Training is deterministic; the folds come from a seeded shuffle
within each (label, kind), so every fold has some of every family.

The cross-validation scans each held-out example with the full `Scanner` (rules, similarity
to the bank, and the classifier trained on the other folds), so the rates it prints are the
scanner's on messages its classifier was not trained on. They are still rates on messages
written by the same person as the training folds: expect a truly unseen set to do worse.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from switchboard.patterns.injection.classifier import ShippedModels, default_model_path, fit, platt  # noqa: E402
from switchboard.patterns.injection.normalise import normalise  # noqa: E402
from switchboard.patterns.injection.scanner import Scanner, default_bank_path, load_bank  # noqa: E402
from switchboard.patterns.pii.redaction import Vault  # noqa: E402

DATA = REPO / "data" / "injection" / "train.jsonl"
WIDE_DEV = REPO / "evals" / "datasets" / "injection_wide_dev.jsonl"
WIDE_SPENT = REPO / "evals" / "datasets" / "injection_wide_holdout.jsonl"  # measured once already: now training data
WIDE = (WIDE_DEV, WIDE_SPENT)
SEED = 0  # the folds' shuffle; nothing else in training is random
MODEL_DIR = REPO / "data" / "models" / "minilm-l6-static"
Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Example:
    text: str
    attack: bool
    kind: str


def read_examples(path: Path) -> list[Example]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Example(r["text"], r["label"] == "attack", r["kind"]) for r in rows]


def read_wide_cases(path: Path) -> list[Example]:
    """An eval dataset's cases as examples: the user turns joined, labelled by the "attack" tag."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Example(_user_text(r["turns"]), "attack" in r["tags"], f"wide-{r['tags'][1]}") for r in rows]


def read_training_set(data: Path = DATA, wide: Sequence[Path] = WIDE) -> list[Example]:
    """The written training data plus every wide set's cases, in that order (the folds depend on it)."""
    examples = read_examples(data)
    for path in wide:
        examples += read_wide_cases(path)
    return examples


def _user_text(turns: list[Any]) -> str:
    return "\n".join(t if isinstance(t, str) else t.get("user", "") for t in turns)


def redacted_twins(examples: Sequence[Example]) -> list[Example]:
    """Each example that carries personal data, as the scanner sees it with `pii_redaction` on:
    placeholders (`<email_1>`) in place of the data. Without these, a benign message with an
    address in it would look unfamiliar — and suspicious — once redacted."""
    twins = [Example(Vault().redact(e.text), e.attack, e.kind) for e in examples]
    return [twin for twin, e in zip(twins, examples, strict=True) if twin.text != e.text]


def train(examples: Sequence[Example], vectors: Vectors, embed: Any, embedder: str = "") -> ShippedModels:
    """Both variants on the examples and their redacted twins; `vectors` embed the examples' normalised texts."""
    twins = redacted_twins(examples)
    everything = [*examples, *twins]
    if twins:
        vectors = np.vstack([vectors, embed([normalise(t.text) for t in twins])])
    texts = [normalise(e.text) for e in everything]
    labels = [int(e.attack) for e in everything]
    semantic = replace(fit(texts, labels, vectors), embedder=embedder)
    return ShippedModels(lexical=fit(texts, labels), semantic=semantic)


def held_out_logits(examples: Sequence[Example], vectors: Vectors, embed: Any, k: int) -> tuple[Vectors, Vectors]:
    """Each example's lexical and semantic logit from the models of the fold that left it out."""
    fold = folds(examples, k, SEED)
    lexical, semantic = np.zeros(len(examples), np.float32), np.zeros(len(examples), np.float32)
    for f in range(k):
        train_on = [i for i in range(len(examples)) if fold[i] != f]
        models = train([examples[i] for i in train_on], vectors[train_on], embed)
        for i in np.flatnonzero(fold == f):
            clean = normalise(examples[i].text)
            lexical[i], semantic[i] = models.lexical.logit(clean), models.semantic.logit(clean, vectors[i])
    return lexical, semantic


def calibrated(models: ShippedModels, logits: tuple[Vectors, Vectors], labels: Sequence[int]) -> ShippedModels:
    """The models with Platt's (a, b) from held-out logits, and a version naming weights and data."""
    lexical = replace(models.lexical, calibration=platt(logits[0].tolist(), labels))
    semantic = replace(models.semantic, calibration=platt(logits[1].tolist(), labels))
    digest = hashlib.sha256(lexical.table.tobytes() + semantic.table.tobytes() + semantic.embedding_weights.tobytes())
    return ShippedModels(lexical, semantic, version=f"wide-{digest.hexdigest()[:12]}")


def folds(examples: Sequence[Example], k: int, seed: int = 0) -> npt.NDArray[np.int64]:
    """A fold number per example, dealt round-robin within each (label, kind) after a seeded shuffle."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(examples), dtype=np.int64)
    groups: dict[tuple[bool, str], list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        groups[(example.attack, example.kind)].append(i)
    for _, members in sorted(groups.items()):
        order = rng.permutation(members)
        fold[order] = np.arange(len(order)) % k
    return fold


SET_UPS = ("rules only", "rules+similarity", "full, no embedder", "full")


def cross_validate(examples: Sequence[Example], vectors: Vectors, embed: Any, k: int) -> dict[str, list[str]]:
    """The action each scanner set-up takes on each example, from models that never saw it.

    "full" is the scanner as the app builds it; "rules+similarity" is the scanner before the
    classifier existed; the "no embedder" ones are what a scanner with `embed=None` does.
    """
    bank, fold = load_bank(default_bank_path()), folds(examples, k)
    actions: dict[str, list[str]] = {name: [""] * len(examples) for name in SET_UPS}
    without = (Scanner(classifier=None), Scanner(embed, bank, classifier=None))
    for f in range(k):
        train_on = [i for i in range(len(examples)) if fold[i] != f]
        models = train([examples[i] for i in train_on], vectors[train_on], embed)
        scanners = (*without, Scanner(classifier=models), Scanner(embed, bank, classifier=models))
        for i in np.flatnonzero(fold == f):
            for name, scanner in zip(SET_UPS, scanners, strict=True):
                actions[name][i] = scanner.scan(examples[i].text).action
    return actions


def report(examples: Sequence[Example], actions: dict[str, list[str]]) -> None:
    """Block and flag rates per (label, kind), then overall, one column pair per set-up."""
    print(f"{'':33}" + "".join(f"{name:>20}" for name in actions))
    print(f"{'':33}" + f"{'block   flag':>20}" * len(actions))
    by_kind: dict[tuple[bool, str], list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        by_kind[(example.attack, example.kind)].append(i)
    for (attack, kind), members in sorted(by_kind.items(), key=lambda item: (not item[0][0], item[0][1])):
        print(_line(f"{'attack' if attack else 'benign'} {kind}", members, actions))
    for attack in (True, False):
        members = [i for i, e in enumerate(examples) if e.attack == attack]
        print(_line(f"ALL {'attacks' if attack else 'benign'}", members, actions))


def _line(title: str, members: list[int], actions: dict[str, list[str]]) -> str:
    cells = ""
    for taken in actions.values():
        counts = Counter(taken[i] for i in members)
        cells += f"{counts['block'] / len(members):>13.1%}{counts['flag'] / len(members):>7.1%}"
    return f"  {title:<26}{len(members):>5}{cells}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--wide", type=Path, action="append", help="an eval dataset added to the data (repeatable; default dev + spent)"
    )
    parser.add_argument("--calibration-folds", type=int, default=5, metavar="K")
    parser.add_argument("--out", type=Path, default=default_model_path())
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="report K-fold cross-validation, write nothing")
    args = parser.parse_args(argv)
    from switchboard.agents.embeddings import StaticEmbedder

    embedder, examples = StaticEmbedder(MODEL_DIR), read_training_set(args.data, args.wide or WIDE)
    vectors = embedder.embed([normalise(e.text) for e in examples])
    print(f"{sum(e.attack for e in examples)} attacks, {sum(not e.attack for e in examples)} benign")
    if args.cv:
        report(examples, cross_validate(examples, vectors, embedder.embed, args.cv))
        return
    logits = held_out_logits(examples, vectors, embedder.embed, args.calibration_folds)
    models = calibrated(
        train(examples, vectors, embedder.embed, embedder.name), logits, [int(e.attack) for e in examples]
    )
    models.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB), version {models.version}")
    print(f"Platt (a, b): lexical {models.lexical.calibration}, semantic {models.semantic.calibration}")


if __name__ == "__main__":
    main()
