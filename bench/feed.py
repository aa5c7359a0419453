"""What carrying the conversation feed through Redis costs an event: publish-to-listener latency,
p50 and p99 in µs, in-process against Redis pub/sub in the same run.

    python bench/feed.py                         2 000 events, one at a time
    python bench/feed.py --events 5000 --redis-url redis://127.0.0.1:6379/0

In-process: `ConversationFeed.publish` and the listener's next event, on one feed. Redis: two
`RedisFeed`s on one server, as two replicas (each its own client): published on the first, read by
a listener on the second: the sender task's PUBLISH, the server's fan-out, the second's pub/sub
reader and its local queue. Events are sent one at a time (each awaited before the next), so the
figure is a decision's trip to the customer's stream, not a throughput. Without --redis-url a
redis-server is started on a free loopback port (bench/rate_limit.py's) and stopped after.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import AsyncIterator

from local_redis import local_redis
from microseconds import p, row
from redis.asyncio import Redis

from switchboard.app.turns.feed import ConversationFeed, Feed, FeedEvent, message_posted
from switchboard.app.turns.redis_feed import RedisFeed


async def trips(publisher: Feed, listener: Feed, events: int) -> list[float]:
    """Each event's µs from `publish` on one feed to its arrival at a listener of the other."""
    subscription = listener.subscribe("c_bench")
    await listener.joined(subscription)
    arrivals: AsyncIterator[FeedEvent] = aiter(subscription)
    timings = []
    for number in range(events):
        start = time.perf_counter_ns()
        publisher.publish("c_bench", message_posted(f"m_{number}", "assistant", "Your refund is approved."))
        assert (await anext(arrivals)).message_id == f"m_{number}"
        timings.append((time.perf_counter_ns() - start) / 1000)
    listener.unsubscribe(subscription)
    return timings


async def main(events: int, redis_url: str) -> None:
    local = ConversationFeed()
    in_process = await trips(local, local, events)
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    one, two = RedisFeed(clients[0]), RedisFeed(clients[1])
    over_redis = await trips(one, two, events)
    for closing in (one, two, local):
        await closing.close()
    for client in clients:
        await client.aclose()
    print(f"{events} events, one at a time, publish to a listener's next event")
    print(row("in-process", in_process))
    print(row("redis, across two feeds", over_redis))
    print(f"redis / in-process, p50: {p(over_redis, 50) / p(in_process, 50):.0f}×")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--redis-url", default="", help="a running Redis (default: start one)")
    args = parser.parse_args()
    if args.redis_url:
        asyncio.run(main(args.events, args.redis_url))
    else:
        with local_redis() as url:
            asyncio.run(main(args.events, url))
