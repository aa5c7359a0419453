"""What rate_limit's check costs a message: p50 and p99 in µs, against a no-op in the same run.

    python bench/rate_limit.py                        20 000 checks over 1 000 customers
    python bench/rate_limit.py --checks 50000 --customers 200
    python bench/rate_limit.py --redis-url redis://127.0.0.1:6379/0   a running Redis (else one is started)

The check is what the chat route awaits before a turn begins (CustomerLimits.admit: the tokens
window tested, a message taken from the moving window), on `limits`' in-memory storage, with the
settings' default limits (20 messages, 100 000 tokens a minute). Each check is timed beside an
awaited no-op with the same arguments, interleaved in one event loop, so that the loop's and the
timer's own cost shows in the baseline and not as the limiter's. Two cases:

- admitted: customers in turn, each sending at most their limit, so every check lets the message in;
- refused: one customer already at their limit, so every check also reads the window's reset.

Both cases run twice, on the in-memory storage and on `limits`' Redis storage as the app builds it
when SWITCHBOARD_REDIS_URL is set (services.rate_limit_storage, one client): the Redis rows are
what sharing the counts between replicas costs a message, a round trip or two on loopback. Without
--redis-url the bench starts Debian's redis-server on a free loopback port and stops it after.

The goal (issue 14) is at most 50 µs for the in-memory check.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from limits.aio.storage import Storage
from local_redis import local_redis
from microseconds import p, row
from redis.asyncio import Redis

from switchboard.app.services import rate_limit_storage
from switchboard.app.settings import Settings
from switchboard.patterns.rate_limit import CustomerLimits, Refusal

Check = Callable[[str, str], Awaitable[Refusal | None]]


async def noop(tenant: str, customer: str) -> Refusal | None:
    return None


async def timed(check: Check, tenant: str, customer: str) -> float:
    start = time.perf_counter_ns()
    await check(tenant, customer)
    return (time.perf_counter_ns() - start) / 1000


async def interleaved(limits: CustomerLimits, keys: list[str], checks: int) -> tuple[list[float], list[float]]:
    """Check and no-op in turn, over `keys` round-robin."""
    baseline: list[float] = []
    measured: list[float] = []
    for number in range(checks):
        customer = keys[number % len(keys)]
        baseline.append(await timed(noop, "tidewater", customer))
        measured.append(await timed(limits.admit, "tidewater", customer))
    return baseline, measured


async def cases(limits: CustomerLimits, per_minute: int, keys: list[str], checks: int) -> dict[str, list[float]]:
    """The no-op, admitted and refused timings of one storage."""
    baseline, admitted = await interleaved(limits, keys, checks)
    for _ in range(per_minute):  # one customer at their limit
        assert await limits.admit("tidewater", "full") is None
    _, refused = await interleaved(limits, ["full"], checks)
    assert await limits.admit("tidewater", "full") is not None
    return {"no-op (baseline)": baseline, "check, admitted": admitted, "check, refused": refused}


async def main(checks: int, customers: int, redis_url: str) -> None:
    settings = Settings()
    per_minute = settings.rate_limit_messages_per_minute
    if checks > customers * per_minute:
        raise SystemExit(f"--checks at most {customers * per_minute}: beyond that the 'admitted' case refuses")
    keys = [f"C{n}" for n in range(customers)]
    print(
        f"{checks} checks, {customers} customers, {per_minute} messages and "
        f"{settings.rate_limit_tokens_per_minute} tokens a minute each"
    )
    client = Redis.from_url(redis_url)
    await client.flushdb()
    storages: dict[str, Storage] = {
        "memory": rate_limit_storage("", None),
        "redis": rate_limit_storage(redis_url, client),
    }
    timings = {}
    for name, storage in storages.items():
        limits = CustomerLimits(per_minute, settings.rate_limit_tokens_per_minute, storage)
        timings[name] = await cases(limits, per_minute, keys, checks)
    await client.aclose()
    for name, rows in timings.items():
        print(f"{name} storage")
        for label, samples in rows.items():
            print(row(f"  {label}", samples))
    over = {name: p(rows["check, admitted"], 50) - p(rows["no-op (baseline)"], 50) for name, rows in timings.items()}
    print(f"admitted check's p50 over the no-op: memory {over['memory']:.1f} µs (goal ≤ 50 µs), ", end="")
    print(f"redis {over['redis']:.1f} µs")
    memory, redis = (p(timings[n]["check, admitted"], 50) for n in ("memory", "redis"))
    print(f"redis / memory, admitted p50: {redis / memory:.1f}×")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--redis-url", default="", help="a running Redis to use (emptied!); default: start one")
    args = parser.parse_args()
    if args.redis_url:
        asyncio.run(main(args.checks, args.customers, args.redis_url))
    else:
        with local_redis() as url:
            asyncio.run(main(args.checks, args.customers, url))
