"""The operator's boards kept in step through a real Redis (tests/services/redis.py): two
SharedBoards stand for two replicas, each over boards of its own, on one server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from switchboard.app.lab.chaos import ChaosBoard
from switchboard.app.lab.flags import FlagBoard
from switchboard.app.shared.boards import VERSION_KEY, BoardsUnshared, LocalBoards, SharedBoards, board_key
from tests.phoenix import free_port


@dataclass
class Replica:
    flags: FlagBoard
    chaos: ChaosBoard
    boards: SharedBoards


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[tuple[Redis, Redis]]:
    one, two = Redis.from_url(redis_url), Redis.from_url(redis_url)
    async with one, two:
        yield one, two


def replica(client: Redis) -> Replica:
    flags, chaos = FlagBoard(), ChaosBoard()
    return Replica(flags, chaos, SharedBoards(client, {"flags": flags, "chaos": chaos}))


async def test_a_change_pushed_by_one_replica_is_adopted_by_the_other_on_its_next_pull(
    clients: tuple[Redis, Redis],
) -> None:
    one, two = replica(clients[0]), replica(clients[1])
    one.flags.set_many({"rag": False})
    await one.boards.push("flags")
    one.chaos.apply_preset("primary-down")
    await one.boards.push("chaos")
    assert two.flags.snapshot()["rag"] is True  # nothing changes behind a replica's back
    await two.boards.pull()
    assert two.flags.snapshot() == one.flags.snapshot()
    assert two.chaos.view() == one.chaos.view()
    assert two.chaos.dials_for("demo-a")().outage is True


async def test_changes_flow_both_ways_and_the_later_push_of_one_board_wins(clients: tuple[Redis, Redis]) -> None:
    one, two = replica(clients[0]), replica(clients[1])
    await one.boards.pull()
    await two.boards.pull()
    one.flags.set_many({"rag": False})
    await one.boards.push("flags")
    two.flags.set_many({"router": False})  # two has not pulled one's edit: its push replaces it
    await two.boards.push("flags")
    await one.boards.pull()
    await two.boards.pull()
    assert one.flags.snapshot() == two.flags.snapshot()
    assert one.flags.snapshot()["router"] is False and one.flags.snapshot()["rag"] is True


async def test_an_unchanged_version_restores_nothing(clients: tuple[Redis, Redis]) -> None:
    one, two = replica(clients[0]), replica(clients[1])
    one.flags.set_many({"rag": False})
    await one.boards.push("flags")
    await two.boards.pull()
    two.flags.set_many({"rag": True})  # a local edit not pushed (an eval run's, say)
    await two.boards.pull()
    assert two.flags.snapshot()["rag"] is True  # the version stood still: no fetch, no restore


async def test_a_bad_document_is_refused_and_the_board_keeps_its_state(clients: tuple[Redis, Redis]) -> None:
    one, two = replica(clients[0]), replica(clients[1])
    before = two.flags.snapshot()
    bad_flags = json.dumps({"rag": False, "no_such_flag": True})
    bad_chaos = json.dumps({"preset": "custom", "chaos": {"demo-a": {"error_rate": 7.0}}})
    await clients[0].mset({board_key("flags"): bad_flags, board_key("chaos"): bad_chaos})
    await clients[0].incr(VERSION_KEY)
    await two.boards.pull()
    assert two.flags.snapshot() == before  # not even the good half ("rag") is taken
    assert two.chaos.view() == ChaosBoard().view()
    assert two.boards.seen == 1  # refused once, not fetched again on every request
    one.chaos.apply_preset("slow")
    await one.boards.push("chaos")  # a good document after it is adopted
    await two.boards.pull()
    assert two.chaos.preset == "slow" and two.flags.snapshot() == before


async def test_a_replica_starting_adopts_what_redis_holds_and_none_resets_it(clients: tuple[Redis, Redis]) -> None:
    one = replica(clients[0])
    one.flags.apply_preset("all-off")
    await one.boards.push("flags")
    late = replica(clients[1])  # started after the edit, with the defaults
    await late.boards.pull()
    assert late.flags.snapshot() == one.flags.snapshot()
    assert await clients[1].get(board_key("flags")) == json.dumps(one.flags.document()).encode()


async def test_pushes_from_both_replicas_in_between_are_all_fetched_by_the_next_pull(
    clients: tuple[Redis, Redis],
) -> None:
    one, two = replica(clients[0]), replica(clients[1])
    await one.boards.pull()
    two.chaos.apply_preset("slow")
    await two.boards.push("chaos")  # one has not seen this version yet ...
    one.flags.set_many({"rag": False})
    await one.boards.push("flags")  # ... so its own push does not count as up to date
    assert one.boards.seen == 0
    await one.boards.pull()
    assert one.chaos.preset == "slow" and one.flags.snapshot()["rag"] is False
    assert one.boards.seen == 2


async def test_without_redis_nothing_is_fetched_or_published() -> None:
    flags = FlagBoard()
    local = LocalBoards()
    flags.set_many({"rag": False})
    await local.push("flags")
    await local.pull()
    assert flags.snapshot()["rag"] is False


async def test_with_redis_unreachable_a_pull_keeps_the_boards_and_a_push_says_the_change_is_local(
    clients: tuple[Redis, Redis],
) -> None:
    async with Redis.from_url(f"redis://127.0.0.1:{free_port()}/0") as gone:
        here, there = replica(gone), replica(clients[1])
        here.flags.set_many({"rag": False})
        await here.boards.pull()  # logged, not raised: the request is served with the boards as they are
        assert here.flags.snapshot()["rag"] is False
        with pytest.raises(BoardsUnshared, match="flags change holds on this replica only until Redis answers"):
            await here.boards.push("flags")
        assert here.flags.snapshot()["rag"] is False and here.boards.seen == -1
    there.chaos.apply_preset("slow")
    await there.boards.push("chaos")  # a change elsewhere while this replica could not reach Redis
    here.boards._redis = clients[0]  # Redis answers again
    await here.boards.pull()  # publishes the held change first, then adopts the others'
    assert here.flags.snapshot()["rag"] is False and here.chaos.preset == "slow"
    await there.boards.pull()
    assert there.flags.snapshot()["rag"] is False


async def test_a_push_waiting_behind_a_pull_keeps_its_change_when_the_pull_restores_the_older_board(
    clients: tuple[Redis, Redis],
) -> None:
    """The race the lock closes: a pull restoring what Redis held a moment before this replica's
    edit must not leave the edit undone here once its push is through."""
    one, two = replica(clients[0]), replica(clients[1])
    await one.boards.pull()
    older = one.flags.document()
    async with one.boards._lock:  # a pull, mid-restore
        one.flags.set_many({"rag": False})
        pushing = asyncio.create_task(one.boards.push("flags"))
        await asyncio.sleep(0)  # one step: the push has taken its document and waits on the lock
        one.flags.restore(older)  # the pull puts back the board as Redis held it
    await pushing
    assert one.flags.snapshot()["rag"] is False and one.boards.seen == 1
    await two.boards.pull()
    assert two.flags.snapshot()["rag"] is False
