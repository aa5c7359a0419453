"""The injection decision's ROC curve on the wide sets: attacks blocked against benign blocked.

    python bench/injection_roc.py --cv 5        # dev + spent held-out, scored by classifiers that never saw the case
    python bench/injection_roc.py               # dev set, the shipped classifier (trained on it: optimistic)
    python bench/injection_roc.py --dataset F [--dataset G ...]   # any sets of the same schema, shipped classifier
    python bench/injection_roc.py --verbose     # also every benign block and every attack let through

The integrator measures the blind set once, at the end, with
`python bench/injection_roc.py --dataset evals/datasets/injection_wide_holdout2.jsonl`; nothing
else runs on it. `--dataset` takes several files (repeated, or comma-separated) and pools them.
`--holdout` is the spent first held-out set (injection_wide_holdout.jsonl, measured once on
commit 8334e6b; it has been training data since).

Each case of a wide set (one user turn each) is scanned
by the scanner as the app builds it (rules, similarity to the bank with the static MiniLM
embedder, the learned classifier), and its evidence kept. Then each `DecisionPolicy` on the
grid decides from the same evidence, so one scan per case serves every operating point. A row
is one point: attacks blocked, attacks flagged (the turn goes on without write tools) or
blocked, benign blocked, benign flagged. "noisy OR" is the decision before the policy (any
score >= 0.8 blocks); "*" marks the shipped default.

With --cv K the wide cases are scored the way the training script calibrates: the training data
(data/injection/train.jsonl plus the dev set and the spent held-out set) is split into the same
seeded folds and each wide case is scanned with a classifier trained on the other folds,
carrying the shipped model's calibration (fitted on those same held-out logits). That is the
curve the operating point is chosen on; the chosen point is printed last.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

import numpy as np

from switchboard.agents.embeddings import StaticEmbedder
from switchboard.patterns.injection.classifier import ShippedModels, default_model_path
from switchboard.patterns.injection.normalise import normalise
from switchboard.patterns.injection.policy import DecisionPolicy, Evidence
from switchboard.patterns.injection.scanner import Scanner, default_bank_path, load_bank

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "evals" / "datasets" / "injection_wide_dev.jsonl"
HOLDOUT = REPO / "evals" / "datasets" / "injection_wide_holdout.jsonl"
MODEL = REPO / "data" / "models" / "minilm-l6-static"
OVERWHELMING = (0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 2.0)  # 2.0: the learned layer never blocks alone
CORROBORATED = (0.0, 0.3, 0.45, 0.6)
BENIGN_GOAL = 0.01  # issue 16: benign blocked <= 1%


@dataclass(frozen=True)
class Scored:
    attack: bool
    tag: str
    text: str
    evidence: tuple[Evidence, ...]


@functools.cache
def trainer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_injection", REPO / "scripts" / "train_injection_classifier.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def shipped_scores(path: Path, embedder: StaticEmbedder, floor: float) -> list[Scored]:
    scanner = Scanner(embedder.embed, load_bank(default_bank_path()), learned_floor=floor)
    return [Scored(e.attack, e.kind, e.text, tuple(scanner.evidence(e.text))) for e in trainer().read_wide_cases(path)]


def cross_validated_scores(k: int, embedder: StaticEmbedder, floor: float) -> list[Scored]:
    """Wide cases (dev + spent held-out) scanned by classifiers trained on the other folds (the script's folds)."""
    train = trainer()
    shipped, bank = ShippedModels.load(default_model_path()), load_bank(default_bank_path())
    examples = train.read_training_set()
    vectors = embedder.embed([normalise(e.text) for e in examples])
    fold, scored = train.folds(examples, k, train.SEED), {}
    for f in range(k):
        keep = [i for i in range(len(examples)) if fold[i] != f]
        models = _like(shipped, train.train([examples[i] for i in keep], vectors[keep], embedder.embed, embedder.name))
        scanner = Scanner(embedder.embed, bank, classifier=models, learned_floor=floor)
        for i in np.flatnonzero(fold == f):
            if examples[i].kind.startswith("wide-"):
                scored[i] = Scored(
                    examples[i].attack, examples[i].kind, examples[i].text, tuple(scanner.evidence(examples[i].text))
                )
    return [scored[i] for i in sorted(scored)]


def _like(shipped: ShippedModels, models: ShippedModels) -> ShippedModels:
    lexical = replace(models.lexical, calibration=shipped.lexical.calibration)
    semantic = replace(models.semantic, calibration=shipped.semantic.calibration)
    return ShippedModels(lexical, semantic, version=f"{shipped.version}-fold")


def rates(policy: DecisionPolicy, scored: Sequence[Scored]) -> tuple[float, float, float, float]:
    """Attacks blocked, attacks flagged or blocked, benign blocked, benign flagged."""
    attacks = Counter(policy.decide(s.evidence) for s in scored if s.attack)
    benign = Counter(policy.decide(s.evidence) for s in scored if not s.attack)
    a, b = max(1, sum(attacks.values())), max(1, sum(benign.values()))
    return attacks["block"] / a, (attacks["block"] + attacks["flag"]) / a, benign["block"] / b, benign["flag"] / b


def curve(scored: Sequence[Scored]) -> None:
    default = DecisionPolicy()
    columns = ("attacks blocked", "blocked+flagged", "benign blocked", "benign flagged")
    print(f"{'operating point':<44}" + "".join(f"{c:>16}" for c in columns))
    print(_row("noisy OR (before the policy)", DecisionPolicy(corroborated_at=0.0, overwhelming=2.0), scored))
    for corroborated in CORROBORATED:
        for overwhelming in OVERWHELMING:
            policy = replace(default, corroborated_at=corroborated, overwhelming=overwhelming)
            mark = "*" if policy == default else " "
            alone = "never" if overwhelming > 1 else f"{overwhelming}"
            print(_row(f"{mark} corroborated_at {corroborated:<5} overwhelming {alone}", policy, scored))


def chosen(scored: Sequence[Scored], most_benign: float = BENIGN_GOAL) -> DecisionPolicy:
    """The grid point blocking the most attacks with benign blocked <= most_benign (ties: fewer
    benign blocks, then the higher `overwhelming`, then the higher `corroborated_at`: the more
    hard evidence soft evidence needs); with none that low, the fewest benign blocks."""
    grid = [replace(DecisionPolicy(), corroborated_at=c, overwhelming=o) for c in CORROBORATED for o in OVERWHELMING]
    scored_points = [(rates(p, scored), p) for p in grid]
    within = [(r, p) for r, p in scored_points if r[2] <= most_benign]
    if within:
        return max(within, key=lambda rp: (rp[0][0], -rp[0][2], rp[1].overwhelming, rp[1].corroborated_at))[1]
    return min(scored_points, key=lambda rp: (rp[0][2], -rp[0][0]))[1]


def _row(title: str, policy: DecisionPolicy, scored: Sequence[Scored]) -> str:
    return f"{title:<44}" + "".join(f"{r:>16.1%}" for r in rates(policy, scored))


def misses(scored: Sequence[Scored], verbose: bool) -> None:
    """Per tag, with the shipped policy: attacks not blocked, benign blocked."""
    policy, by_tag = DecisionPolicy(), Counter[str]()
    totals = Counter(_label(s) for s in scored)
    for s in scored:
        action = policy.decide(s.evidence)
        wrong = action != "block" if s.attack else action == "block"
        if wrong:
            by_tag[_label(s)] += 1
            if verbose:
                reasons = [e.reason for e in sorted(s.evidence, key=lambda e: -e.weight) if e.weight > 0][:3]
                print(f"  {'attack' if s.attack else 'benign'} {action:<5} {s.text[:90]!r} {reasons}", file=sys.stderr)
    print("\nwith the shipped policy, per tag: attacks not blocked / benign blocked")
    for tag in sorted(totals):
        print(f"  {tag:<32}{by_tag[tag]:>4} of {totals[tag]}")


def _label(s: Scored) -> str:
    return f"{'attack' if s.attack else 'benign'} {s.tag.removeprefix('wide-')}"


def dataset_paths(values: Sequence[str]) -> list[Path]:
    """--dataset values, each one path or several comma-separated; a missing file stops the run."""
    paths = [Path(part) for value in values for part in value.split(",") if part]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"no such dataset: {', '.join(missing)}")
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--holdout", action="store_true", help="the spent held-out set (training data since)")
    parser.add_argument(
        "--dataset", action="append", default=[], metavar="F", help="a wide set to measure (repeatable, or F,G,...)"
    )
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="dev set scored by K-fold classifiers")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--learned-floor", type=float, default=0.8, help="the calibrated p the learned weight ramps from"
    )
    args = parser.parse_args(argv)
    embedder = StaticEmbedder(MODEL)
    if args.cv:
        scored, what = (
            cross_validated_scores(args.cv, embedder, args.learned_floor),
            f"dev + spent held-out, {args.cv}-fold cross-validated classifier",
        )
    else:
        paths = dataset_paths(args.dataset) or [HOLDOUT if args.holdout else DEV]
        scored = [s for path in paths for s in shipped_scores(path, embedder, args.learned_floor)]
        what = f"{', '.join(p.name for p in paths)}, shipped classifier"
    version = ShippedModels.load(default_model_path()).version
    attacks = sum(s.attack for s in scored)
    print(f"{what} (version {version}): {attacks} attacks, {len(scored) - attacks} benign")
    curve(scored)
    misses(scored, args.verbose)
    point = chosen(scored)
    alone = "never" if point.overwhelming > 1 else f"{point.overwhelming}"
    print(f"\nchosen operating point (most attacks blocked with benign blocked <= {BENIGN_GOAL:.0%}):")
    print(_row(f"  corroborated_at {point.corroborated_at} overwhelming {alone}", point, scored))


if __name__ == "__main__":
    main()
