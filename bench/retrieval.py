"""Retrieval quality and embedding speed on the labelled help-centre questions.

    python bench/retrieval.py

Prints hit@1 / hit@3 (is the article that answers the question the first / among the first
three distinct articles retrieved) and the embedder's throughput, against a plain keyword
baseline (token overlap) measured in the same run.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from switchboard.agents.embeddings import StaticEmbedder
from switchboard.app.settings import REPO, Settings
from switchboard.app.shop.knowledge import KnowledgeBase, read_articles
from switchboard.app.shop.tenants import load_tenants

QUERIES = REPO / "evals" / "datasets" / "kb_retrieval.jsonl"
TENANT = "tidewater"  # the labelled questions ask about Tidewater's help centre


def articles_ranked(kb: KnowledgeBase, question: str, hybrid: bool = False, k: int = 12) -> list[str]:
    return list(dict.fromkeys(p.source for p in kb.search_now(question, k, hybrid, tenant=TENANT)))


def keyword_ranked(articles: dict[str, set[str]], question: str) -> list[str]:
    words = _words(question)
    return sorted(articles, key=lambda a: -len(words & articles[a]))


def _words(text: str) -> set[str]:
    return {w.strip(".,?!:;()\"'").lower() for w in text.split() if len(w) > 3}


def hits(ranked: list[list[str]], expected: list[str], n: int) -> float:
    return sum(e in r[:n] for r, e in zip(ranked, expected, strict=True)) / len(expected)


def main() -> None:
    settings = Settings()
    cases = [json.loads(line) for line in QUERIES.read_text().splitlines() if line.strip()]
    embedder = StaticEmbedder(settings.embedding_model_dir)
    kb_dir = load_tenants(settings.tenants_dir)[TENANT].kb_dir
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase.open(Path(tmp), "bench-kb", embedder)
        started = time.perf_counter()
        report = kb.ingest(kb_dir, "shipped", TENANT)
        ingest_s = time.perf_counter() - started
        vector = [articles_ranked(kb, c["question"]) for c in cases]
        hybrid = [articles_ranked(kb, c["question"], hybrid=True) for c in cases]
        latencies = []
        for c in cases:
            t = time.perf_counter()
            kb.search_now(c["question"], 4, tenant=TENANT)
            latencies.append((time.perf_counter() - t) * 1000)
    bag = {a.id: _words(a.title + " " + a.body) for a in read_articles(kb_dir)}
    keyword = [keyword_ranked(bag, c["question"]) for c in cases]
    expected = [c["article"] for c in cases]
    sentences = [c["question"] for c in cases] * 40
    t = time.perf_counter()
    embedder.embed(sentences)
    per_s = len(sentences) / (time.perf_counter() - t)
    print(f"questions: {len(cases)}  articles: {len(bag)}  chunks: {report.chunks}  ingest: {ingest_s:.2f} s")
    print(f"vector (static MiniLM)   hit@1 {hits(vector, expected, 1):.2f}  hit@3 {hits(vector, expected, 3):.2f}")
    print(f"keyword overlap baseline hit@1 {hits(keyword, expected, 1):.2f}  hit@3 {hits(keyword, expected, 3):.2f}")
    print(f"hybrid (vector + BM25, RRF) hit@1 {hits(hybrid, expected, 1):.2f}  hit@3 {hits(hybrid, expected, 3):.2f}")
    print(f"search (embed + query, k=4): p50 {statistics.median(latencies):.2f} ms")
    print(f"embedding throughput: {per_s:,.0f} sentences/s ({len(sentences)} sentences, one batch)")
    misses = [
        (c["question"], c["article"], v[:3]) for c, v in zip(cases, vector, strict=True) if c["article"] not in v[:3]
    ]
    for question, article, got in misses:
        print(f"  miss@3: {question!r} -> want {article}, got {got}", file=sys.stderr)


if __name__ == "__main__":
    main()
