"""The answer cache's threshold sweep: hits on paraphrases against wrong hits on near misses.

    python bench/cache_sweep.py              development sets: tune the threshold here
    python bench/cache_sweep.py --holdout    the blind held-out sets: measure once, at the end

The development sets are evals/datasets/paraphrase.jsonl and near misses generated here from
the seed (the same question about two of a customer's orders, or about two products). The
held-out sets (cache_paraphrase_holdout.jsonl, cache_near_miss_holdout.jsonl) were written by
someone who never saw the cache.

Every paraphrase group's first wording is stored with an answer labelled by what the group
expects (route, articles cited, facts, tools), then every other wording is looked up: a hit is
right when the answer it returns meets the asker's expectations and wrong otherwise. Every
near-miss pair stores its first question and looks up the second: any hit is wrong (their right
answers differ). Scopes are the app's: a help-centre answer is shared
across the tenant, an answer about a customer's own orders or account is kept for that customer,
and a lookup searches the asker's own and the shared ones. The baseline, measured in the same
run, is exact text only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from switchboard.agents.embeddings import StaticEmbedder
from switchboard.app.cost.answer_cache import AnswerCache
from switchboard.app.cost.vocabulary import catalogue_vocabulary
from switchboard.app.settings import REPO, Settings
from switchboard.patterns.semantic_cache import SHARED, CachePolicy, Hit, Rejected, Scope, normalise

DATASETS = REPO / "evals" / "datasets"
SEED = REPO / "data" / "seed"
THRESHOLDS = [0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95]
HEADER = "threshold    hits   right  wrong/served  near-miss hits  rejected  across customers"
EXACT_ONLY = 1.01  # no similarity reaches it: only the exact step can hit


@dataclass(frozen=True)
class Ask:
    customer: str
    text: str
    answer: str  # the label of the right answer
    shared: bool  # may its answer serve other customers?


def scope(ask: Ask) -> Scope:
    return Scope("tidewater", "demo", "v1", SHARED if ask.shared else ask.customer)


def lookup_scopes(ask: Ask) -> list[Scope]:
    return [Scope("tidewater", "demo", "v1", ask.customer), Scope("tidewater", "demo", "v1", SHARED)]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _shared(case: dict[str, Any]) -> bool:
    tags = case.get("tags", [])
    if "per-customer" in tags or "shareable" in tags:
        return "shareable" in tags
    return case.get("expect", {}).get("route") == "knowledge"


def expected_answer(case: dict[str, Any]) -> str:
    """What a right answer to the group must be: two groups expecting the same things (the same
    articles cited, the same facts, the same tools on the same order) accept each other's answer,
    as the scorers would. A group about the asker's own data is theirs alone."""
    expect = case.get("expect", {})
    label = json.dumps({k: expect.get(k) for k in ("route", "sources", "contains", "tools")}, sort_keys=True)
    return label if _shared(case) else f"{case['customer']}|{label}"


def paraphrase_groups(path: Path) -> list[list[Ask]]:
    groups = []
    for case in _lines(path):
        shared, answer = _shared(case), expected_answer(case)
        groups.append([Ask(case["customer"], text, answer, shared) for text in case["variants"]])
    return groups


def _ask(customer: str, text: str, shared: bool) -> Ask:
    """A near miss's question, its right answer labelled by what decides it: the text (and the
    customer, for their own data). Only the same question, asked again, has the same answer."""
    return Ask(customer, text, f"{SHARED if shared else customer}|{normalise(text)}", shared)


def holdout_near_misses(path: Path) -> list[tuple[Ask, Ask]]:
    pairs = []
    for line in _lines(path):
        first, second = (_ask(c["customer"], c["text"], _shared(c)) for c in line["cases"])
        pairs.append((first, second))
    return pairs


def generated_near_misses() -> list[tuple[Ask, Ask]]:
    """Development near misses: one customer's two orders, and two products, in a few phrasings."""
    orders = json.loads((SEED / "orders.json").read_text())
    by_customer = itertools.groupby(sorted(orders, key=lambda o: o["customer_id"]), key=lambda o: o["customer_id"])
    pairs = []
    for customer, owned in by_customer:
        numbers = [o["id"] for o in owned]
        for a, b in zip(numbers[::2], numbers[1::2], strict=False):  # disjoint pairs: b is never stored
            for template in ("where is order {}?", "has order {} shipped yet", "what was in my order {}"):
                pairs.append((_ask(customer, template.format(a), False), _ask(customer, template.format(b), False)))
    products = json.loads((SEED / "products.json").read_text())
    for p, q in zip(products[::2], products[1::2], strict=False):
        if p["category"] != q["category"]:
            for template in ("can I return the {}?", "is there a warranty on the {}"):
                pairs.append(
                    (
                        Ask("C1001", template.format(p["name"]), p["sku"], True),
                        Ask("C1002", template.format(q["name"]), q["sku"], True),
                    )
                )
    return pairs


def vocabulary() -> frozenset[str]:
    products = json.loads((SEED / "products.json").read_text())
    return catalogue_vocabulary([p["name"] for p in products], [p["category"] for p in products])


def fill(cache: AnswerCache, groups: list[list[Ask]], pairs: list[tuple[Ask, Ask]]) -> None:
    for first in [g[0] for g in groups] + [p[0] for p in pairs]:
        cache.store_now(first.text, first.answer, scope(first), [], now=0)


def _wrong(ask: Ask, hit: Hit) -> bool:
    """A served answer fails the asker when it was made for another answer; the same question
    asked again in the same scope (an exact hit) gets the answer it got before, by definition."""
    return hit.how != "exact" and hit.entry.answer != ask.answer


def measure(cache: AnswerCache, groups: list[list[Ask]], pairs: list[tuple[Ask, Ask]]) -> dict[str, float]:
    asked = [a for g in groups for a in g[1:]]
    outcomes = [(a, cache.lookup_now(a.text, lookup_scopes(a), now=1)) for a in asked]
    near = [(b, cache.lookup_now(b.text, lookup_scopes(b), now=1)) for _, b in pairs]
    hits = [(a, o) for a, o in outcomes if isinstance(o, Hit)]
    right = sum(not _wrong(a, o) for a, o in hits)
    near_hits = [(b, o) for b, o in near if isinstance(o, Hit)]
    near_wrong = sum(_wrong(b, o) for b, o in near_hits)
    wrong = len(hits) - right + near_wrong
    served = len(hits) + len(near_hits)
    across = sum(o.entry.scope.owner not in (SHARED, a.customer) for a, o in hits + near_hits)
    return {
        "hit_rate": len(hits) / len(asked),
        "right_hit_rate": right / len(asked),
        "wrong_of_served": wrong / served if served else 0.0,
        "near_miss_hits": near_wrong / len(pairs) if pairs else 0.0,
        "rejected": sum(isinstance(o, Rejected) for _, o in outcomes + near),
        "across_customers": across,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holdout", action="store_true", help="measure on the blind held-out sets")
    args = parser.parse_args()
    held = args.holdout
    if held:
        groups = paraphrase_groups(DATASETS / "cache_paraphrase_holdout.jsonl")
        pairs = holdout_near_misses(DATASETS / "cache_near_miss_holdout.jsonl")
    else:
        groups, pairs = paraphrase_groups(DATASETS / "paraphrase.jsonl"), generated_near_misses()
    embedder = StaticEmbedder(Settings().embedding_model_dir)
    with tempfile.TemporaryDirectory() as tmp:
        cache = AnswerCache.open(Path(tmp), "sweep", embedder, vocabulary(), lambda: {})
        fill(cache, groups, pairs)
        asked = sum(len(g) - 1 for g in groups)
        print(f"{'held-out' if held else 'development'} sets: {asked} paraphrase lookups, {len(pairs)} near-miss pairs")
        print(HEADER)
        for threshold in [EXACT_ONLY, *THRESHOLDS]:
            cache.policy = CachePolicy(threshold=threshold)
            m = measure(cache, groups, pairs)
            label = "exact" if threshold == EXACT_ONLY else f"{threshold:.2f}"
            print(
                f"{label:>9}  {m['hit_rate']:6.1%}  {m['right_hit_rate']:6.1%}  {m['wrong_of_served']:12.1%}  "
                f"{m['near_miss_hits']:14.1%}  {m['rejected']:8.0f}  {m['across_customers']:16.0f}"
            )


if __name__ == "__main__":
    main()
