"""The answer cache's threshold sweep: hits on paraphrases against wrong hits on near misses.

    python bench/cache_sweep.py              development sets: tune the threshold here
    python bench/cache_sweep.py --holdout    the blind held-out sets: measure once, at the end
                                             (--holdout b, c: the second and third blind
                                             pairs, *_holdout_b, *_holdout_c)
    python bench/cache_sweep.py --why 0.60   development only: list the wrong hits, the
                                             rejections and the misses at one threshold
    python bench/cache_sweep.py --latency 0.60   development only: each lookup's time (p50, p95),
                                             every text embedded for the first time,
                                             at the last of --supports (0: entities only)

    --embedder static|onnx     the cache's embedder (SWITCHBOARD_CACHE_EMBEDDER)
    --agreement static|onnx    the embedder of the help-centre search retrieval agreement asks
                               (the app's is static: its knowledge base's)
    --supports 1,3             the retrieval-agreement curves' `support`s
    --candidates 8             nearest neighbours weighed per lookup
    --overlap 0.5              passage agreement: least Jaccard of the two searches' top chunk ids
    --terms equal|nested       the catalogue-term rule where passage agreement judges the pair
    --margin 0.05              the served candidate's lead over any candidate with another answer

The development sets are evals/datasets/paraphrase.jsonl and near misses generated here from
every tenant's seed (the same question about two of a customer's orders, or about two products;
a customer's own question asked by another customer; a help-centre question asked in another
shop). The held-out sets (cache_paraphrase_holdout.jsonl, cache_near_miss_holdout.jsonl) were
written by someone who never saw the cache.

Every paraphrase group's first wording is stored with an answer labelled by what the group
expects (route, articles cited, facts, tools), then every other wording is looked up: a hit is
right when the answer it returns meets the asker's expectations and wrong otherwise (see
`serves`). Every near-miss pair stores its first question and looks up the second: any
semantic hit is wrong (their right answers differ). Scopes are the app's: each customer's own
tenant; a help-centre answer is shared across the tenant, an answer about a customer's own
orders or account is kept for that customer, and a lookup searches the asker's own and the
shared ones.

Four curves, in the same run: the entity check alone; with retrieval agreement (the cache is
given the app's tenant-filtered hybrid search over the help centre) requiring only the query's
best passage to agree (support 1), then the tuned `support` of VERIFIED; and that with intent
agreement too (the cache is given the app's router, the offline demo model's). A stored
knowledge answer cites what the app would cite, the article of the best passage the search finds
for the stored question — never the dataset's expected sources. The baseline of each is exact
text only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from switchboard.agents.embeddings import CachedEmbedder, Embedder, OnnxEmbedder, StaticEmbedder
from switchboard.agents.llm.providers.demo.policy import DemoPolicy
from switchboard.agents.llm.types import ChatRequest
from switchboard.agents.nodes.router import SCHEMA
from switchboard.agents.prompts import PromptBook
from switchboard.app.cost.answer_cache import CANDIDATES, AnswerCache, Retriever, Router, help_centre_retriever
from switchboard.app.cost.vocabulary import catalogue_vocabulary
from switchboard.app.runs.metrics import percentile
from switchboard.app.settings import REPO, Settings
from switchboard.app.shop.knowledge import KnowledgeBase, read_articles
from switchboard.app.shop.tenants import Tenant, load_tenants
from switchboard.patterns.semantic_cache import (
    SHARED,
    VERIFIED,
    CachePolicy,
    Hit,
    Outcome,
    Rejected,
    Scope,
    article_of,
    normalise,
)

DATASETS = REPO / "evals" / "datasets"
TENANTS = REPO / "data" / "tenants"
ONNX_MODEL = REPO / "data" / "models" / "minilm-l6-onnx"
THRESHOLDS = [0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95]
HEADER = "threshold    hits   right  wrong/served  near-miss hits  rejected  across customers/tenants"
EXACT_ONLY = 1.01  # no similarity reaches it: only the exact step can hit
MODEL, PROMPT = "demo", "v1"
EQUAL = ("route", "tools", "escalated")  # expectations a served answer must share exactly


@dataclass(frozen=True)
class Ask:
    customer: str
    tenant: str
    text: str
    answer: str  # the label of the right answer (JSON)
    shared: bool  # may its answer serve other customers?


def scope(ask: Ask) -> Scope:
    return Scope(ask.tenant, MODEL, PROMPT, SHARED if ask.shared else ask.customer)


def lookup_scopes(ask: Ask) -> list[Scope]:
    return [Scope(ask.tenant, MODEL, PROMPT, ask.customer), Scope(ask.tenant, MODEL, PROMPT, SHARED)]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def customer_tenants(tenants: Sequence[Tenant]) -> dict[str, str]:
    """Each customer's tenant, from every tenant's seed."""
    return {c["id"]: t.id for t in tenants for c in json.loads((t.seed_dir / "customers.json").read_text())}


def _shared(case: dict[str, Any]) -> bool:
    tags = case.get("tags", [])
    if "per-customer" in tags or "shareable" in tags:
        return "shareable" in tags
    return case.get("expect", {}).get("route") == "knowledge"


def expected_answer(case: dict[str, Any], tenant: str) -> str:
    """What a right answer to the group must be, as a label: its tenant, its owner (a group about
    the asker's own data is theirs alone), and what the group expects."""
    expect = case.get("expect", {})
    owner = SHARED if _shared(case) else case["customer"]
    label = {k: expect.get(k) for k in (*EQUAL, "sources", "contains")}
    return json.dumps({"tenant": tenant, "owner": owner, **label}, sort_keys=True)


def serves(stored: str, asked: str) -> bool:
    """Would the answer labelled `stored` meet the expectations labelled `asked`? The scorers
    check a case's route, tools and escalation (equal), the articles it must cite and the facts
    its answer must contain. So the answer serves when it is the same tenant's and owner's, has
    the same route, tools and escalation, and cites every article and was made to contain every
    fact the asker's case requires. An answer known to contain "45 days" serves a question that
    only requires the returns policy cited; an answer only known to cite it does not serve a
    question requiring "45 days" (it may not say it). Near misses are labelled by their text, so
    only the same text serves them."""
    a, b = json.loads(stored), json.loads(asked)
    if not isinstance(a, dict) or not isinstance(b, dict):
        return a == b
    same = all(a.get(k) == b.get(k) for k in ("tenant", "owner", *EQUAL))
    return same and set(b.get("sources") or []) <= set(a.get("sources") or []) and _facts(b) <= _facts(a)


def _facts(label: dict[str, Any]) -> set[str]:
    return {str(fact).lower() for fact in label.get("contains") or []}


def paraphrase_groups(path: Path, tenant_of: dict[str, str]) -> list[list[Ask]]:
    groups = []
    for case in _lines(path):
        tenant = tenant_of[case["customer"]]
        shared, answer = _shared(case), expected_answer(case, tenant)
        groups.append([Ask(case["customer"], tenant, text, answer, shared) for text in case["variants"]])
    return groups


def _ask(customer: str, tenant: str, text: str, shared: bool, about: str | None = None) -> Ask:
    """A near miss's question, its right answer labelled by what decides it: the text (or what it
    is `about`), the tenant and, for their own data, the customer."""
    owner = SHARED if shared else customer
    return Ask(customer, tenant, text, json.dumps(f"{tenant}|{owner}|{about or normalise(text)}"), shared)


def holdout_near_misses(path: Path, tenant_of: dict[str, str]) -> list[tuple[Ask, Ask]]:
    pairs = []
    for line in _lines(path):
        first, second = (_ask(c["customer"], tenant_of[c["customer"]], c["text"], _shared(c)) for c in line["cases"])
        pairs.append((first, second))
    return pairs


ORDER_TEMPLATES = ("where is order {}?", "has order {} shipped yet", "what was in my order {}")
PRODUCT_TEMPLATES = ("can I return the {}?", "is there a warranty on the {}")
OWN_QUESTIONS = ("what email do you have for me?", "how many points do I have?", "where is my order?")
SHOP_QUESTIONS = ("what's your return window?", "how long does standard shipping take?", "do you price match?")


def generated_near_misses(tenants: Sequence[Tenant]) -> list[tuple[Ask, Ask]]:
    """Development near misses, in every tenant: one customer's two orders and two products in a
    few phrasings, a customer's own question asked by the next customer, and a help-centre
    question asked word for word in the next shop."""
    pairs: list[tuple[Ask, Ask]] = []
    for tenant in tenants:
        pairs += _order_pairs(tenant) + _product_pairs(tenant) + _customer_pairs(tenant)
    for here, there in zip(tenants, [*tenants[1:], *tenants[:1]], strict=True):
        if here.id != there.id:
            first, second = _customers(here)[0], _customers(there)[0]
            pairs += [(_ask(first, here.id, q, True), _ask(second, there.id, q, True)) for q in SHOP_QUESTIONS]
    return pairs


def _customers(tenant: Tenant) -> list[str]:
    return [c["id"] for c in json.loads((tenant.seed_dir / "customers.json").read_text())]


def _order_pairs(tenant: Tenant) -> list[tuple[Ask, Ask]]:
    orders = json.loads((tenant.seed_dir / "orders.json").read_text())
    by_customer = itertools.groupby(sorted(orders, key=lambda o: o["customer_id"]), key=lambda o: o["customer_id"])
    pairs = []
    for customer, owned in by_customer:
        numbers = [o["id"] for o in owned]
        for a, b in zip(numbers[::2], numbers[1::2], strict=False):  # disjoint pairs: b is never stored
            for template in ORDER_TEMPLATES:
                first, second = template.format(a), template.format(b)
                pairs.append((_ask(customer, tenant.id, first, False), _ask(customer, tenant.id, second, False)))
    return pairs


def _product_pairs(tenant: Tenant) -> list[tuple[Ask, Ask]]:
    products = json.loads((tenant.seed_dir / "products.json").read_text())
    first, second = _customers(tenant)[:2]
    pairs = []
    for p, q in zip(products[::2], products[1::2], strict=False):
        if p["category"] != q["category"]:
            for template in PRODUCT_TEMPLATES:
                stored = _ask(first, tenant.id, template.format(p["name"]), True, p["sku"])
                pairs.append((stored, _ask(second, tenant.id, template.format(q["name"]), True, q["sku"])))
    return pairs


def _customer_pairs(tenant: Tenant) -> list[tuple[Ask, Ask]]:
    customers = _customers(tenant)
    return [
        (_ask(a, tenant.id, q, False), _ask(b, tenant.id, q, False))
        for a, b in zip(customers[::2], customers[1::2], strict=False)
        for q in OWN_QUESTIONS
    ]


def vocabulary(tenants: Sequence[Tenant]) -> frozenset[str]:
    products = [p for t in tenants for p in json.loads((t.seed_dir / "products.json").read_text())]
    return catalogue_vocabulary([p["name"] for p in products], [p["category"] for p in products])


def help_centre(folder: Path, tenants: Sequence[Tenant], embedder: CachedEmbedder) -> KnowledgeBase:
    kb = KnowledgeBase.open(folder, "help-centre", embedder)
    for tenant in tenants:
        kb.ingest(tenant.kb_dir, source="shipped", tenant=tenant.id)
    return kb


def fill(cache: AnswerCache, retriever: Retriever, groups: list[list[Ask]], pairs: list[tuple[Ask, Ask]]) -> None:
    """Store every first question, a shared (help-centre) answer citing the article of the best
    passage the search finds for it, as the knowledge specialist's answer would. Near misses
    first: where one is word for word a paraphrase group's first question in the same scope,
    the group's entry (and label) is the one kept."""
    for first in [p[0] for p in pairs] + [g[0] for g in groups]:
        cited = [article_of(p) for p in retriever(first.text, first.tenant)][:1] if first.shared else []
        cache.store_now(first.text, first.answer, scope(first), cited, now=0)


def _wrong(ask: Ask, hit: Hit) -> bool:
    """A served answer fails the asker when it does not serve their expectations; the same
    question asked again in the same scope (an exact hit) gets the answer it got before, by
    definition."""
    return hit.how != "exact" and not serves(hit.entry.answer, ask.answer)


def _across(ask: Ask, hit: Hit) -> bool:
    return hit.entry.scope.tenant != ask.tenant or hit.entry.scope.owner not in (SHARED, ask.customer)


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
    return {
        "hit_rate": len(hits) / len(asked),
        "right_hit_rate": right / len(asked),
        "wrong_of_served": wrong / served if served else 0.0,
        "near_miss_hits": near_wrong / len(pairs) if pairs else 0.0,
        "rejected": sum(isinstance(o, Rejected) for _, o in outcomes + near),
        "across": sum(_across(a, o) for a, o in hits + near_hits),
    }


def sweep(
    cache: AnswerCache, groups: list[list[Ask]], pairs: list[tuple[Ask, Ask]], base: CachePolicy
) -> Iterator[str]:
    yield HEADER
    for threshold in [EXACT_ONLY, *THRESHOLDS]:
        cache.policy = replace(base, threshold=threshold)
        m = measure(cache, groups, pairs)
        label = "exact" if threshold == EXACT_ONLY else f"{threshold:.2f}"
        yield (
            f"{label:>9}  {m['hit_rate']:6.1%}  {m['right_hit_rate']:6.1%}  {m['wrong_of_served']:12.1%}  "
            f"{m['near_miss_hits']:14.1%}  {m['rejected']:8.0f}  {m['across']:24.0f}"
        )


def why(
    cache: AnswerCache, groups: list[list[Ask]], pairs: list[tuple[Ask, Ask]], threshold: float, base: CachePolicy
) -> Iterator[str]:
    """Development only: every lookup that was not a right hit, and every near-miss hit."""
    cache.policy = replace(base, threshold=threshold)
    asks = [(a, "paraphrase") for g in groups for a in g[1:]] + [(b, "near miss") for _, b in pairs]
    for ask, kind in asks:
        outcome = cache.lookup_now(ask.text, lookup_scopes(ask), now=1)
        if kind == "near miss" and not isinstance(outcome, Hit):
            continue
        if not (isinstance(outcome, Hit) and not _wrong(ask, outcome)) or kind == "near miss":
            yield f"{kind:10} {ask.customer} {ask.text!r}: {_describe(outcome, ask)}"


def _describe(outcome: Outcome, ask: Ask) -> str:
    if isinstance(outcome, Hit):
        verdict = "WRONG" if _wrong(ask, outcome) else "right"
        return f"{verdict} {outcome.how} hit {outcome.similarity:.2f} on {outcome.entry.question!r}"
    return f"{type(outcome).__name__} {outcome}"


def demo_router(embedder: CachedEmbedder) -> Router:
    """The app's router step with the offline demo model: the route it would choose."""
    policy, prompt = DemoPolicy(embedder), PromptBook().get("router").text

    def route(question: str) -> str:
        messages = [{"role": "system", "content": prompt}, {"role": "user", "content": question}]
        reply = policy.reply(ChatRequest(messages, "demo-small", json_schema=SCHEMA, max_tokens=40), False)
        return str(json.loads(reply.text)["route"])

    return route


def main() -> None:
    args = _arguments()
    tenants = list(load_tenants(TENANTS))
    groups, pairs = _sets(args.holdout, tenants)
    static = CachedEmbedder(StaticEmbedder(Settings().embedding_model_dir))
    embedder, agreeing = _embedder(args.embedder, static), _embedder(args.agreement, static)
    with tempfile.TemporaryDirectory() as tmp:
        retriever = help_centre_retriever(help_centre(Path(tmp) / "kb", tenants, static))
        agreeing_kb = help_centre(Path(tmp) / "kb2", tenants, agreeing) if agreeing is not static else None
        agreement = help_centre_retriever(agreeing_kb) if agreeing_kb else retriever
        asked = sum(len(g) - 1 for g in groups)
        which = {None: "development", "a": "held-out", "b": "second held-out (b)", "c": "third held-out (c)"}
        print(f"{which[args.holdout]} sets: {asked} paraphrase lookups, {len(pairs)} near-miss pairs")
        print(f"cache embedder {embedder.name}, agreement search by {agreeing.name}, {args.candidates} candidates")
        for number, (title, verifier, router, support) in enumerate(_curves(args, agreement, static)):
            cache = AnswerCache.open(
                Path(tmp) / f"cache-{number}",
                "sweep",
                embedder,
                vocabulary(tenants),
                _versions(tenants),
                retriever=verifier,
                router=router,
                candidates=args.candidates,
            )
            fill(cache, retriever, groups, pairs)
            print(f"\n{title}")
            print("\n".join(_lines_for(args, cache, groups, pairs, support)))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holdout", nargs="?", const="a", choices=["a", "b", "c"], help="measure on a blind pair")
    parser.add_argument("--why", type=float, help="development only: explain every lookup at this threshold")
    parser.add_argument("--latency", type=float, help="development only: time each lookup at this threshold")
    parser.add_argument("--embedder", choices=["static", "onnx"], default="static", help="the cache's embedder")
    parser.add_argument("--agreement", choices=["static", "onnx"], default="static", help="retrieval agreement's")
    parser.add_argument("--supports", default=f"1,{VERIFIED.support}", help="retrieval agreement's supports")
    parser.add_argument("--overlap", type=float, default=VERIFIED.overlap, help="least Jaccard of top chunk ids")
    parser.add_argument("--terms", choices=["equal", "nested"], default=VERIFIED.terms, help="the catalogue-term rule")
    parser.add_argument("--margin", type=float, default=VERIFIED.margin, help="lead over a different answer")
    parser.add_argument("--candidates", type=int, default=CANDIDATES, help="nearest neighbours per lookup")
    args = parser.parse_args()
    if args.holdout and (args.why is not None or args.latency is not None):
        parser.error("--why and --latency study development lookups: the held-out sets are measured, never studied")
    return args


def _sets(holdout: str | None, tenants: Sequence[Tenant]) -> tuple[list[list[Ask]], list[tuple[Ask, Ask]]]:
    tenant_of = customer_tenants(tenants)
    if holdout is None:
        return paraphrase_groups(DATASETS / "paraphrase.jsonl", tenant_of), generated_near_misses(tenants)
    suffix = "" if holdout == "a" else f"_{holdout}"
    groups = paraphrase_groups(DATASETS / f"cache_paraphrase_holdout{suffix}.jsonl", tenant_of)
    return groups, holdout_near_misses(DATASETS / f"cache_near_miss_holdout{suffix}.jsonl", tenant_of)


def _embedder(which: str, static: CachedEmbedder) -> CachedEmbedder:
    return static if which == "static" else CachedEmbedder(OnnxEmbedder(ONNX_MODEL))


Curve = tuple[str, Retriever | None, Router | None, int]


def _curves(args: argparse.Namespace, agreement: Retriever, routed: Embedder) -> list[Curve]:
    """The entity check alone, then retrieval agreement at each support, then the last with
    intent agreement too (the demo router embeds with the app's static model)."""
    supports = [int(s) for s in args.supports.split(",")]
    if args.latency is not None:  # one curve, the configuration timed: the last support (0: entities only)
        last = supports[-1]
        return [(f"support {last}", agreement if last else None, None, max(last, 1))]
    curves: list[Curve] = [("entity check only", None, None, 1)]
    curves += [(f"entity check + retrieval agreement, support {s}", agreement, None, s) for s in supports]
    last = supports[-1]
    title = f"entity check + retrieval (support {last}) + intent agreement"
    curves.append((title, agreement, demo_router(routed), last))
    return curves


def _lines_for(
    args: argparse.Namespace, cache: AnswerCache, groups: list[list[Ask]], pairs: list[tuple[Ask, Ask]], support: int
) -> Iterator[str]:
    base = CachePolicy(support=support, overlap=args.overlap, terms=args.terms, margin=args.margin)
    if args.latency is not None:
        return latency(cache, groups, pairs, args.latency, base)
    if args.why is not None:
        return why(cache, groups, pairs, args.why, base)
    return sweep(cache, groups, pairs, base)


def latency(
    cache: AnswerCache, groups: list[list[Ask]], pairs: list[tuple[Ask, Ask]], threshold: float, base: CachePolicy
) -> Iterator[str]:
    """Each lookup's wall time, as a turn pays it: its text embedded for the first time."""
    cache.policy = replace(base, threshold=threshold)
    times = []
    for ask in [a for g in groups for a in g[1:]] + [b for _, b in pairs]:
        started = time.perf_counter()
        cache.lookup_now(ask.text, lookup_scopes(ask), now=1)
        times.append((time.perf_counter() - started) * 1000)
    p50, p95 = percentile(times, 50), percentile(times, 95)
    yield f"{len(times)} lookups at {threshold:.2f}: p50 {p50:.2f} ms  p95 {p95:.2f} ms"


def _versions(tenants: Sequence[Tenant]) -> Callable[[], dict[str, str]]:
    """Every article, as `<tenant>/<article>` (how answers cite it), at one version: nothing is
    re-ingested during the sweep."""
    articles = {f"{t.id}/{a.id}": "v1" for t in tenants for a in read_articles(t.kb_dir)}
    return lambda: articles


if __name__ == "__main__":
    main()
