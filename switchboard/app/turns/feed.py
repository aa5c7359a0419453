"""What happens in a conversation outside the customer's own streaming turn, pushed to whoever
has it open: a decision posted by the Human console, a person's reply, a take-over or hand-back.

`ConversationFeed` is an in-process publish/subscribe hub, one channel per conversation. It is
per process: a subscriber hears only what this process publishes. Several processes (issue 17's
scale-out) share one through Redis pub/sub instead: `RedisFeed` (app/turns/redis_feed.py), the
same `Feed` interface, chosen in services.py when SWITCHBOARD_REDIS_URL is set.

Publishing never waits. Each subscriber has a bounded queue; one too slow to keep up is
disconnected (told that it `lagged`, so it can reload what it missed) rather than allowed to
hold up the console that published, or to grow without bound.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

QUEUE_SIZE = 64  # events a subscriber may fall behind by before it is disconnected


class FeedEvent(BaseModel):
    """One thing that happened in a conversation: a message posted, or who answers it changed."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["message", "held"]
    message_id: str | None = None
    role: str | None = None
    content: str | None = None
    held: bool | None = None  # for "held": a person has taken the conversation over (True) or handed it back


def message_posted(message_id: str, role: str, content: str) -> FeedEvent:
    return FeedEvent(kind="message", message_id=message_id, role=role, content=content)


def held_changed(held: bool) -> FeedEvent:
    return FeedEvent(kind="held", held=held)


_END = None  # the queue's last item: the subscription is over


class Subscription:
    """One listener on one conversation: iterate it for the events published after it began."""

    def __init__(self, conversation_id: str, size: int) -> None:
        self.conversation_id = conversation_id
        self.lagged = False  # ended because it fell more than `size` events behind
        self._queue: asyncio.Queue[FeedEvent | None] = asyncio.Queue(maxsize=size)
        self._ended = False

    def offer(self, event: FeedEvent) -> bool:
        """Queue the event without waiting; False (and nothing queued) when the queue is full."""
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            return False
        return True

    def end(self, *, lagged: bool = False) -> None:
        """Ends the iteration. What was queued and not read is dropped: the listener is gone, or
        lagged and must reload anyway."""
        if self._ended:
            return
        self._ended, self.lagged = True, lagged
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_END)

    def __aiter__(self) -> AsyncIterator[FeedEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[FeedEvent]:
        while (event := await self._queue.get()) is not _END:
            yield event


class Feed(Protocol):
    """What the routes and stores use of a feed, whichever process keeps it."""

    def subscribe(self, conversation_id: str) -> Subscription: ...
    async def joined(self, subscription: Subscription) -> None: ...
    def unsubscribe(self, subscription: Subscription) -> None: ...
    def publish(self, conversation_id: str, event: FeedEvent) -> None: ...
    def listeners(self, conversation_id: str) -> int: ...
    async def close(self) -> None: ...


class ConversationFeed:
    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._listeners: dict[str, set[Subscription]] = {}

    def subscribe(self, conversation_id: str) -> Subscription:
        """A new listener; `unsubscribe` it when done (the events route does, on disconnect)."""
        subscription = Subscription(conversation_id, self._queue_size)
        self._listeners.setdefault(conversation_id, set()).add(subscription)
        return subscription

    async def joined(self, subscription: Subscription) -> None:
        """Returns once the subscription hears everything published from now on: at once here,
        where `subscribe` itself registers it (a shared feed waits for its server's word)."""

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription.end()
        listeners = self._listeners.get(subscription.conversation_id, set())
        listeners.discard(subscription)
        if not listeners:
            self._listeners.pop(subscription.conversation_id, None)

    def publish(self, conversation_id: str, event: FeedEvent) -> None:
        """Hand the event to every listener of the conversation, in order, without waiting."""
        for subscription in list(self._listeners.get(conversation_id, ())):
            if not subscription.offer(event):
                subscription.end(lagged=True)
                self.unsubscribe(subscription)

    def listeners(self, conversation_id: str) -> int:
        return len(self._listeners.get(conversation_id, ()))

    def subscriptions(self, conversation_id: str) -> list[Subscription]:
        return list(self._listeners.get(conversation_id, ()))

    async def close(self) -> None:
        """Ends every subscription: at shutdown, so no stream waits on a feed that is gone."""
        for listeners in list(self._listeners.values()):
            for subscription in list(listeners):
                self.unsubscribe(subscription)
