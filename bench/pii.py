"""PII detection quality and speed on the labelled support messages.

    python bench/pii.py            # add -v to list every miss and false alarm, --no-timing to score only
    python bench/pii.py --dataset evals/datasets/pii_dev.jsonl

Prints recall and precision per kind over evals/datasets/pii.jsonl, or over the set given with
`--dataset` (pii_dev.jsonl is a development set written in another style). A predicted span is
a hit when its kind matches and its text equals a labelled value (surrounding spaces and
punctuation ignored). Names and addresses have soft edges ("Flat 4, 27 Marchmont Road" vs
"27 Marchmont Road"), so they also get an "overlap" score: any overlap with a labelled span.
The sets disagree on whether a phone's extension ("ext. 12", "x204") is inside its span
(pii.jsonl and pii_dev.jsonl: outside; the later sets: inside), so a phone value is compared
without a trailing extension, on both sides; the detector puts it inside.
Then p50 / p99 latency per message of `find_pii` and `Vault.redact`, timed call by call.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from switchboard.patterns.pii.detection import KINDS, PiiSpan, find_pii
from switchboard.patterns.pii.redaction import Vault

DATASET = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "pii.jsonl"
STRUCTURED = ("email", "phone", "card", "iban", "national_id", "ip_address", "driver_licence", "passport")
STRIP = " \t\n.,;:!?()[]{}<>\"'|/—-"
REPEATS = 200
_EXTENSION = re.compile(r"[\s,]*(?:x|ext|extn|extension|durchwahl|poste|anexo)\.?:?\s?\d{1,6}$", re.IGNORECASE)


@dataclass
class Tally:
    hits: int = 0
    labelled: int = 0
    predicted: int = 0

    def recall(self) -> float:
        return self.hits / self.labelled if self.labelled else 1.0

    def precision(self) -> float:
        return self.hits / self.predicted if self.predicted else 1.0


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _key(kind: str, value: str) -> tuple[str, str]:
    """What a labelled or found span is compared by: its kind and its trimmed text."""
    value = value.strip(STRIP)
    return kind, _EXTENSION.sub("", value) if kind == "phone" else value


def _pairs(case: dict[str, object]) -> list[tuple[str, str]]:
    spans = case["spans"]
    assert isinstance(spans, list)
    return [_key(s["kind"], s["value"]) for s in spans]


def exact(case: dict[str, object], found: list[PiiSpan], tallies: dict[str, Tally], misses: list[str]) -> None:
    want = Counter(_pairs(case))
    got = Counter(_key(str(s.kind), s.text) for s in found)
    for key in want | got:
        kind, value = key
        hit = min(want[key], got[key])
        t = tallies[kind]
        t.hits, t.labelled, t.predicted = t.hits + hit, t.labelled + want[key], t.predicted + got[key]
        if want[key] > hit:
            misses.append(f"  miss   {kind:<11} {value!r:<44} in {case['id']}")
        if got[key] > hit:
            misses.append(f"  false  {kind:<11} {value!r:<44} in {case['id']}")


def overlap(case: dict[str, object], found: list[PiiSpan], tallies: dict[str, Tally]) -> None:
    text = str(case["text"])
    labelled = [(k, text.index(v), text.index(v) + len(v)) for k, v in _pairs(case)]
    for kind in ("name", "address"):
        want = [(a, b) for k, a, b in labelled if k == kind]
        got = [(s.start, s.end) for s in found if s.kind == kind]
        t = tallies[kind]
        t.labelled += len(want)
        t.predicted += len(got)
        t.hits += sum(any(a < gb and ga < b for ga, gb in got) for a, b in want)


def percentiles(ms: list[float]) -> tuple[float, float]:
    ordered = sorted(ms)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99)]


def timed(fn: object, texts: list[str]) -> list[float]:
    assert callable(fn)
    samples = []
    for _ in range(REPEATS):
        for text in texts:
            t = time.perf_counter()
            fn(text)
            samples.append((time.perf_counter() - t) * 1000)
    return samples


def score(cases: list[dict[str, object]]) -> tuple[dict[str, Tally], dict[str, Tally], list[str]]:
    # A labelled kind the detector does not know yet still counts: its recall is 0.
    labelled = {str(s["kind"]) for case in cases for s in case["spans"]}  # type: ignore[attr-defined]
    tallies: dict[str, Tally] = {k: Tally() for k in (*KINDS, *sorted(labelled - set(KINDS)))}
    soft = {k: Tally() for k in ("name", "address")}
    misses: list[str] = []
    for case in cases:
        found = find_pii(str(case["text"]))
        exact(case, found, tallies, misses)
        overlap(case, found, soft)
    return tallies, soft, misses


def pooled(tallies: dict[str, Tally], kinds: tuple[str, ...]) -> Tally:
    present = [tallies[k] for k in kinds if k in tallies]
    return Tally(*(sum(getattr(t, f) for t in present) for f in ("hits", "labelled", "predicted")))


def row(label: str, t: Tally, note: str = "") -> str:
    return f"{label:<12} {t.labelled:>8} {t.predicted:>6} {t.recall():>7.3f} {t.precision():>9.3f}  {note}".rstrip()


def latency(texts: list[str]) -> None:
    vault = Vault()
    for name, fn in (("find_pii", find_pii), ("Vault.redact", vault.redact)):
        p50, p99 = percentiles(timed(fn, texts))
        print(f"{name:<13} p50 {p50 * 1000:6.1f} µs   p99 {p99 * 1000:6.1f} µs   ({len(texts)} messages × {REPEATS})")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="PII detection quality and speed on a labelled set.")
    parser.add_argument("--dataset", type=Path, default=DATASET, help="a JSONL set in pii.jsonl's format")
    # The set written afterwards by someone who never saw the detector.
    parser.add_argument("--holdout", action="store_true", help="score pii_holdout.jsonl instead")
    parser.add_argument("--no-timing", action="store_true", help="score only, skip the latency runs")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss and false alarm")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    path = DATASET.with_name("pii_holdout.jsonl") if args.holdout else args.dataset
    cases = load(path)
    print(f"dataset: {path.name}")
    tallies, soft, misses = score(cases)
    negatives = sum(not case["spans"] for case in cases)
    print(f"messages: {len(cases)}  (no PII: {negatives})")
    print(f"{'kind':<12} {'labelled':>8} {'found':>6} {'recall':>7} {'precision':>9}")
    for kind, t in tallies.items():
        print(row(kind, t))
    print(row("structured", pooled(tallies, STRUCTURED)))
    for kind, t in soft.items():
        print(row(f"{kind} ~", t, "(overlap)"))
    if not args.no_timing:
        latency([str(case["text"]) for case in cases])
    if args.verbose:
        print("\n".join(misses), file=sys.stderr)


if __name__ == "__main__":
    main()
