"""What sharing breakers and the retry budget through Redis costs (app/shared/resilience.py).

    python bench/shared_breakers.py                  200 000 calls, 300 open/close rounds
    python bench/shared_breakers.py --calls 50000 --rounds 100

Starts Debian's `redis-server` on a free loopback port (no persistence) and stops it at the end.
Then, in one run:

1. per call: the path the gateway takes on every call (budget deposit, breaker admit, permit
   settled), timed in batches on a breaker and budget alone and on ones watched by a running
   mirror, interleaved. The mirror only hears state changes, so the two should match;
2. propagation: two replicas' mirrors (their own client each, both running, in this one event
   loop), on one Redis. Replica one's breaker is opened by failures and closed by its probe
   `rounds` times; the time from its change to replica two's breaker adopting it is measured
   (the Lua write, the PUBLISH and the subscriber's apply), beside a plain PING round-trip in
   the same run;
3. the retry budget's sync, one pipeline round-trip every 0.5 s per replica: its time.

Prints p50/p99/mean rows in µs. Loopback only; bounded (a few seconds at the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable

from local_redis import local_redis
from microseconds import p, row
from redis.asyncio import Redis

from switchboard.agents.llm.resilience import Policies
from switchboard.app.shared.resilience import BreakerRecord, ResilienceSync
from switchboard.patterns.circuit_breaker import CircuitBreaker
from switchboard.patterns.retry_budget import RetryBudget

BATCH = 1000  # calls timed together: one call alone is below the timer's resolution


class Clock:
    """The breakers' clock, moved by hand so each round's open period ends at once."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def policies(clock: Clock) -> Policies:
    return Policies(
        budget=RetryBudget(),
        make_breaker=lambda: CircuitBreaker(window=10, min_calls=4, reset_after=30, probes=1, clock=clock),
    )


def one_call(held: Policies) -> None:
    held.budget.on_request()
    permit = held.breaker("primary").admit()
    assert permit is not None
    permit.succeeded()


def per_call_us(held: Policies) -> float:
    start = time.perf_counter_ns()
    for _ in range(BATCH):
        one_call(held)
    return (time.perf_counter_ns() - start) / 1000 / BATCH


async def per_call(url: str, calls: int) -> tuple[list[float], list[float]]:
    client = Redis.from_url(url)
    alone, watched = policies(Clock()), policies(Clock())
    sync = ResilienceSync(client, watched, ["primary"], replica="bench-calls")
    await sync.start()
    running = asyncio.create_task(sync.run())
    plain: list[float] = []
    mirrored: list[float] = []
    for _ in range(calls // BATCH):
        plain.append(per_call_us(alone))
        mirrored.append(per_call_us(watched))
        await asyncio.sleep(0)  # let the mirror's loops run between batches, as between turns
    running.cancel()
    await sync.close()
    await client.aclose()
    return plain, mirrored


async def propagation(url: str, rounds: int) -> dict[str, list[float]]:
    clock = Clock()
    clients = [Redis.from_url(url), Redis.from_url(url)]
    one, two = policies(clock), policies(clock)
    heard: asyncio.Queue[tuple[BreakerRecord, int]] = asyncio.Queue()
    sync_one = ResilienceSync(clients[0], one, ["primary"], replica="one", wall=clock)
    sync_two = ResilienceSync(clients[1], two, ["primary"], replica="two", wall=clock)
    sync_two.breakers.on_applied = lambda record: heard.put_nowait((record, time.perf_counter_ns()))
    for sync in (sync_one, sync_two):
        await sync.start()
    tasks = [asyncio.create_task(sync.run()) for sync in (sync_one, sync_two)]
    latencies: dict[str, list[float]] = {"open": [], "closed": [], "ping": [], "budget sync": []}
    for _ in range(rounds):
        await timed_change(lambda: fail(one, 4), "open", heard, latencies["open"])
        clock.now += 30
        await timed_change(lambda: succeed(one), "closed", heard, latencies["closed"])
        latencies["ping"].append(await timed_await(clients[0].ping))
        latencies["budget sync"].append(await timed_await(sync_one.budget.sync))
    for task in tasks:
        task.cancel()
    for sync, client in zip((sync_one, sync_two), clients, strict=True):
        await sync.close()
        await client.aclose()
    return latencies


async def timed_change(
    change: Callable[[], None], state: str, heard: asyncio.Queue[tuple[BreakerRecord, int]], into: list[float]
) -> None:
    """Make the change on replica one; wait (bounded) until replica two has adopted `state`."""
    start = time.perf_counter_ns()
    change()
    while True:
        record, at = await asyncio.wait_for(heard.get(), timeout=10)
        if record.state == state:
            into.append((at - start) / 1000)
            return


async def timed_await(call: Callable[[], object]) -> float:
    start = time.perf_counter_ns()
    await call()  # type: ignore[misc]
    return (time.perf_counter_ns() - start) / 1000


def fail(held: Policies, times: int) -> None:
    for _ in range(times):
        permit = held.breaker("primary").admit()
        assert permit is not None
        permit.failed()


def succeed(held: Policies) -> None:
    permit = held.breaker("primary").admit()
    assert permit is not None
    permit.succeeded()


async def main(calls: int, rounds: int) -> None:
    with local_redis() as url:
        plain, mirrored = await per_call(url, calls)
        print(f"per call ({calls} calls, batches of {BATCH}):")
        print(row("  breaker + budget alone", plain, 28))
        print(row("  watched by the mirror", mirrored, 28))
        print(f"  ratio (p50)                  {p(mirrored, 50) / p(plain, 50):.2f}×")
        latencies = await propagation(url, rounds)
        print(f"propagation, replica one's change → replica two's breaker ({rounds} rounds, loopback):")
        for name, samples in latencies.items():
            print(row(f"  {name}", samples, 28))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=300)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.calls, arguments.rounds))
