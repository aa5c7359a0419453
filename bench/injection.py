"""Prompt-injection scanner: what it stops, what it lets through, and what it costs per message.

    python bench/injection.py [--verbose]

Scans every user turn of evals/datasets/adversarial.jsonl (attack cases per tag, benign
cases) and of evals/datasets/golden.jsonl (ordinary support traffic, all benign) with three
set-ups: the scanner as the app builds it (rules, similarity to the bank of known attacks
with the static MiniLM embedder, and the learned classifier), the same with `embed=None`,
and the scanner as it was before the classifier (rules and similarity only). A case counts
as blocked if any of its turns is blocked, flagged if its worst turn is flagged. Prints
block / flag / allow per tag, the false-positive (blocked) and flag rates on benign traffic,
and p50 / p99 latency of one `scan`. Neither the bank nor the classifier's training data
(data/injection/train.jsonl) is taken from these files; the classifier's own
cross-validated figures come from `python scripts/train_injection_classifier.py --cv 5`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from switchboard.agents.embeddings import StaticEmbedder
from switchboard.patterns.injection.scanner import Scanner, Verdict, default_bank_path, load_bank

REPO = Path(__file__).resolve().parent.parent
ADVERSARIAL = REPO / "evals" / "datasets" / "adversarial.jsonl"
GOLDEN = REPO / "evals" / "datasets" / "golden.jsonl"
HOLDOUT = REPO / "evals" / "datasets" / "injection_holdout.jsonl"
MODEL = REPO / "data" / "models" / "minilm-l6-static"
SCANNER_TAGS = ("injection", "jailbreak", "prompt-extraction")
RANK = {"allow": 0, "flag": 1, "block": 2}


def read_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def user_turns(case: dict[str, Any]) -> list[str]:
    return [t if isinstance(t, str) else t["user"] for t in case["turns"] if isinstance(t, str) or "user" in t]


def tag_of(case: dict[str, Any]) -> str:
    rest = [t for t in case.get("tags", []) if t not in ("attack", "benign", "holdout")]
    return rest[0] if "attack" in case.get("tags", []) and rest else "benign"


def worst(verdicts: list[Verdict]) -> Verdict:
    return max(verdicts, key=lambda v: (RANK[v.action], v.score))


def tally(scanner: Scanner, cases: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for case in cases:
        counts[tag_of(case)][worst([scanner.scan(t) for t in user_turns(case)]).action] += 1
    return counts


def row(name: str, c: Counter[str]) -> str:
    n = sum(c.values())
    return f"  {name:<26}{n:>4}  block {c['block']:>3}  flag {c['flag']:>3}  allow {c['allow']:>3}"


def report(title: str, scanner: Scanner, adversarial: list[dict[str, Any]], golden: list[str]) -> None:
    counts = tally(scanner, adversarial)
    print(f"\n{title}")
    for tag in sorted(counts, key=lambda t: (t == "benign", t not in SCANNER_TAGS, t)):
        print(row(tag, counts[tag]))
    target = sum((counts[t] for t in SCANNER_TAGS), Counter())
    total = sum(target.values())
    print(f"  injection+jailbreak+extraction blocked: {target['block']}/{total} ({target['block'] / total:.0%})")
    benign: Counter[str] = Counter(scanner.scan(t).action for t in golden)
    print(row("golden user turns", benign))
    turns = len(golden) + sum(counts["benign"].values())
    blocked, flagged = benign["block"] + counts["benign"]["block"], benign["flag"] + counts["benign"]["flag"]
    print(
        f"  benign traffic ({turns} turns/cases): false positives {blocked / turns:.1%}, flagged {flagged / turns:.1%}"
    )


def latency(scanner: Scanner, texts: list[str], rounds: int = 5) -> tuple[float, float]:
    for text in texts:
        scanner.scan(text)  # warm caches (tokenizer, regex)
    samples = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            scanner.scan(text)
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.99 * (len(samples) - 1))]


def details(scanner: Scanner, adversarial: list[dict[str, Any]], golden: list[str]) -> None:
    for case in adversarial:
        verdict = worst([scanner.scan(t) for t in user_turns(case)])
        wrong = verdict.action != "block" if tag_of(case) in SCANNER_TAGS else verdict.action != "allow"
        if wrong:
            print(
                f"  {case['id']} [{tag_of(case)}] {verdict.action} {verdict.score:.2f} {verdict.reasons}",
                file=sys.stderr,
            )
    for text in golden:
        verdict = scanner.scan(text)
        if verdict.action != "allow":
            print(f"  golden {verdict.action} {verdict.score:.2f} {text!r} {verdict.reasons}", file=sys.stderr)


def main() -> None:
    # `--holdout`: attacks and benign questions written afterwards by someone who never saw the scanner.
    adversarial = read_cases(HOLDOUT if "--holdout" in sys.argv else ADVERSARIAL)
    golden = [t for case in read_cases(GOLDEN) for t in user_turns(case)]
    bank = load_bank(default_bank_path())
    embedder = StaticEmbedder(MODEL)
    set_ups = {
        "rules + similarity + classifier (as the app runs it)": Scanner(embedder.embed, bank),
        "rules + classifier (embed=None)": Scanner(),
        "before the classifier: rules + similarity": Scanner(embedder.embed, bank, classifier=None),
    }
    full = next(iter(set_ups.values()))
    print(f"adversarial cases: {len(adversarial)}  golden user turns: {len(golden)}  bank: {len(bank)} phrasings")
    print(f"thresholds: flag at {full.flag_at}, block at {full.block_at}")
    for title, scanner in set_ups.items():
        report(title, scanner, adversarial, golden)
    texts = [t for case in adversarial for t in user_turns(case)] + golden
    for title, scanner in set_ups.items():
        p50, p99 = latency(scanner, texts)
        print(f"scan latency, {title}: p50 {p50:.3f} ms  p99 {p99:.3f} ms  ({len(texts)} messages x 5)")
    if "--verbose" in sys.argv:
        details(full, adversarial, golden)


if __name__ == "__main__":
    main()
