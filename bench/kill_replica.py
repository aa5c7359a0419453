"""Kill -9 the replica serving the streams: is every acknowledged message still there, read from
the other replica, and does each conversation carry on there?

    python bench/kill_replica.py [--conversations 8] [--min-tokens 3] [--no-chroma] [--no-redis]

Starts a real Postgres, `chroma run` and `redis-server` on free loopback ports (the starters
of tests/services/), and two `switchboard serve` replicas on them with one session secret
(tests/app/scale/replicas.py): replica one with a slow demo model, replica two with an instant
one. Each conversation gets one finished turn on replica one (so it has a checkpoint), then one
more message each; once every response is acknowledged and has streamed `--min-tokens` tokens,
replica one gets SIGKILL. Through replica two it counts:

- acknowledged messages lost (goal 0): not stored when read back;
- partial answers disagreeing with what is stored (goal 0; one must be a prefix of the other);
- turns resumed: a new message in each conversation answered on replica two, and how many of
  those threads' checkpoint rows grew (the checkpoint carried over);
- cut-off answers marked interrupted by the survivor within a few seconds (needs process leases,
  SWITCHBOARD_LEASE_TTL_S, set short here; reported, not judged).

Exits 1 if a message was lost, an answer disagrees or a conversation did not resume.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the replica helpers and service starters live beside the tests

from bench.live_server import LiveServer  # noqa: E402
from tests.app.scale.replicas import (  # noqa: E402
    FOLLOW_UP,
    INSTANT_MODEL,
    LEASE_TTL_S,
    MARKED_TIMEOUT_S,
    OPENER,
    SLOW_MODEL,
    TIMEOUT,
    Answered,
    Database,
    Held,
    Post,
    Services,
    ask,
    await_interrupted,
    common_prefix,
    examine,
    open_conversations,
    post_and_kill,
    running_replicas,
    shared_services,
)


@dataclass
class Run:
    """What the kill and what followed it left, as the client and replica two saw it."""

    posts: list[Post]
    killed_after_s: float
    held: list[Held] = field(default_factory=list)  # replica two's view, right after the kill
    answered: list[Answered] = field(default_factory=list)  # the follow-ups on replica two
    resumed_s: float = 0.0
    checkpoints_grown: int = 0  # threads whose checkpoint rows grew with the follow-up
    held_later: list[Held] = field(default_factory=list)  # replica two's view after the follow-ups


async def play(client: httpx.AsyncClient, one: LiveServer, two: LiveServer, database: Database, args: Args) -> Run:
    posts = await open_conversations(one, client, args.conversations)
    await asyncio.gather(*(ask(client, one.base_url, p, OPENER) for p in posts))
    run = Run(posts, await post_and_kill(client, one, posts, args.min_tokens))
    run.held = list(await asyncio.gather(*(examine(client, two.base_url, p) for p in posts)))
    rows = [database.checkpoint_rows(p.conversation_id) for p in posts]
    started = time.monotonic()
    run.answered = list(await asyncio.gather(*(ask(client, two.base_url, p, FOLLOW_UP) for p in posts)))
    run.resumed_s = time.monotonic() - started
    after = [database.checkpoint_rows(p.conversation_id) for p in posts]
    run.checkpoints_grown = sum(later > before for before, later in zip(rows, after, strict=True))
    run.held_later = await await_interrupted(client, two.base_url, posts)
    return run


def report(run: Run, args: Args) -> int:
    """Prints the figures; 1 if a message was lost, an answer disagrees or a turn did not resume."""
    pairs = list(zip(run.posts, run.held, strict=True))
    lost = sum(p.acknowledged and not h.message_stored for p, h in pairs)
    cut = [(p, h) for p, h in pairs if p.acknowledged and not p.done]
    disagreeing = sum(not h.agrees_with(p.seen) for p, h in cut)
    seen, kept = sum(len(p.seen) for p, _ in cut), sum(common_prefix(p.seen, h.answer or "") for p, h in cut)
    resumed = sum(a.ok for a in run.answered)
    later = zip(run.posts, run.held_later, strict=True)
    marked = sum(h.record_error.startswith("interrupted") for p, h in later if not p.done)
    print(f"{len(run.posts)} conversations on replica one (Postgres{args.services.describe()}), demo model 8 tokens/s")
    print(f"SIGKILL {run.killed_after_s:.1f} s after the posts, each answer {args.min_tokens}+ tokens in")
    print(f"acknowledged messages: {sum(p.acknowledged for p in run.posts)}; lost, read from replica two: {lost}")
    print(f"cut-off answers {len(cut)}: characters kept / seen by the client {kept}/{seen}; disagreeing {disagreeing}")
    print(f"turns resumed on replica two: {resumed}/{len(run.posts)} in {run.resumed_s:.1f} s; ", end="")
    print(f"checkpoint rows grew in {run.checkpoints_grown}")
    print(
        f"cut-off answers marked interrupted by replica two within {MARKED_TIMEOUT_S:.0f} s: {marked}/{len(cut)}"
        f" (needs process leases; lease TTL {LEASE_TTL_S:g} s)"
    )
    return 1 if lost or disagreeing or resumed < len(run.posts) else 0


@dataclass(frozen=True)
class Args:
    conversations: int
    min_tokens: int
    services: Services


async def main(args: Args) -> int:
    limits = httpx.Limits(max_connections=args.conversations * 2 + 5)
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="switchboard-kill-")))
        shared, database = stack.enter_context(shared_services(scratch, args.services))
        shared = replace(shared, lease_ttl_s=LEASE_TTL_S)  # for a survivor's sweep, once leases exist
        one, two = stack.enter_context(running_replicas(scratch, shared, SLOW_MODEL, INSTANT_MODEL))
        async with httpx.AsyncClient(timeout=TIMEOUT, limits=limits) as client:
            run = await play(client, one, two, database, args)
    return report(run, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=8)
    parser.add_argument("--min-tokens", type=int, default=3)
    parser.add_argument("--no-chroma", action="store_true", help="the embedded Chroma in each replica")
    parser.add_argument("--no-redis", action="store_true", help="leave SWITCHBOARD_REDIS_URL empty")
    args = parser.parse_args()
    chosen = Services(chroma=not args.no_chroma, redis=not args.no_redis)
    sys.exit(asyncio.run(main(Args(args.conversations, args.min_tokens, chosen))))
