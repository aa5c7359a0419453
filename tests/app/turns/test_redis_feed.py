"""The conversation feed over a real Redis (tests/services/redis.py): two feeds on one server stand
for two replicas. What one publishes reaches the other's listeners of that conversation, in order,
and no one else; a slow listener is cut off as lagged; closing ends every listener."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from switchboard.app.turns.feed import FeedEvent, held_changed, message_posted
from switchboard.app.turns.redis_feed import RedisFeed, channel_of
from tests.app.turns.test_feed import drain, read


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def posted(count: int) -> list[FeedEvent]:
    return [message_posted(f"m_{n}", "assistant", f"answer {n}") for n in range(count)]


async def test_an_event_published_on_one_feed_reaches_the_other_in_order_and_only_its_conversation(
    redis: Redis,
) -> None:
    one, two = RedisFeed(redis), RedisFeed(redis)
    mine, other = two.subscribe("c_1"), two.subscribe("c_2")
    await two.joined(mine)
    await two.joined(other)
    events = posted(5)
    for event in events[:3]:
        one.publish("c_1", event)
    one.publish("c_3", held_changed(True))  # nobody on two listens to c_3
    for event in events[3:]:
        one.publish("c_1", event)
    one.publish("c_2", held_changed(False))
    assert await read(mine, 5) == events
    assert await read(other, 1) == [held_changed(False)]  # not c_1's, not c_3's
    await one.close()
    await two.close()


async def test_the_channel_is_subscribed_while_someone_listens_and_only_then(redis: Redis) -> None:
    feed = RedisFeed(redis)
    first, second = feed.subscribe("c_1"), feed.subscribe("c_1")
    await feed.joined(first)
    await feed.joined(second)
    assert await redis.pubsub_numsub(channel_of("c_1")) == [(channel_of("c_1").encode(), 1)]  # one connection
    feed.unsubscribe(first)
    feed.unsubscribe(second)
    again = feed.subscribe("c_2")  # changes are applied in order: c_1's UNSUBSCRIBE is done once c_2 joins
    await feed.joined(again)
    assert await redis.pubsub_numsub(channel_of("c_1")) == [(channel_of("c_1").encode(), 0)]
    await feed.close()


async def test_a_slow_listener_is_cut_off_as_lagged_and_one_keeping_up_is_not(redis: Redis) -> None:
    one, two = RedisFeed(redis), RedisFeed(redis, queue_size=2)
    slow, keeping_up = two.subscribe("c_1"), two.subscribe("c_1")
    await two.joined(slow)
    events = posted(3)
    one.publish("c_1", events[0])
    one.publish("c_1", events[1])
    assert await read(keeping_up, 2) == events[:2]
    one.publish("c_1", events[2])  # slow has two waiting: this one would be its third
    assert await read(keeping_up, 1) == [events[2]]
    assert slow.lagged and await drain(slow) == [] and not keeping_up.lagged
    assert two.listeners("c_1") == 1
    await one.close()
    await two.close()


async def test_closing_a_feed_ends_its_listeners_and_sends_what_it_had_queued(redis: Redis) -> None:
    one, two = RedisFeed(redis), RedisFeed(redis)
    hearing = two.subscribe("c_1")
    await two.joined(hearing)
    listeners = [one.subscribe("c_1"), one.subscribe("c_2")]
    one.publish("c_1", held_changed(True))
    await one.close()  # the queued event is sent first
    assert [await drain(s) for s in listeners] == [[], []]
    assert one.listeners("c_1") == one.listeners("c_2") == 0
    assert await read(hearing, 1) == [held_changed(True)]
    late = one.subscribe("c_1")  # a closed feed hears nothing more
    assert await drain(late) == []
    await two.close()


async def test_a_stray_message_on_the_channel_is_ignored(redis: Redis) -> None:
    feed = RedisFeed(redis)
    listening = feed.subscribe("c_1")
    await feed.joined(listening)
    await redis.publish(channel_of("c_1"), "not an event")
    feed.publish("c_1", held_changed(True))
    assert await read(listening, 1) == [held_changed(True)]
    await feed.close()


async def test_an_event_finding_the_send_queue_full_is_dropped_and_publishing_does_not_wait(redis: Redis) -> None:
    one, two = RedisFeed(redis, send_queue=1), RedisFeed(redis)
    listening = two.subscribe("c_1")
    await two.joined(listening)
    first, dropped, later = posted(3)
    one.publish("c_1", first)
    one.publish("c_1", dropped)  # the sender has not run yet: its one place is taken
    assert await read(listening, 1) == [first]
    one.publish("c_1", later)
    assert await read(listening, 1) == [later]
    await one.close()
    await two.close()


async def test_a_broken_pub_sub_connection_cuts_the_listeners_off_as_lagged(redis: Redis) -> None:
    feed = RedisFeed(redis)
    listening = feed.subscribe("c_1")
    await feed.joined(listening)
    await redis.client_kill_filter(_type="pubsub")
    assert await drain(listening) == [] and listening.lagged  # what was published meanwhile is lost: reload
    assert feed.listeners("c_1") == 0
    again = feed.subscribe("c_1")  # the page subscribes again, and hears what follows
    await feed.joined(again)
    feed.publish("c_1", held_changed(True))
    assert await read(again, 1) == [held_changed(True)]
    await feed.close()


async def test_a_subscribe_redis_does_not_confirm_in_time_ends_as_lagged(redis: Redis) -> None:
    feed = RedisFeed(redis, join_s=0.5)
    await redis.execute_command("CLIENT", "PAUSE", "1500", "ALL")  # every client's commands held 1.5 s
    waiting = feed.subscribe("c_1")
    await feed.joined(waiting)
    assert waiting.lagged and await drain(waiting) == [] and feed.listeners("c_1") == 0
    assert await redis.ping()  # answered once the pause is over
    again = feed.subscribe("c_1")  # the page tries again, and is heard
    await feed.joined(again)
    feed.publish("c_1", held_changed(True))
    assert await read(again, 1) == [held_changed(True)]
    await feed.close()
