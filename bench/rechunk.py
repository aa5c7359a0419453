"""What a live change of chunking strategy costs: the time to cut the shipped help centre again
(both storefronts, the chaos panel's articles too, as the app indexes them) and what a search
pays while the rebuild runs.

    python bench/rechunk.py            # the static embedder (the default)
    python bench/rechunk.py --onnx     # the contextual MiniLM on ONNX as well

For each embedder and strategy, in one run and one temporary Chroma store per row:

    cold ingest   the articles ingested into an empty store with that strategy (the baseline)
    live switch   KnowledgeBase.rechunk from a `heading` index to it (to `heading` from a
                  `sentence` one), the old index serving
    ratio         live switch / cold ingest
    search p50    a vector search's p50 while nothing else runs, then while the switch runs
                  (the searches are those of the switch's own thread's lifetime)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from switchboard.agents.embeddings import Embedder, OnnxEmbedder, StaticEmbedder
from switchboard.app.services import shipped_folders
from switchboard.app.settings import Settings
from switchboard.app.shop.knowledge import Folders, KnowledgeBase
from switchboard.app.shop.tenants import load_tenants
from switchboard.patterns.chunking import STRATEGIES

QUESTIONS = ("What is your return policy for tents?", "how do I break in new boots", "is the stove safe indoors")
IDLE_SEARCHES = 30
FROM = {"heading": "sentence"}  # the index a switch to each strategy starts from (heading's own: from sentence)


@dataclass(frozen=True)
class Row:
    embedder: str
    strategy: str
    articles: int
    chunks: int
    cold_s: float
    live_s: float
    idle_ms: float
    during_ms: float
    searches_during: int


def fed(store: Path, embedder: Embedder, folders: Folders, chunking: str) -> tuple[KnowledgeBase, float]:
    kb = KnowledgeBase.open(store, "bench-kb", embedder, chunking=chunking)
    start = time.perf_counter()
    for tenant, sources in folders.items():
        for source, folder in sources.items():
            kb.ingest(folder, source, tenant)
    return kb, time.perf_counter() - start


def search_ms(kb: KnowledgeBase, until: Callable[[], bool], most: int = 100_000) -> list[float]:
    """Vector searches, round-robin over QUESTIONS, each timed, while `until()` is false (at most `most`)."""
    times: list[float] = []
    while not until() and len(times) < most:
        start = time.perf_counter()
        kb.search_now(QUESTIONS[len(times) % len(QUESTIONS)], 4, tenant="tidewater")
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(label: str, embedder: Embedder, folders: Folders, strategy: str, root: Path) -> Row:
    cold, cold_s = fed(root / f"cold-{label}-{strategy}", embedder, folders, strategy)
    kb, _ = fed(root / f"live-{label}-{strategy}", embedder, folders, FROM.get(strategy, "heading"))
    idle = search_ms(kb, lambda: False, IDLE_SEARCHES)
    done = threading.Event()
    took: list[float] = []

    def switch() -> None:
        start = time.perf_counter()
        kb.rechunk(strategy, folders)
        took.append(time.perf_counter() - start)
        done.set()

    builder = threading.Thread(target=switch)
    builder.start()
    during = search_ms(kb, done.is_set)
    builder.join()
    articles = len(kb.versions())
    if (kb.count(), articles) != (cold.count(), len(cold.versions())):  # the switch must build what an ingest does
        raise SystemExit(f"{label}/{strategy}: switched {kb.count()} chunks, ingested {cold.count()}")
    return Row(label, strategy, articles, kb.count(), cold_s, took[0], statistics.median(idle),
               statistics.median(during) if during else float("nan"), len(during))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onnx", action="store_true", help="also with the contextual MiniLM on ONNX (slower)")
    args = parser.parse_args()
    settings = Settings()
    folders = shipped_folders(load_tenants(settings.tenants_dir))
    # Uncached embedders: a cache warmed by the cold ingest would flatter the live switch.
    embedders: list[tuple[str, Embedder]] = [("static", StaticEmbedder(settings.embedding_model_dir))]
    if args.onnx:
        embedders.append(("onnx", OnnxEmbedder(settings.kb_embedding_model_dir)))
    print("| embedder | strategy | articles | chunks | cold ingest | live switch | ratio", end=" ")
    print("| search p50 idle → during (n) |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for label, embedder in embedders:
            for strategy in STRATEGIES:
                r = measure(label, embedder, folders, strategy, Path(tmp))
                print(
                    f"| {r.embedder} | {r.strategy} | {r.articles} | {r.chunks} | {r.cold_s:.2f} s | {r.live_s:.2f} s "
                    f"| ×{r.live_s / r.cold_s:.2f} | {r.idle_ms:.1f} → {r.during_ms:.1f} ms ({r.searches_during}) |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
