"""The process's one Redis client: made from the URL, checked at once, absent without one."""

from __future__ import annotations

import asyncio

import pytest
import redis

from switchboard.app.shared.redis import open_redis
from tests.phoenix import free_port


def test_a_url_gives_a_working_client_and_none_gives_none(redis_url: str) -> None:
    async def use() -> tuple[object, bytes | None]:
        async with open_redis("") as nothing, open_redis(redis_url) as client:
            assert client is not None
            await client.set("seen", "yes")
            return nothing, await client.get("seen")

    assert asyncio.run(use()) == (None, b"yes")


def test_a_server_that_does_not_answer_fails_start_up_at_once() -> None:
    async def use() -> None:
        async with open_redis(f"redis://127.0.0.1:{free_port()}/0"):
            pass

    with pytest.raises(redis.ConnectionError):
        asyncio.run(use())
