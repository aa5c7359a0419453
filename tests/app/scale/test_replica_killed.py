"""`kill -9` of the replica serving the streams: nothing acknowledged is lost, and each
conversation carries on from its checkpoint on the other replica.

Two real `switchboard serve` processes (tests/app/scale/replicas.py) on one real Postgres (data
and checkpoints) and one `chroma run`, with the same session secret. Replica one streams answers
from a slow demo model; once every message is acknowledged and a few tokens are out, it gets
SIGKILL. Everything after is asked of replica two. Each conversation has one finished turn
before the killed one, so it has a checkpoint in Postgres for replica two to carry on from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.app.scale.replicas import (
    FOLLOW_UP,
    INSTANT_MODEL,
    LEASE_TTL_S,
    OPENER,
    SLOW_MODEL,
    TIMEOUT,
    Answered,
    Database,
    Held,
    Post,
    Shared,
    ask,
    await_interrupted,
    examine,
    open_conversations,
    post_and_kill,
    running_replicas,
)
from tests.services.postgres import PostgresServer

CONVERSATIONS = 4
MIN_TOKENS = 3


@dataclass(frozen=True)
class AfterTheKill:
    posts: list[Post]
    held: list[Held]  # replica two's view, before any follow-up
    answered: list[Answered]  # the follow-ups, on replica two
    held_later: list[Held]  # replica two's view after the follow-ups, once it marks the cut-off answers
    checkpoints_before: list[int]  # each thread's checkpoint rows, before its follow-up
    checkpoints_after: list[int]


async def _kill_then_continue(shared: Shared, scratch: Path, database: Database) -> AfterTheKill:
    with running_replicas(scratch, shared, SLOW_MODEL, INSTANT_MODEL) as (one, two):
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            posts = await open_conversations(one, client, CONVERSATIONS)
            opened = await asyncio.gather(*(ask(client, one.base_url, p, OPENER) for p in posts))
            assert all(answered.ok for answered in opened), opened
            await post_and_kill(client, one, posts, MIN_TOKENS)
            held = list(await asyncio.gather(*(examine(client, two.base_url, p) for p in posts)))
            before = [database.checkpoint_rows(p.conversation_id) for p in posts]
            answered = list(await asyncio.gather(*(ask(client, two.base_url, p, FOLLOW_UP) for p in posts)))
            after = [database.checkpoint_rows(p.conversation_id) for p in posts]
            later = await await_interrupted(client, two.base_url, posts)
    return AfterTheKill(posts, held, answered, later, before, after)


@pytest.fixture(scope="module")
def after_the_kill(
    postgres_server: PostgresServer, chroma_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AfterTheKill]:
    """One kill, examined by the tests below (starting two servers is the slow part)."""
    database = Database(postgres_server, postgres_server.fresh_database())
    shared = Shared(database_url=database.url, chroma_url=chroma_server, lease_ttl_s=LEASE_TTL_S)
    yield asyncio.run(_kill_then_continue(shared, tmp_path_factory.mktemp("replicas"), database))


def test_every_acknowledged_message_is_stored_and_seen_from_the_other_replica(after_the_kill: AfterTheKill) -> None:
    assert all(p.acknowledged for p in after_the_kill.posts)
    assert all(held.message_stored for held in after_the_kill.held)


def test_the_kill_came_mid_stream_and_each_partial_answer_agrees_with_what_is_stored(
    after_the_kill: AfterTheKill,
) -> None:
    cut_off = [(p, h) for p, h in zip(after_the_kill.posts, after_the_kill.held, strict=True) if not p.done]
    assert cut_off, "every answer finished before the kill: nothing was cut off"
    assert all(p.seen for p, _ in cut_off)  # the client had seen part of each
    assert all(h.answer is not None and h.agrees_with(p.seen) for p, h in cut_off)


def test_each_conversation_is_answered_on_the_other_replica_from_its_checkpoint(after_the_kill: AfterTheKill) -> None:
    assert all(answered.ok for answered in after_the_kill.answered), after_the_kill.answered
    assert all(n > 0 for n in after_the_kill.checkpoints_before)  # replica one's checkpoints, in Postgres
    growth = zip(after_the_kill.checkpoints_before, after_the_kill.checkpoints_after, strict=True)
    assert all(after > before for before, after in growth)  # the same threads, carried on by replica two


def test_the_survivor_marks_the_cut_off_answers_interrupted(after_the_kill: AfterTheKill) -> None:
    later = zip(after_the_kill.posts, after_the_kill.held_later, strict=True)
    cut_off = [h for p, h in later if not p.done]
    assert cut_off
    assert all(not h.complete and h.record_error.startswith("interrupted") for h in cut_off)
