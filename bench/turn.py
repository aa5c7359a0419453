"""What the app adds to a turn, with the demo model at zero latency.

    python bench/turn.py [--turns 200] [--concurrency 16] [--pause-ms 0]
                         [--database-url URL] [--redis-url URL] [--shared]

Plays turns through the same path the browser uses (TurnRunner: store, graph, gateway, record)
and, in the same run, the bare model calls the turn makes (the gateway with no graph, stores or
records). With the model instant, the turn's time is what the app adds; the difference between
the two is what the orchestration (graph, stores, retrieval, recording) costs. Prints p50/p95,
the CPU a turn costs, what it asks of the database (statements by kind, commits, the LangGraph
checkpointer's writes: counted by listeners, so they are figures of the code, not of the
machine), and the throughput of `--concurrency` customers each playing turns at once.
The flags are the board's defaults: every built switch on. `--pause-ms` waits that long between
one customer's turns (a customer reading and typing; not part of any figure): past the spend
ledger's flush delay (SWITCHBOARD_BUDGET_FLUSH_MS), a turn's last charge is written on its own
rather than by the next turn's first check.

`--database-url` plays them on that database (data and checkpoints) instead of the embedded
SQLite, `--redis-url` with that Redis for what replicas share. `--shared` (or its older name
`--postgres`) starts a real Postgres and a real Redis on loopback (tests/services/) and plays the
same turns three times in one run: on the embedded default, on Postgres, and on Postgres + Redis
(what a scaled-out replica runs on), printing each one's ratio to the embedded default.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from sqlalchemy import event

from switchboard.agents.llm.types import ChatRequest
from switchboard.app.runs.metrics import percentile
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings

QUESTIONS = [
    "where is my order?",
    "how do I return a tent?",
    "and when will the refund arrive?",
    "how many points do I have?",
    "do you ship to Canada?",
]
CUSTOMERS = ["C1001", "C1002", "C1003", "C1004"]


async def conversation_of(
    services: Services, customer: str, turns: int, pause_s: float = 0.0
) -> tuple[list[float], list[float]]:
    """One customer's turns, a new conversation every len(QUESTIONS), `pause_s` between them:
    (totals, ttfts) in ms."""
    totals, ttfts = [], []
    for n in range(turns):
        if n and pause_s:
            await asyncio.sleep(pause_s)
        if n % len(QUESTIONS) == 0:
            conversation = await services.conversations.create(customer)
        async for said in services.turns.play(conversation.id, customer, QUESTIONS[n % len(QUESTIONS)]):
            if said.kind == "done":
                totals.append(said.data["total_ms"])
                ttfts.append(said.data["ttft_ms"])
    return totals, ttfts


@contextmanager
def counted(services: Services) -> Iterator[Counter[str]]:
    """Statements by first word, commits, and checkpointer writes, while the block runs."""
    counts: Counter[str] = Counter()

    def statement(_c: Any, _cur: Any, sql: str, _p: Any, _ctx: Any, _many: bool) -> None:
        counts[sql.split(None, 1)[0].upper()] += 1

    def commit(_c: Any) -> None:
        counts["commits"] += 1

    engine = services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    savers = (AsyncSqliteSaver, AsyncPostgresSaver)
    originals = {(saver, name): getattr(saver, name) for saver in savers for name in ("aput", "aput_writes")}
    for (saver, name), original in originals.items():
        setattr(saver, name, _counting(original, counts, f"checkpointer.{name}"))
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
        for (saver, name), original in originals.items():
            setattr(saver, name, original)


def _counting(original: Any, counts: Counter[str], name: str) -> Any:
    async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return await original(self, *args, **kwargs)

    return call


async def main(
    turns: int, concurrency: int, database_url: str = "", redis_url: str = "", pause_s: float = 0.0
) -> tuple[float, float]:
    """Plays and prints the figures on `database_url` (empty: the embedded SQLite) and `redis_url`
    (empty: nothing shared); returns the one-at-a-time turn latency's p50 and p95, in ms."""
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp()),
        demo_ttft_ms=0,
        demo_tokens_per_s=0,
        database_url=database_url,
        redis_url=redis_url,
    )
    where = database_url.split("@")[-1] if database_url else "the embedded SQLite"
    print(f"== on {where}" + (f" with Redis at {redis_url.split('//')[-1]}" if redis_url else ""))
    async with running_services(settings) as services:
        await conversation_of(services, "C1001", len(QUESTIONS))  # warm: caches, first statements compiled
        cpu = time.process_time()
        with counted(services) as counts:
            totals, ttfts = await conversation_of(services, "C1001", turns, pause_s)
            await services.spend.settled()
        cpu_ms = (time.process_time() - cpu) * 1000 / turns
        bare = []
        request = ChatRequest([{"role": "user", "content": "where is my order?"}], "demo-large")
        for _ in range(turns):
            started = time.perf_counter()
            await services.gateway.complete(request, purpose="bench")
            bare.append((time.perf_counter() - started) * 1000)
        each = max(1, turns // concurrency)
        started = time.perf_counter()
        played = await asyncio.gather(
            *(conversation_of(services, CUSTOMERS[n % len(CUSTOMERS)], each, pause_s) for n in range(concurrency))
        )
        wall = time.perf_counter() - started
    print(f"turns: {turns} (demo model at zero latency; 2 model calls + tools or retrieval per turn)")
    print(f"app-added latency per turn: p50 {percentile(totals, 50):.2f} ms  p95 {percentile(totals, 95):.2f} ms")
    print(f"app-added time to first token: p50 {percentile(ttfts, 50):.2f} ms  p95 {percentile(ttfts, 95):.2f} ms")
    print(f"CPU per turn (whole process, one at a time): {cpu_ms:.2f} ms")
    print("per turn: " + ", ".join(f"{name} {n / turns:.2f}" for name, n in sorted(counts.items())))
    print(f"one bare gateway call (baseline): p50 {statistics.median(bare):.2f} ms")
    print(f"turn / bare call: {statistics.median(totals) / statistics.median(bare):.1f}x")
    under_load = [ms for totals, _ in played for ms in totals]
    print(
        f"concurrency {concurrency}: {len(under_load) / wall:.1f} turns/s "
        f"({len(under_load)} turns in {wall:.2f} s), latency p50 {percentile(under_load, 50):.1f} ms "
        f"p95 {percentile(under_load, 95):.1f} ms"
    )
    return percentile(totals, 50) or 0.0, percentile(totals, 95) or 0.0


async def versus_shared(turns: int, concurrency: int) -> None:
    """The same turns on the embedded default, on a real Postgres, then on Postgres and Redis."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the starters live beside the tests
    from tests.services.postgres import postgres_missing, running_postgres
    from tests.services.redis import running_redis

    if reason := postgres_missing():
        raise SystemExit(reason)
    embedded = await main(turns, concurrency)
    with (
        tempfile.TemporaryDirectory(prefix="switchboard-pg-") as folder,
        running_postgres(Path(folder)) as server,
        running_redis(Path(folder)) as redis_url,
    ):
        postgres = await main(turns, concurrency, server.fresh_database())
        shared = await main(turns, concurrency, server.fresh_database(), redis_url)
    for name, figures in (("Postgres", postgres), ("Postgres + Redis", shared)):
        p50, p95 = (ms / max(base, 1e-9) for ms, base in zip(figures, embedded, strict=True))
        print(f"app-added latency per turn, {name} / embedded SQLite: p50 {p50:.2f}x  p95 {p95:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pause-ms", type=float, default=0.0, help="wait between one customer's turns")
    parser.add_argument("--database-url", default="", help="e.g. postgresql+asyncpg://user@127.0.0.1:5432/db")
    parser.add_argument("--redis-url", default="", help="e.g. redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--shared", "--postgres", action="store_true", help="start Postgres and Redis; compare with embedded"
    )
    arguments = parser.parse_args()
    if arguments.shared:
        asyncio.run(versus_shared(arguments.turns, arguments.concurrency))
    else:
        asyncio.run(
            main(
                arguments.turns,
                arguments.concurrency,
                arguments.database_url,
                arguments.redis_url,
                arguments.pause_ms / 1000,
            )
        )
