"""What sharing the operator's boards through Redis costs a request: p50 and p99 in µs.

    python bench/shared_boards.py                 5 000 rounds
    python bench/shared_boards.py --rounds 20000

Starts its own redis-server on a free loopback port (no persistence) and builds the four boards
the app shares (flags, chaos, kill switch, token budgets) behind a SharedBoards, as services.py
does. Each round times, interleaved in one event loop so that the loop's and the timer's cost
shows in every row alike:

- in-process read: `flags.snapshot()`, what a turn reads (it stays in memory with Redis too);
- no Redis: `LocalBoards.pull()`, the middleware's await without SWITCHBOARD_REDIS_URL;
- Redis GET: one bare GET of the version key on the same client, the round trip's floor;
- pull, unchanged: `SharedBoards.pull()` when no board moved, what nearly every request pays;
- pull, after a change: another client (a second replica) pushed the chaos board just before
  (untimed), so the pull fetches every document in one MGET and restores all four boards.

Prints each row and the unchanged pull's p50 against the bare GET and the in-process read.
Loopback only; bounded (a few seconds at the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from local_redis import local_redis
from microseconds import p, row
from redis.asyncio import Redis

from switchboard.agents.llm.kill_switch import KillSwitch
from switchboard.app.cost.budgets import BudgetBook
from switchboard.app.lab.chaos import ChaosBoard
from switchboard.app.lab.flags import FlagBoard
from switchboard.app.services import starting_budgets, utcnow
from switchboard.app.settings import Settings
from switchboard.app.shared.boards import Board, LocalBoards, SharedBoards
from switchboard.app.shop.db import make_engine, make_sessions
from switchboard.app.turns.kill_switch import KillSwitchBoard

START_TIMEOUT_S = 20.0


def boards(folder: Path) -> tuple[FlagBoard, ChaosBoard, dict[str, Board]]:
    """The four boards, as services.py builds them (the kill switch's and budgets' database is never opened)."""
    sessions = make_sessions(make_engine(f"sqlite+aiosqlite:///{folder / 'unused.db'}"))
    flags, chaos = FlagBoard(), ChaosBoard()
    kill = KillSwitchBoard(sessions, KillSwitch(), utcnow)
    budgets = BudgetBook(sessions, starting_budgets(Settings()))
    return flags, chaos, {"flags": flags, "chaos": chaos, "kill_switch": kill, "budgets": budgets}


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter_ns()
    await call()
    return (time.perf_counter_ns() - start) / 1000


def timed_sync(call: Callable[[], object]) -> float:
    start = time.perf_counter_ns()
    call()
    return (time.perf_counter_ns() - start) / 1000


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, local_redis() as url:
        here, other = Redis.from_url(url), Redis.from_url(url)
        async with here, other:
            flags, _, named = boards(Path(tmp))
            shared, local = SharedBoards(here, named), LocalBoards()
            _, other_chaos, other_named = boards(Path(tmp))
            elsewhere = SharedBoards(other, other_named)  # the second replica
            await shared.pull()
            rows: dict[str, list[float]] = {name: [] for name in ROWS}
            for number in range(rounds):
                rows["in-process read"].append(timed_sync(flags.snapshot))
                rows["no Redis (LocalBoards)"].append(await timed(local.pull))
                rows["Redis GET"].append(await timed(lambda: here.get("switchboard:boards:version")))
                rows["pull, unchanged"].append(await timed(shared.pull))
                other_chaos.apply_preset("slow" if number % 2 else "calm")
                await elsewhere.push("chaos")
                rows["pull, after a change"].append(await timed(shared.pull))
            assert shared.seen == rounds and named["chaos"].document() == other_chaos.document()
    print(f"{rounds} rounds, loopback redis-server, 4 boards ({len(flags.snapshot())} flags)")
    for name, samples in rows.items():
        print(row(name, samples))
    unchanged = p(rows["pull, unchanged"], 50)
    print(
        f"pull, unchanged: p50 {unchanged:.1f} µs = {unchanged / p(rows['Redis GET'], 50):.2f}× a bare GET, "
        f"{unchanged / p(rows['in-process read'], 50):.0f}× the in-process read"
    )


ROWS = ("in-process read", "no Redis (LocalBoards)", "Redis GET", "pull, unchanged", "pull, after a change")

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5_000)
    asyncio.run(main(parser.parse_args().rounds))
