"""The one Redis client a process keeps, when `SWITCHBOARD_REDIS_URL` names a server.

Built once at start-up (services.py) and handed to every part that shares state through it;
closed when the app stops. Without a URL there is no client, and each part keeps its state in
this process, as a single server always has.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the redis package comes with the `scale` extra: imported only when a URL is set
    from redis.asyncio import Redis


@asynccontextmanager
async def open_redis(url: str) -> AsyncIterator[Redis | None]:
    """A client of the server at `url` (redis://host:port/db), checked with a PING so a wrong URL
    fails start-up rather than the first turn; None for an empty URL."""
    if not url:
        yield None
        return
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.ping()
        yield client
    finally:
        await client.aclose()


def outage_errors() -> tuple[type[Exception], ...]:
    """What redis raises when its server cannot be reached or does not answer in time: the app
    answers those with a 503 (web/errors.py), never a 500. Empty without the redis package."""
    try:
        from redis.exceptions import ConnectionError, TimeoutError
    except ImportError:
        return ()
    return (ConnectionError, TimeoutError)
