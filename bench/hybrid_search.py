"""Hybrid search at 10,000 chunks: the sparse-matrix BM25 (bm25s) against the pure-Python scan
it replaced, and the search's plumbing against what it was before, in one run.

    python bench/hybrid_search.py [--chunks 10000] [--rounds 5]

Builds a help centre of about `--chunks` chunks for one tenant from the shipped articles (both
storefronts'): copy n of an article keeps its headings and draws each section's sentences, with a
seeded generator, from its own and other articles' sentences, so the vocabulary and document
frequencies look like a real, larger help centre. The labelled development questions
(evals/datasets/kb_retrieval.jsonl) are the queries. It prints p50/p95 of

- the keyword search alone (BM25Index.search with the pool size a hybrid search asks for) and
  the index build (what every re-ingest costs on the next hybrid search), for the old scan
  (`ScanBM25Index` below, kept here only as the baseline) and bm25s,
- a whole hybrid search (KnowledgeBase.search_now: embed, Chroma query, BM25, fusion, passages)
  as it is, against the plumbing it had before (`PreviousKnowledgeBase` below: Chroma returned
  the nearest chunks' documents and metadata, and the keyword-only hits were fetched in a second
  call; now the passages come from the tenant's chunks held in memory and Chroma returns ids and
  distances only),
- a vector search (search_now without BM25), and Chroma's query alone (ids only) with and
  without a `where` tenant filter,

interleaved query by query, with old/new as a ratio, and checks both return the same rankings
(BM25: the same top ids; hybrid: the same passages, scores included).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

from switchboard.agents.context import Passage
from switchboard.agents.embeddings import StaticEmbedder
from switchboard.app.settings import REPO, Settings
from switchboard.app.shop.knowledge import KnowledgeBase, _distinct, _passage, read_articles
from switchboard.app.shop.tenants import load_tenants
from switchboard.patterns.chunking import Article, chunk_article, parse_article
from switchboard.patterns.hybrid_search import BM25Index, reciprocal_rank_fusion, terms

QUERIES = REPO / "evals" / "datasets" / "kb_retrieval.jsonl"
TENANT = "bench"
K = 4  # what the knowledge node asks for; a hybrid search pools k * 3 from each ranking


class ScanBM25Index:
    """The hand-written BM25 this repository used before bm25s: a Python loop over every document."""

    def __init__(self, documents: Mapping[str, str], k1: float = 1.5, b: float = 0.75) -> None:
        self._k1, self._b = k1, b
        self._tf = {doc_id: Counter(terms(text)) for doc_id, text in documents.items()}
        self._length = {doc_id: sum(tf.values()) for doc_id, tf in self._tf.items()}
        self._avg = sum(self._length.values()) / max(len(self._length), 1)
        containing = Counter(term for tf in self._tf.values() for term in tf)
        n = len(self._tf)
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in containing.items()}

    def search(self, query: str, limit: int) -> list[str]:
        wanted = set(terms(query))
        scored = [(self._score(doc_id, wanted), doc_id) for doc_id in self._tf]
        return [doc_id for score, doc_id in sorted(scored, reverse=True)[:limit] if score > 0]

    def _score(self, doc_id: str, wanted: set[str]) -> float:
        tf, norm = self._tf[doc_id], self._length[doc_id] / (self._avg or 1)
        return sum(
            self._idf[t] * tf[t] * (self._k1 + 1) / (tf[t] + self._k1 * (1 - self._b + self._b * norm))
            for t in wanted
            if t in tf
        )


class PreviousKnowledgeBase(KnowledgeBase):
    """The same knowledge base with hybrid search's plumbing as it was (same collection, same
    BM25 index): the vector query returns documents and metadata, keyword-only hits are fetched."""

    def _fused(self, query: str, k: int, pool: int, tenant: str) -> list[Passage]:
        found = self._nearest(query, pool, tenant)
        ids, docs = found["ids"][0], (found["documents"] or [[]])[0]
        metas, distances = (found["metadatas"] or [[]])[0], (found["distances"] or [[]])[0]
        rows = zip(ids, docs, metas, distances, strict=True)
        passages = {i: _passage(i, d, m, score=1 - dist) for i, d, m, dist in rows}
        fused = reciprocal_rank_fusion([ids, self._chunks(tenant).keywords.search(query, pool)])
        passages.update(self._passages([i for i in fused if i not in passages], tenant))
        return _distinct([passages[i] for i in fused if i in passages], k)


def sections(article: Article) -> list[tuple[str, list[str]]]:
    """(heading, sentences) of each section of an article's body."""
    found: list[tuple[str, list[str]]] = []
    for block in re.split(r"\n(?=## )", article.body):
        lines = block.strip().splitlines()
        heading = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("#") else article.title
        text = " ".join(line for line in lines if not line.startswith("#"))
        found.append((heading, [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]))
    return found


def synthetic(articles: list[Article], wanted_chunks: int, seed: int = 15) -> list[str]:
    """Article files (front matter and markdown) until their chunks number `wanted_chunks`."""
    rng = random.Random(seed)
    pool = [s for a in articles for _, ss in sections(a) for s in ss]
    files: list[str] = []
    chunks = 0
    while chunks < wanted_chunks:
        source = articles[len(files) % len(articles)]
        body = [f"# {source.title}"]
        for heading, own in sections(source):
            mixed = own + rng.sample(pool, k=max(1, len(own) // 2))
            rng.shuffle(mixed)
            body += ["", f"## {heading}", " ".join(mixed)]
        raw = f"---\nid: {source.id}-v{len(files)}\ntitle: {source.title}\n---\n" + "\n".join(body) + "\n"
        chunks += len(chunk_article(parse_article(raw, source.id)))
        files.append(raw)
    return files


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def line(name: str, old: list[float], new: list[float], labels: tuple[str, str] = ("scan", "bm25s")) -> str:
    def p(xs: list[float], q: float) -> float:
        return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]

    o50, n50 = statistics.median(old), statistics.median(new)
    a, b = labels
    return (
        f"{name:<28} {a:>6} p50 {o50:8.2f} ms  p95 {p(old, 0.95):8.2f} ms   "
        f"{b:>6} p50 {n50:7.2f} ms  p95 {p(new, 0.95):7.2f} ms   {a}/{b} {o50 / n50:6.1f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the questions")
    args = parser.parse_args()
    settings = Settings()
    shipped = [a for t in load_tenants(settings.tenants_dir) for a in read_articles(t.kb_dir)]
    questions = [json.loads(x)["question"] for x in QUERIES.read_text().splitlines() if x.strip()]
    embedder = StaticEmbedder(settings.embedding_model_dir)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "kb"
        folder.mkdir()
        for n, raw in enumerate(synthetic(shipped, args.chunks)):
            (folder / f"a{n:05d}.md").write_text(raw, encoding="utf-8")
        started = time.perf_counter()
        new_kb = KnowledgeBase.open(Path(tmp) / "chroma", "bench-hybrid", embedder)
        report = new_kb.ingest(folder, "shipped", TENANT)
        old_kb = PreviousKnowledgeBase.open(Path(tmp) / "chroma", "bench-hybrid", embedder)
        print(f"chunks: {report.chunks}  articles: {report.added}  ingest: {time.perf_counter() - started:.1f} s")
        docs_of = new_kb._indexes[TENANT].collection.get(include=["documents"])
        docs = dict(zip(docs_of["ids"], docs_of["documents"] or [], strict=True))
        builds: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(3):
            builds["old"].append(timed(lambda: ScanBM25Index(docs)))
            builds["new"].append(timed(lambda: BM25Index(docs)))
        old_index, new_index = ScanBM25Index(docs), BM25Index(docs)
        same = sum(old_index.search(q, K * 3) == new_index.search(q, K * 3) for q in questions)
        alike = sum(
            old_kb.search_now(q, K, hybrid=True, tenant=TENANT) == new_kb.search_now(q, K, hybrid=True, tenant=TENANT)
            for q in questions
        )
        keyword: dict[str, list[float]] = {"old": [], "new": []}
        hybrid: dict[str, list[float]] = {"old": [], "new": []}
        vector: list[float] = []
        filtered: dict[str, list[float]] = {"where": [], "none": []}
        vectors = {q: embedder.embed([q])[0] for q in questions}
        collection = new_kb._indexes[TENANT].collection
        for _ in range(args.rounds):
            for q in questions:
                keyword["old"].append(timed(lambda q=q: old_index.search(q, K * 3)))
                keyword["new"].append(timed(lambda q=q: new_index.search(q, K * 3)))
                hybrid["old"].append(timed(lambda q=q: old_kb.search_now(q, K, hybrid=True, tenant=TENANT)))
                hybrid["new"].append(timed(lambda q=q: new_kb.search_now(q, K, hybrid=True, tenant=TENANT)))
                vector.append(timed(lambda q=q: new_kb.search_now(q, K * 3, tenant=TENANT)))
                for key, where in (("where", {"tenant": TENANT}), ("none", None)):
                    ask = {"query_embeddings": [vectors[q]], "n_results": K * 3, "where": where, "include": []}
                    filtered[key].append(timed(lambda ask=ask: collection.query(**ask)))
    print(f"queries: {len(questions)} × {args.rounds}  same BM25 top-{K * 3} as the scan: {same}/{len(questions)}")
    print(line("keyword search (BM25 only)", keyword["old"], keyword["new"]))
    print(line("index build (after ingest)", builds["old"], builds["new"]))
    print(f"hybrid search: the same {K} passages (scores included) before and now: {alike}/{len(questions)}")
    print(line("hybrid search (search_now)", hybrid["old"], hybrid["new"], ("before", "now")))
    print(
        f"vector search (search_now of {K * 3}: embed, Chroma query with documents and metadata): "
        f"p50 {statistics.median(vector):.2f} ms"
    )
    where, none = statistics.median(filtered["where"]), statistics.median(filtered["none"])
    print(
        f"  Chroma query alone (ids only): the storefront's own collection p50 {none:.2f} ms; "
        f"the same with a `where` tenant filter (a collection shared by every storefront needs one) {where:.2f} ms"
    )


if __name__ == "__main__":
    main()
