"""rate_limit's storage on a real Redis (tests/services/redis.py): two `CustomerLimits`, each with
its own client as two replicas would have, count one customer's messages and tokens together."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from limits.aio.storage import MemoryStorage
from redis.asyncio import Redis

from switchboard.app.services import rate_limit_storage
from switchboard.patterns.rate_limit import CustomerLimits


@pytest.fixture
async def replicas(redis_url: str) -> AsyncIterator[tuple[CustomerLimits, CustomerLimits]]:
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    yield (
        CustomerLimits(3, 100, rate_limit_storage(redis_url, clients[0])),
        CustomerLimits(3, 100, rate_limit_storage(redis_url, clients[1])),
    )
    for client in clients:
        await client.aclose()


async def test_a_customers_messages_through_both_add_up_to_one_limit(
    replicas: tuple[CustomerLimits, CustomerLimits], redis_url: str
) -> None:
    one, two = replicas
    assert [await one.admit("t", "C1"), await two.admit("t", "C1"), await one.admit("t", "C1")] == [None] * 3
    refused = await two.admit("t", "C1")
    assert refused is not None and refused.limit == "messages" and 1 <= refused.retry_after_s <= 61
    assert await one.admit("t", "C1") is not None
    assert await two.admit("t", "C2") is None  # another customer is unaffected
    async with Redis.from_url(redis_url) as reader:
        keys = await reader.keys("*")
    assert keys and all(key.startswith(b"switchboard:rate_limit") for key in keys)


async def test_tokens_charged_on_one_refuse_the_next_message_on_the_other(
    replicas: tuple[CustomerLimits, CustomerLimits],
) -> None:
    one, two = replicas
    assert await two.admit("t", "C1") is None
    await one.charge(150, "t", "C1")
    refused = await two.admit("t", "C1")
    assert refused is not None and refused.limit == "tokens"
    assert await two.admit("t", "C2") is None


def test_without_redis_the_counts_stay_in_the_process() -> None:
    assert isinstance(rate_limit_storage("", None), MemoryStorage)
