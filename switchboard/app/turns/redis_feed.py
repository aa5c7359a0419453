"""The conversation feed shared by every replica, over Redis pub/sub: a decision taken in the Human
console on one replica reaches the customer's stream open on another.

    publish(c, e)   PUBLISH switchboard:feed:<c> <e as JSON>, by one sender task in the order
                    published; `publish` itself only queues (at most SEND_QUEUE events), so the
                    console's request never waits on Redis, as with the in-process feed
    subscribe(c)    a local listener; the first of a conversation SUBSCRIBEs its channel on the
                    process's one pub/sub connection, the last to leave UNSUBSCRIBEs it
    joined(s)       returns once Redis has confirmed the channel's SUBSCRIBE: from then on the
                    listener hears what any replica publishes (the events route waits for it
                    before reading the conversation's state, so nothing between the two is lost);
                    after JOIN_S without it, the subscription ends as lagged
    a message       fanned out to the process's listeners of the conversation through an
                    in-process `ConversationFeed`: the same bounded queue per listener, the same
                    `lagged` end for one that falls QUEUE_SIZE events behind

What Redis cannot carry is not pretended: an event that finds the sender's queue full, or that
Redis refuses, is dropped and logged; a broken pub/sub connection ends every local listener as
lagged, so each open page reloads what it may have missed and subscribes again, on a new
connection subscribed to nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from switchboard.app.turns.feed import QUEUE_SIZE, ConversationFeed, FeedEvent, Subscription

PREFIX = "switchboard:feed:"
SEND_QUEUE = 1024  # events published and not yet sent to Redis, beyond which new ones are dropped
FLUSH_S = 5.0  # how long `close` lets the sender empty its queue
JOIN_S = 10.0  # how long `joined` waits for Redis to confirm a SUBSCRIBE
RETRY_S = 1.0  # pause before reading again after the pub/sub connection failed

log = logging.getLogger(__name__)


def channel_of(conversation_id: str) -> str:
    return PREFIX + conversation_id


@dataclass(frozen=True)
class _Change:
    """A channel to (un)subscribe on the pub/sub connection, applied in the order asked."""

    command: Literal["subscribe", "unsubscribe"]
    conversation_id: str


class RedisFeed:
    """The `Feed` of every replica on one Redis; built once per process (services.py)."""

    def __init__(
        self, redis: Redis, queue_size: int = QUEUE_SIZE, send_queue: int = SEND_QUEUE, join_s: float = JOIN_S
    ) -> None:
        self._redis = redis
        self._join_s = join_s
        self._pubsub: PubSub = redis.pubsub()
        self._local = ConversationFeed(queue_size)
        self._joined: dict[str, asyncio.Event] = {}  # the channels held, each set once confirmed
        self._unconfirmed: Counter[str] = Counter()  # SUBSCRIBEs sent on this connection, not yet confirmed
        self._connecting = asyncio.Lock()  # the two loops on the connection: one of them opens it
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=send_queue)
        self._changes: asyncio.Queue[_Change] = asyncio.Queue()  # never dropped: bounded by the listeners
        self._running: asyncio.Task[None] | None = None
        self._closed = False

    def subscribe(self, conversation_id: str) -> Subscription:
        subscription = self._local.subscribe(conversation_id)
        if self._closed:
            subscription.end()
            return subscription
        if conversation_id not in self._joined:
            self._joined[conversation_id] = asyncio.Event()
            self._change("subscribe", conversation_id)
        return subscription

    async def joined(self, subscription: Subscription) -> None:
        """Waits up to `join_s`: a Redis that never confirms ends the subscription as lagged, so the
        page reloads and tries again rather than holding a stream that will never hear anything."""
        joined = self._joined.get(subscription.conversation_id)
        if joined is None:  # ended already (closed, lagged): nothing more will come
            return
        try:
            await asyncio.wait_for(joined.wait(), self._join_s)
        except TimeoutError:
            log.warning("feed: no SUBSCRIBE confirmed for %s in %.1f s", subscription.conversation_id, self._join_s)
            subscription.end(lagged=True)
            self.unsubscribe(subscription)

    def unsubscribe(self, subscription: Subscription) -> None:
        self._local.unsubscribe(subscription)
        self._release_if_unheard(subscription.conversation_id)

    def publish(self, conversation_id: str, event: FeedEvent) -> None:
        """Queued for the sender without waiting; dropped, and logged, when the queue is full."""
        if self._closed:
            return
        self._start()
        try:
            self._outbox.put_nowait((channel_of(conversation_id), event.model_dump_json()))
        except asyncio.QueueFull:
            log.warning("feed: %d events wait for Redis; one for %s dropped", self._outbox.qsize(), conversation_id)

    def listeners(self, conversation_id: str) -> int:
        return self._local.listeners(conversation_id)

    async def close(self) -> None:
        """Sends what is queued (for up to FLUSH_S), ends every listener and the connection."""
        self._closed = True
        if self._running is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox.join(), FLUSH_S)
            self._running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._running
        self._end_all(lagged=False)
        await self._pubsub.aclose()

    def _change(self, command: Literal["subscribe", "unsubscribe"], conversation_id: str) -> None:
        if self._closed:
            return
        self._start()
        self._changes.put_nowait(_Change(command, conversation_id))

    def _release_if_unheard(self, conversation_id: str) -> None:
        if self._local.listeners(conversation_id) == 0 and conversation_id in self._joined:
            del self._joined[conversation_id]
            self._change("unsubscribe", conversation_id)

    def _start(self) -> None:
        """The tasks start with the first use, inside the running loop (building the feed is pure)."""
        if self._running is None:
            self._running = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._send())
            tasks.create_task(self._apply_changes())
            tasks.create_task(self._listen())

    async def _send(self) -> None:
        while True:
            channel, data = await self._outbox.get()
            try:
                await self._redis.publish(channel, data)
            except RedisError as error:
                log.warning("feed: an event for %s not sent (%s)", channel, error)
            finally:
                self._outbox.task_done()

    async def _connected(self) -> PubSub:
        """The pub/sub connection, opened by whichever loop needs it first (never twice)."""
        async with self._connecting:
            if self._pubsub.connection is None:
                await self._pubsub.connect()  # type: ignore[no-untyped-call]
            return self._pubsub

    async def _apply_changes(self) -> None:
        while True:
            change = await self._changes.get()
            channel = channel_of(change.conversation_id)
            try:
                pubsub = await self._connected()
                if change.command == "subscribe":
                    self._unconfirmed[change.conversation_id] += 1  # counted as sent, on this connection
                    await pubsub.subscribe(channel)
                else:
                    await pubsub.unsubscribe(channel)
            except RedisError as error:
                log.warning("feed: %s %s failed (%s)", change.command, change.conversation_id, error)
                self._end(change.conversation_id, lagged=True)

    async def _listen(self) -> None:
        while True:
            try:
                message = await (await self._connected()).get_message(timeout=None)
            except RedisError as error:
                log.warning("feed: the pub/sub connection failed (%s); its listeners must resync", error)
                await self._renew()
                continue
            if message is not None:
                self._take(message)

    async def _renew(self) -> None:
        """A new pub/sub connection, subscribed to nothing, after the last one failed: its
        listeners cut off as lagged (they may have missed events), each page subscribing again.
        Not redis-py's resubscription of the old one: its confirmations would count as the new
        SUBSCRIBEs' and let a listener read its state before its channel is in place."""
        self._end_all(lagged=True)
        old, self._pubsub = self._pubsub, self._redis.pubsub()
        self._unconfirmed.clear()
        with contextlib.suppress(RedisError):
            await old.aclose()
        await asyncio.sleep(RETRY_S)  # a pause before reconnecting, not a wait for a condition

    def _take(self, message: dict[str, Any]) -> None:
        if message["type"] not in ("subscribe", "message"):
            return  # unsubscribe confirmations, pongs: nothing to do
        conversation_id = _text(message["channel"]).removeprefix(PREFIX)
        if message["type"] == "subscribe":
            self._confirmed(conversation_id)
        else:
            try:
                event = FeedEvent.model_validate_json(message["data"])
            except ValidationError:
                log.warning("feed: a message on %s is not an event; ignored", message["channel"])
                return
            self._local.publish(conversation_id, event)
            self._release_if_unheard(conversation_id)  # its last listener may have lagged

    def _confirmed(self, conversation_id: str) -> None:
        """Only the latest SUBSCRIBE's confirmation counts: an earlier one for the same channel,
        unsubscribed and subscribed again since, would claim a subscription not yet in place."""
        self._unconfirmed[conversation_id] -= 1
        if self._unconfirmed[conversation_id] > 0:
            return
        del self._unconfirmed[conversation_id]
        if (joined := self._joined.get(conversation_id)) is not None:
            joined.set()

    def _end_all(self, *, lagged: bool) -> None:
        for conversation_id in list(self._joined):
            self._end(conversation_id, lagged=lagged)

    def _end(self, conversation_id: str, *, lagged: bool) -> None:
        """The conversation's local listeners ended and its channel forgotten here (no UNSUBSCRIBE:
        the connection is closing or failed, or its SUBSCRIBE did; a stray message finds no one)."""
        joined = self._joined.pop(conversation_id, None)
        if joined is not None:
            joined.set()  # nobody waits on a channel that will never confirm
        for subscription in self._local.subscriptions(conversation_id):
            subscription.end(lagged=lagged)
            self._local.unsubscribe(subscription)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
