"""The conversation feed: listeners hear their conversation's events in order; a slow one is cut
off rather than holding up whoever publishes; a decision, a person's reply and a take-over are
published by what writes them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from switchboard.app.services import running_services
from switchboard.app.settings import Settings
from switchboard.app.turns.approvals import ConsoleDecision
from switchboard.app.turns.feed import ConversationFeed, FeedEvent, Subscription, held_changed, message_posted
from tests.app.playing import BIG_REFUND, play
from tests.fakes import CalendarClock


async def read(subscription: Subscription, count: int) -> list[FeedEvent]:
    events = []
    async for event in subscription:
        events.append(event)
        if len(events) == count:
            break
    return events


async def drain(subscription: Subscription) -> list[FeedEvent]:
    """Everything until the subscription ends (it must end, or the test hangs)."""
    return [event async for event in subscription]


async def test_a_listener_hears_its_conversation_in_the_order_published() -> None:
    feed = ConversationFeed()
    mine, other = feed.subscribe("c_1"), feed.subscribe("c_2")
    posted = [message_posted(f"m_{n}", "assistant", f"answer {n}") for n in range(5)]
    for event in posted[:3]:
        feed.publish("c_1", event)
    feed.publish("c_2", held_changed(True))
    for event in posted[3:]:
        feed.publish("c_1", event)
    assert await read(mine, 5) == posted
    assert await read(other, 1) == [held_changed(True)]


async def test_a_slow_listener_is_cut_off_and_publishing_never_waits_for_it() -> None:
    feed = ConversationFeed(queue_size=2)
    slow, keeping_up = feed.subscribe("c_1"), feed.subscribe("c_1")
    events = [message_posted(f"m_{n}", "assistant", str(n)) for n in range(3)]
    feed.publish("c_1", events[0])
    feed.publish("c_1", events[1])
    assert await read(keeping_up, 2) == events[:2]
    feed.publish("c_1", events[2])  # slow has two waiting: this one would be its third
    assert slow.lagged and await drain(slow) == []  # ended, its backlog dropped: it must reload
    assert feed.listeners("c_1") == 1
    assert await read(keeping_up, 1) == [events[2]]
    assert not keeping_up.lagged


async def test_an_unsubscribed_listener_stops_and_is_forgotten() -> None:
    feed = ConversationFeed()
    gone, staying = feed.subscribe("c_1"), feed.subscribe("c_1")
    feed.unsubscribe(gone)
    feed.publish("c_1", held_changed(False))
    assert await drain(gone) == [] and not gone.lagged
    assert feed.listeners("c_1") == 1 and await read(staying, 1) == [held_changed(False)]
    feed.unsubscribe(staying)
    assert feed.listeners("c_1") == 0
    feed.publish("c_1", held_changed(True))  # nobody listens: nothing to do, nothing kept


async def test_closing_the_feed_ends_every_listener() -> None:
    feed = ConversationFeed()
    listeners = [feed.subscribe("c_1"), feed.subscribe("c_2")]
    await feed.close()
    assert [await drain(s) for s in listeners] == [[], []]
    assert feed.listeners("c_1") == feed.listeners("c_2") == 0


def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, approval_deadline_minutes=30)


async def test_a_decision_and_an_expiry_are_published_to_the_conversation(tmp_path: Path) -> None:
    clock = CalendarClock()
    async with running_services(settings(tmp_path), now=clock) as services:
        decided, expiring = [(await services.conversations.create("C1001")).id for _ in range(2)]
        for conversation in (decided, expiring):
            await play(services, conversation, "C1001", BIG_REFUND, human_approval=True)
        listening = {
            c: services.feed.subscribe(c) for c in (decided, expiring)
        }  # after the turns: they stream themselves
        first, _ = await services.approvals.pending()
        await services.approvals.decide(first.id, ConsoleDecision(decision="approve"), "operator")
        clock.now += timedelta(minutes=31)
        await services.approvals.expire_overdue()
        for conversation, words in ((decided, "approved your refund of $357.05"), (expiring, "no one could review")):
            (event,) = await read(listening[conversation], 1)
            stored = {m.id: m for m in await services.conversations.messages(conversation)}[event.message_id or ""]
            assert event == message_posted(stored.id, "assistant", stored.content) and words in stored.content


async def test_a_persons_reply_and_a_take_over_are_published_but_the_customers_own_turn_is_not(
    tmp_path: Path,
) -> None:
    async with running_services(settings(tmp_path)) as services:
        conversation = (await services.conversations.create("C1001")).id
        listening = services.feed.subscribe(conversation)
        await play(services, conversation, "C1001", "where is my last order?")
        await services.conversations.take_over(conversation, "operator")
        reply = await services.conversations.add_message(conversation, "assistant", "From our team: it ships today.")
        await services.conversations.hand_back(conversation)
        expected = [held_changed(True), message_posted(reply.id, "assistant", reply.content), held_changed(False)]
        assert await read(listening, 3) == expected
