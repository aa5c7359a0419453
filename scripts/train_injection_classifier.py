"""Train the injection scanner's learned layer, and measure how well it does on text it never saw.

    python scripts/train_injection_classifier.py            # train on all of it, write the .npz
    python scripts/train_injection_classifier.py --cv 5     # k-fold cross-validation report only

The data is data/injection/train.jsonl: {"text", "label": "attack"|"benign", "kind"} per line.
Every example carrying personal data is also trained on in its redacted form, since with
`pii_redaction` on the app scans messages after redaction.
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
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from switchboard.patterns.injection.classifier import ShippedModels, default_model_path, fit  # noqa: E402
from switchboard.patterns.injection.normalise import normalise  # noqa: E402
from switchboard.patterns.injection.scanner import Scanner, default_bank_path, load_bank  # noqa: E402
from switchboard.patterns.pii.redaction import Vault  # noqa: E402

DATA = REPO / "data" / "injection" / "train.jsonl"
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


def redacted_twins(examples: Sequence[Example]) -> list[Example]:
    """Each example that carries personal data, as the scanner sees it with `pii_redaction` on:
    placeholders (`<email_1>`) in place of the data. Without these, a benign message with an
    address in it would look unfamiliar — and suspicious — once redacted."""
    twins = [Example(Vault().redact(e.text), e.attack, e.kind) for e in examples]
    return [twin for twin, e in zip(twins, examples, strict=True) if twin.text != e.text]


def train(examples: Sequence[Example], vectors: Vectors, embed: Any) -> ShippedModels:
    """Both variants on the examples and their redacted twins; `vectors` embed the examples' normalised texts."""
    twins = redacted_twins(examples)
    everything = [*examples, *twins]
    if twins:
        vectors = np.vstack([vectors, embed([normalise(t.text) for t in twins])])
    texts = [normalise(e.text) for e in everything]
    labels = [int(e.attack) for e in everything]
    return ShippedModels(lexical=fit(texts, labels), semantic=fit(texts, labels, vectors))


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
    parser.add_argument("--out", type=Path, default=default_model_path())
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="report K-fold cross-validation, write nothing")
    args = parser.parse_args(argv)
    from switchboard.agents.embeddings import StaticEmbedder

    embedder, examples = StaticEmbedder(MODEL_DIR), read_examples(args.data)
    vectors = embedder.embed([normalise(e.text) for e in examples])
    print(f"{sum(e.attack for e in examples)} attacks, {sum(not e.attack for e in examples)} benign")
    if args.cv:
        report(examples, cross_validate(examples, vectors, embedder.embed, args.cv))
        return
    train(examples, vectors, embedder.embed).save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
