"""Breakers and the retry budget shared by two replicas through a real Redis (tests/services/redis.py).

Each "replica" is a `Policies` with its own Redis client and mirror, as two processes would have.
Tests drive the mirrors' steps (flush, sync) directly; one awaits the subscriber's apply.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from switchboard.agents.llm.resilience import Policies
from switchboard.app.shared.resilience import BreakerRecord, ResilienceSync, shared_resilience
from switchboard.patterns.circuit_breaker import CircuitBreaker
from switchboard.patterns.retry_budget import RetryBudget
from tests.fakes import Clock

PROVIDERS = ("primary", "fallback")
GRACE = 10.0  # BreakerMirror's default: how long the others wait for the owner's probe


def policies(clock: Clock) -> Policies:
    return Policies(
        budget=RetryBudget(ratio=0.5, max_tokens=10, min_tokens=0),
        make_breaker=lambda: CircuitBreaker(window=10, min_calls=4, reset_after=30, probes=1, clock=clock),
    )


@asynccontextmanager
async def replica(url: str, clock: Clock, name: str) -> AsyncIterator[tuple[Policies, ResilienceSync]]:
    """A replica's policies and its (started, not running) mirror, on a client of its own."""
    client = Redis.from_url(url)
    held = policies(clock)
    sync = ResilienceSync(client, held, PROVIDERS, replica=name, wall=clock)
    await sync.start()
    try:
        yield held, sync
    finally:
        await sync.close()
        await client.aclose()


def fail(policies: Policies, provider: str, times: int) -> None:
    for _ in range(times):
        permit = policies.breaker(provider).admit()
        assert permit is not None
        permit.failed()


def succeed(policies: Policies, provider: str) -> None:
    permit = policies.breaker(provider).admit()
    assert permit is not None, policies.breaker(provider).state
    permit.succeeded()


async def test_failures_on_one_replica_open_the_breaker_on_the_other(redis_url: str) -> None:
    clock = Clock()
    async with replica(redis_url, clock, "one") as (one, sync_one), replica(redis_url, clock, "two") as (two, sync_two):
        fail(one, "primary", 4)
        await sync_one.breakers.flush()
        await sync_two.breakers.sync()
        assert two.breaker("primary").state == "open" and two.breaker("primary").admit() is None
        assert two.breaker("fallback").state == "closed"  # only the provider that failed


async def test_the_subscriber_applies_another_replicas_opening_as_it_is_published(redis_url: str) -> None:
    clock = Clock()
    async with replica(redis_url, clock, "one") as (one, sync_one), replica(redis_url, clock, "two") as (two, sync_two):
        heard: asyncio.Future[BreakerRecord] = asyncio.get_running_loop().create_future()
        sync_two.breakers.on_applied = heard.set_result
        listening = asyncio.create_task(sync_two.run())
        try:
            fail(one, "primary", 4)
            await sync_one.breakers.flush()
            record = await asyncio.wait_for(heard, timeout=10)  # a bound, not a wait: it returns when heard
        finally:
            listening.cancel()
        assert (record.provider, record.state, record.owner, record.until) == ("primary", "open", "one", 130.0)
        assert two.breaker("primary").admit() is None


async def test_the_owner_alone_probes_and_its_close_reaches_the_other(redis_url: str) -> None:
    clock = Clock()
    async with replica(redis_url, clock, "one") as (one, sync_one), replica(redis_url, clock, "two") as (two, sync_two):
        fail(one, "primary", 4)
        await sync_one.breakers.flush()
        await sync_two.breakers.sync()
        clock.now += 30  # the open period is over
        assert two.breaker("primary").admit() is None  # two waits for one's probe
        succeed(one, "primary")  # the probe (probes=1): closed
        await sync_one.breakers.flush()
        await sync_two.breakers.sync()
        assert two.breaker("primary").state == "closed"
        succeed(two, "primary")


async def test_with_no_verdict_from_the_owner_the_other_probes_after_the_grace(redis_url: str) -> None:
    clock = Clock()
    async with replica(redis_url, clock, "one") as (one, sync_one), replica(redis_url, clock, "two") as (two, sync_two):
        fail(one, "primary", 4)
        await sync_one.breakers.flush()
        await sync_two.breakers.sync()
        clock.now += 30 + GRACE  # one died before probing
        succeed(two, "primary")  # two's own probe closes it
        await sync_two.breakers.flush()
        record = await sync_two.breakers.read("primary")
        assert record is not None and (record.state, record.owner) == ("closed", "two")


async def test_two_replicas_opening_at_once_leave_one_owner(redis_url: str) -> None:
    clock = Clock()
    async with replica(redis_url, clock, "one") as (one, sync_one), replica(redis_url, clock, "two") as (two, sync_two):
        fail(one, "primary", 4)
        fail(two, "primary", 4)
        clock.now += 1
        await sync_one.breakers.flush()
        await sync_two.breakers.flush()  # rejected: one owns it, so two adopts one's record
        clock.now += 29
        assert two.breaker("primary").admit() is None  # two no longer probes at its own time
        assert one.breaker("primary").admit() is not None  # one's probe


async def test_changes_after_redis_lost_its_records_are_still_adopted(redis_url: str) -> None:
    clock = Clock()
    async with replica(redis_url, clock, "one") as (one, sync_one), replica(redis_url, clock, "two") as (two, sync_two):
        for _ in range(3):  # versions climb on both replicas
            fail(one, "primary", 4)
            await sync_one.breakers.flush()
            await sync_two.breakers.sync()
            clock.now += 30
            succeed(one, "primary")
            await sync_one.breakers.flush()
            await sync_two.breakers.sync()
        lost = Redis.from_url(redis_url)
        await lost.flushall()  # as a restarted Redis without persistence
        await lost.aclose()
        clock.now += 1
        fail(one, "primary", 4)
        await sync_one.breakers.flush()
        await sync_two.breakers.sync()
        assert two.breaker("primary").state == "open"


async def test_a_probe_refused_because_the_owner_still_has_time_is_undone(redis_url: str) -> None:
    clock = Clock()
    async with replica(redis_url, clock, "one") as (one, sync_one), replica(redis_url, clock, "two") as (two, sync_two):
        fail(one, "primary", 4)
        await sync_one.breakers.flush()
        await sync_two.breakers.sync()
        two.breaker("primary").adopt("open", open_for=30)  # two's clock ran ahead: it cools down early
        clock.now += 30
        assert two.breaker("primary").admit() is not None  # two's own half-open, a probe
        await sync_two.breakers.flush()  # refused: one's probe is not overdue
        assert two.breaker("primary").state == "open" and two.breaker("primary").admit() is None


async def test_a_retry_spent_on_one_replica_counts_against_the_other(redis_url: str) -> None:
    clock = Clock()
    async with replica(redis_url, clock, "one") as (one, sync_one), replica(redis_url, clock, "two") as (two, sync_two):
        for _ in range(4):
            one.budget.on_request()  # 2 tokens on one
        await sync_one.budget.sync()
        await sync_two.budget.sync()
        assert two.budget.tokens == 2  # one's deposits are two's too
        assert two.budget.try_spend() and two.budget.try_spend()
        await sync_two.budget.sync()
        await sync_one.budget.sync()
        assert one.budget.tokens == 0 and not one.budget.try_spend()  # two spent them


async def test_a_replica_started_later_reads_what_the_others_did_in_the_last_buckets(redis_url: str) -> None:
    clock = Clock()
    async with replica(redis_url, clock, "one") as (one, sync_one):
        fail(one, "primary", 4)
        for _ in range(6):
            one.budget.on_request()
        await sync_one.breakers.flush()
        await sync_one.budget.sync()
        clock.now += 20  # 100 s → 120 s: the next minute's bucket; the previous one is still read
        async with replica(redis_url, clock, "two") as (two, _):
            assert two.breaker("primary").state == "open"
            assert two.budget.tokens == 3


async def test_without_redis_nothing_is_attached(redis_url: str) -> None:
    held = policies(Clock())
    async with shared_resilience(None, held, PROVIDERS) as sync:
        assert sync is None
    assert held.breakers == {}


async def test_the_app_lifetime_mirror_starts_and_stops_cleanly(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    held = policies(Clock())
    async with shared_resilience(client, held, PROVIDERS) as sync:
        assert sync is not None and set(held.breakers) == set(PROVIDERS)
    await client.aclose()
