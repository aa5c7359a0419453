"""The 200-customer load against one replica and against two on shared services, same run.

    python bench/scale_out.py [--users 200] [--seconds 20] [--ramp 5] [--chaos calm] [--no-chroma] [--no-redis]

Starts a real Postgres, `chroma run` and `redis-server` on free loopback ports (the starters of
tests/services/), then plays bench/load.py's customers three times, each on a fresh database:

1. one replica on the embedded default (SQLite and an embedded Chroma in its data folder);
2. one replica on the shared services;
3. two replicas on the shared services, one session secret, the customers spread over them
   and each kept on one (sticky per customer, as the proxy in docker-compose.yml would).

Each phase prints bench/load.py's report (turns/s, latency, lost messages, server errors,
tracebacks, leaks), then a table sets them side by side with the ratios two/one (throughput) and
Postgres/SQLite (turn latency). Every replica runs `switchboard serve` with one worker, and every
process here (the replicas, Postgres, Chroma, Redis and the customers' client) shares this
machine's cores: on 2 cores, a second replica adds processes, not cores. Exits 1 if a phase
lost a message or answered with a server error. Loopback only; every phase is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from live_server import LiveServer, seed_customers
from load import Tally, conversations_of, customer, failed, lost_messages, personal_data, report

from switchboard.app.runs.metrics import percentile

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the replica helpers and service starters live beside the tests

from tests.app.scale.replicas import Database, Services, Shared, shared_services  # noqa: E402


@dataclass(frozen=True)
class Load:
    users: int
    seconds: float
    ramp: float
    chaos: str


@dataclass(frozen=True)
class Phase:
    name: str
    tally: Tally

    def turns_per_s(self) -> float:
        return len(self.tally.record_ms) / self.tally.elapsed_s if self.tally.elapsed_s else 0.0

    def latency(self, q: float) -> float:
        return percentile(self.tally.record_ms, q) or 0.0


@contextmanager
def replicas(scratch: Path, environment: dict[str, str], count: int) -> Iterator[list[LiveServer]]:
    """`count` replicas with the same settings, each with a data folder of its own."""
    with ExitStack() as stack:
        yield [stack.enter_context(LiveServer(scratch / f"replica-{n}", **environment)) for n in range(count)]


def prepare(servers: list[LiveServer], chaos: str) -> None:
    """Every switch on and the chaos preset, on each replica (a board not shared yet is per process)."""
    for server in servers:
        server.operator("PATCH", "/api/flags", {"preset": "all-on"})
        server.operator("PATCH", "/api/chaos", {"preset": chaos})


async def play(name: str, servers: list[LiveServer], load: Load) -> Phase:
    """bench/load.py's customers, customer n on replica n mod len(servers) for the whole run."""
    prepare(servers, load.chaos)
    tally, people = Tally(), personal_data()
    ids = [c["id"] for c in seed_customers()]
    until = time.monotonic() + load.ramp + load.seconds
    started = time.monotonic()

    async def arrive(n: int) -> None:
        await asyncio.sleep(load.ramp * n / load.users)  # customers arrive over the ramp
        await customer(servers[n % len(servers)], ids[n % len(ids)], until, n, tally, people)

    await asyncio.gather(*(arrive(n) for n in range(load.users)))
    tally.elapsed_s = time.monotonic() - started
    # Any replica reads every conversation: they share one database.
    tally.lost = await lost_messages(servers[0], tally, await conversations_of(servers[0]))
    tally.tracebacks = [t for server in servers for t in server.tracebacks()]
    print(f"\n== {name}")
    report(tally, load.users, load.chaos, {})
    return Phase(name, tally)


async def phase(name: str, scratch: Path, environment: dict[str, str], count: int, load: Load) -> Phase:
    with replicas(scratch, environment, count) as servers:
        return await play(name, servers, load)


def on_fresh_database(shared: Shared, database: Database) -> dict[str, str]:
    """The shared services' settings, on a database no earlier phase wrote to."""
    fresh = Shared(database.server.fresh_database(), shared.chroma_url, shared.redis_url)
    return fresh.environment()


async def main(load: Load, services: Services) -> int:
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="switchboard-scale-")))
        shared, database = stack.enter_context(shared_services(scratch, services))
        embedded = await phase("one replica, embedded (SQLite)", scratch / "embedded", {}, 1, load)
        one = await phase("one replica, shared", scratch / "one", on_fresh_database(shared, database), 1, load)
        two = await phase("two replicas, shared", scratch / "two", on_fresh_database(shared, database), 2, load)
    summarise([embedded, one, two], services)
    return 1 if any(failed(p.tally) for p in (embedded, one, two)) else 0


def summarise(phases: list[Phase], services: Services) -> None:
    embedded, one, two = phases
    print(f"\n== side by side (shared: Postgres{services.describe()}; loopback, one worker a replica)")
    for p in phases:
        t = p.tally
        print(
            f"{p.name:32} {p.turns_per_s():6.1f} turns/s  p50 {p.latency(50):6.0f} ms  p95 {p.latency(95):6.0f} ms"
            f"  lost {t.lost}  server errors {t.server_errors()}  tracebacks {len(t.tracebacks)}"
        )
    print(f"throughput two replicas / one: {two.turns_per_s() / max(one.turns_per_s(), 1e-9):.2f}x")
    p50, p95 = (one.latency(q) / max(embedded.latency(q), 1e-9) for q in (50, 95))
    print(f"turn latency shared services / embedded default, one replica: p50 {p50:.2f}x  p95 {p95:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds over which the customers arrive")
    parser.add_argument("--chaos", default="calm")
    parser.add_argument("--no-chroma", action="store_true", help="the embedded Chroma in each replica")
    parser.add_argument("--no-redis", action="store_true", help="leave SWITCHBOARD_REDIS_URL empty")
    args = parser.parse_args()
    chosen = Services(chroma=not args.no_chroma, redis=not args.no_redis)
    sys.exit(asyncio.run(main(Load(args.users, args.seconds, args.ramp, args.chaos), chosen)))
