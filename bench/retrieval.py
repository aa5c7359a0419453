"""Retrieval quality per chunking strategy, embedder and search mode, in one run.

    python bench/retrieval.py             # the 74 labelled development questions
    python bench/retrieval.py --holdout   # the held-out questions: spend it once, at the end

Each of the four strategies of patterns/chunking.py is indexed with each embedder (static
model2vec, contextual MiniLM on ONNX) into a temporary Chroma store, and every question is
asked by vector search and by hybrid search (vector + BM25, reciprocal rank fusion), each with and
without the reranking stage of patterns/rerank.py (`+rr`: the first 12 passages rescored). Scored on
the distinct articles in the order their passages come back:

    hit@n = share of questions whose labelled article is among the first n articles
    MRR   = mean of 1 / (rank of the labelled article), 0 when it is not in the first 12 passages

The "not in the help centre" floor (knowledge.REFUSE_BELOW, per embedder) is checked against the
best passage's vector score of every labelled question (false refusals: below the floor) and of
the questions in kb_unanswerable_dev.jsonl, which the help centre does not answer (false answers:
at or above it), with the floor this run's figures would tune.

Prints a table (with a keyword-overlap baseline measured in the same run) and writes a grouped
bar chart of hit@1 / hit@3 / MRR, an SVG drawn by this script (no plotting library), to
docs/retrieval.svg (docs/retrieval-holdout.svg with --holdout) unless --chart says otherwise.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from switchboard.agents.embeddings import Embedder, OnnxEmbedder, StaticEmbedder
from switchboard.app.settings import REPO, Settings
from switchboard.app.shop.knowledge import REFUSE_BELOW, KnowledgeBase, read_articles
from switchboard.app.shop.tenants import load_tenants
from switchboard.patterns.chunking import STRATEGIES

DATASETS = REPO / "evals" / "datasets"
UNANSWERABLE = DATASETS / "kb_unanswerable_dev.jsonl"  # questions the help centre does not answer
TENANT = "tidewater"  # the labelled questions ask about Tidewater's help centre
POOL = 12  # passages asked for; MRR counts an article found within them
# (name, hybrid, rerank): each search mode with and without patterns/rerank.py's second stage
MAX_REFUSALS = 0.02  # the share of answerable questions a floor may refuse (one of the 74)
FLOOR_GRID = [round(0.2 + 0.02 * i, 2) for i in range(31)]  # 0.20 … 0.80
MODES = (("vector", False, False), ("hybrid", True, False), ("vector+rr", False, True), ("hybrid+rr", True, True))


@dataclass(frozen=True)
class Score:
    hit1: float
    hit3: float
    mrr: float


@dataclass(frozen=True)
class Floor:
    """The "not in the help centre" floor of one strategy and embedder, on the best passage's cosine."""

    strategy: str
    embedder: str
    answerable: list[float]  # each labelled question's best vector score
    unanswerable: list[float]  # each unanswerable question's

    def rates(self, floor: float) -> tuple[float, float]:
        """(false refusals: answerable questions below the floor, false answers: unanswerable ones at or above it)."""
        refused = sum(s < floor for s in self.answerable) / len(self.answerable)
        answered = sum(s >= floor for s in self.unanswerable) / len(self.unanswerable)
        return refused, answered

    def tuned(self, max_refusals: float = MAX_REFUSALS) -> float:
        """The highest floor of the grid (fewest false answers) refusing at most `max_refusals`;
        0 (no floor) when even the grid's lowest refuses more (as on questions it was not tuned on)."""
        return max((f for f in FLOOR_GRID if self.rates(f)[0] <= max_refusals), default=0.0)


@dataclass(frozen=True)
class Row:
    strategy: str
    embedder: str
    mode: str
    chunks: int
    score: Score
    ingest_s: float
    search_ms: float  # p50 of one search (embed the question, query, fuse)


def score(ranked: list[list[str]], expected: list[str]) -> Score:
    """hit@1, hit@3 and MRR of ranked article lists against the labelled article of each."""
    ranks = [r.index(e) + 1 if e in r else 0 for r, e in zip(ranked, expected, strict=True)]
    n = len(expected)
    return Score(
        hit1=sum(r == 1 for r in ranks) / n,
        hit3=sum(0 < r <= 3 for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
    )


def articles_ranked(kb: KnowledgeBase, question: str, hybrid: bool, rerank: bool) -> list[str]:
    found = kb.search_now(question, POOL, hybrid, tenant=TENANT, rerank=rerank)
    return list(dict.fromkeys(p.source for p in found))


def best_score(kb: KnowledgeBase, question: str) -> float:
    return max((p.score for p in kb.search_now(question, 1, tenant=TENANT, rerank=False)), default=0.0)


def measure(
    strategy: str, label: str, embedder: Embedder, kb_dir: Path, cases: list[dict[str, str]], unanswerable: list[str]
) -> tuple[list[Row], Floor]:
    """Index the help centre with one strategy and embedder, ask every question every way, and
    take the best passage's score of every answerable and unanswerable question."""
    expected = [c["article"] for c in cases]
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase.open(Path(tmp), "bench-kb", embedder, chunking=strategy)
        started = time.perf_counter()
        chunks = kb.ingest(kb_dir, "shipped", TENANT).chunks
        took = time.perf_counter() - started
        rows = []
        for mode, hybrid, rerank in MODES:
            asks = [functools.partial(articles_ranked, kb, c["question"], hybrid, rerank) for c in cases]
            ranked, p50 = timed(asks)
            rows.append(Row(strategy, label, mode, chunks, score(ranked, expected), took, p50))
        scores = [best_score(kb, c["question"]) for c in cases], [best_score(kb, q) for q in unanswerable]
        return rows, Floor(strategy, label, *scores)


def timed(searches: list[Callable[[], list[str]]]) -> tuple[list[list[str]], float]:
    """Each search's result, and the median of their times in milliseconds."""
    results, took = [], []
    for search in searches:
        started = time.perf_counter()
        results.append(search())
        took.append((time.perf_counter() - started) * 1000)
    return results, statistics.median(took)


def throughput(embedder: Embedder, sentences: list[str]) -> float:
    """Sentences embedded per second, in one batch."""
    started = time.perf_counter()
    embedder.embed(sentences)
    return len(sentences) / (time.perf_counter() - started)


def keyword_baseline(kb_dir: Path, cases: list[dict[str, str]]) -> Score:
    """Articles ranked by how many of the question's longer words they contain."""
    bags = {a.id: _words(a.title + " " + a.body) for a in read_articles(kb_dir)}
    ranked = [_by_overlap(bags, _words(c["question"])) for c in cases]
    return score(ranked, [c["article"] for c in cases])


def _by_overlap(bags: dict[str, set[str]], words: set[str]) -> list[str]:
    return sorted(bags, key=lambda article: -len(words & bags[article]))


def _words(text: str) -> set[str]:
    return {w.strip(".,?!:;()\"'").lower() for w in text.split() if len(w) > 3}


def print_table(rows: list[Row], baseline: Score, questions: int) -> None:
    print(f"{questions} questions; hit@1 / hit@3 / MRR over distinct articles, {POOL} passages asked for")
    names = f"{'strategy':<9} {'embedder':<7} {'mode':<9} {'chunks':>6}"
    print(f"{names} {'hit@1':>6} {'hit@3':>6} {'MRR':>6} {'ingest':>8} {'search p50':>10}")
    for r in rows:
        s = r.score
        print(
            f"{r.strategy:<9} {r.embedder:<7} {r.mode:<9} {r.chunks:>6} "
            f"{s.hit1:>6.2f} {s.hit3:>6.2f} {s.mrr:>6.2f} {r.ingest_s:>7.2f}s {r.search_ms:>7.2f} ms"
        )
    print(f"{'keyword-overlap baseline':<32} {baseline.hit1:>6.2f} {baseline.hit3:>6.2f} {baseline.mrr:>6.2f}")


def print_floors(floors: list[Floor], unanswerable: int) -> None:
    print(
        f"not in the help centre: the best passage's cosine below a floor; {unanswerable} unanswerable "
        f"questions ({UNANSWERABLE.name}); tuned = the highest floor refusing at most {MAX_REFUSALS:.0%}"
    )
    print(f"{'strategy':<9} {'embedder':<7} {'floor':>6} {'false refusals':>15} {'false answers':>14} {'tuned':>6}")
    for f in floors:
        floor = REFUSE_BELOW[f.embedder]
        refused, answered = f.rates(floor)
        print(f"{f.strategy:<9} {f.embedder:<7} {floor:>6.2f} {refused:>15.2f} {answered:>14.2f} {f.tuned():>6.2f}")


def chart_svg(rows: list[Row], title: str) -> str:
    """A grouped bar chart: one group per strategy × embedder × mode, three bars each."""
    bar, gap, height, top, left = 9, 14, 220, 40, 40
    colours = {"hit@1": "#2b6cb0", "hit@3": "#68d391", "MRR": "#ed8936"}
    width = left + len(rows) * (3 * bar + gap) + 80  # room for the last slanted label
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + height + 110}" '
        f'font-family="sans-serif" font-size="11">',
        f'<text x="{left}" y="20" font-size="14">{escape(title)}</text>',
    ]
    parts += _axis(left, top, height, width)
    for n, row in enumerate(rows):
        x = left + 10 + n * (3 * bar + gap)
        label = f"{row.strategy} {row.embedder} {row.mode}"
        values = (row.score.hit1, row.score.hit3, row.score.mrr)
        for i, (name, value) in enumerate(zip(colours, values, strict=True)):
            h = value * height
            parts.append(
                f'<rect x="{x + i * bar}" y="{top + height - h:.1f}" width="{bar - 1}" height="{h:.1f}" '
                f'fill="{colours[name]}"><title>{escape(f"{label} {name} {value:.2f}")}</title></rect>'
            )
        parts.append(f'<text transform="translate({x + bar},{top + height + 8}) rotate(60)">{escape(label)}</text>')
    for i, (name, colour) in enumerate(colours.items()):
        parts.append(f'<rect x="{width - 220 + i * 70}" y="10" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{width - 206 + i * 70}" y="19">{name}</text>')
    return "\n".join([*parts, "</svg>", ""])


def _axis(left: int, top: int, height: int, width: int) -> list[str]:
    """Horizontal grid lines at 0, 0.25, … 1 with their labels."""
    lines = []
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + height - tick * height
        lines.append(f'<line x1="{left}" y1="{y}" x2="{width - 10}" y2="{y}" stroke="#ddd"/>')
        lines.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{tick:g}</text>')
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holdout", action="store_true", help="the held-out questions (spend once)")
    parser.add_argument("--chart", type=Path, help="where the SVG goes (default docs/retrieval[-holdout].svg)")
    args = parser.parse_args()
    name = "kb_retrieval_holdout" if args.holdout else "kb_retrieval"
    lines = (DATASETS / f"{name}.jsonl").read_text().splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    settings = Settings()
    kb_dir = load_tenants(settings.tenants_dir)[TENANT].kb_dir
    embedders: dict[str, Embedder] = {
        "static": StaticEmbedder(settings.embedding_model_dir),
        "onnx": OnnxEmbedder(settings.kb_embedding_model_dir),
    }  # uncached, so every strategy's ingest and search pay their own embedding
    unanswerable = [json.loads(line)["question"] for line in UNANSWERABLE.read_text().splitlines() if line.strip()]
    measured = [measure(s, e, emb, kb_dir, cases, unanswerable) for s in STRATEGIES for e, emb in embedders.items()]
    rows = [row for found, _ in measured for row in found]
    print_table(rows, keyword_baseline(kb_dir, cases), len(cases))
    print_floors([floor for _, floor in measured], len(unanswerable))
    sentences = [c["question"] for c in cases] * 10
    for label, embedder in embedders.items():
        per_s = throughput(embedder, sentences)
        print(f"embedding throughput, {label}: {per_s:,.0f} sentences/s ({len(sentences)}, one batch)")
    chart = args.chart or REPO / "docs" / ("retrieval-holdout.svg" if args.holdout else "retrieval.svg")
    chart.parent.mkdir(parents=True, exist_ok=True)
    chart.write_text(chart_svg(rows, f"Retrieval on {name} ({len(cases)} questions): hit@1, hit@3, MRR"))
    print(f"chart: {chart}")


if __name__ == "__main__":
    main()
