"""The Redis fixture itself: a real server, emptied between tests."""

from __future__ import annotations

import redis


def test_each_test_gets_an_empty_real_redis(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert client.dbsize() == 0
    client.set("left-behind", "1")
    assert client.get("left-behind") == b"1"
