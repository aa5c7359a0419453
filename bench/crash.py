"""Kill -9 mid-answer: is every acknowledged message still there after a restart?

    python bench/crash.py [--conversations 40] [--tokens-per-s 8] [--spread 3]

Starts `switchboard serve` on a free loopback port with its own temporary data folder and a
slow demo model, posts one message in each of N conversations over a few seconds, waits
until every response's headers have come (the message is acknowledged) — by then the first
answers have streamed part-way and the last messages are milliseconds old — and sends
SIGKILL. It restarts the server on the same data folder and checks through the API, signed
in as each conversation's customer:

- every acknowledged message is stored;
- every answer the client saw part of agrees with what is stored (one is a prefix of the
  other: the server saves the answer as it streams, so what is kept is up to the last save);
- each turn that was cut off has a record saying it was interrupted;
- a new message in each conversation is answered.

Prints the figures and exits non-zero if any of that fails. Loopback only; every wait has a
hard timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from live_server import LiveServer

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the client's side of a stream, shared with the replica-kill test

from tests.app.scale.replicas import Post, common_prefix, open_conversations, send  # noqa: E402

BURST_TIMEOUT_S = 60.0
CHECK_TIMEOUT_S = 180.0
TIMEOUT = httpx.Timeout(30, connect=5)
LEASE_TTL_S = 2.0  # short, so the restarted server closes the killed one's answers soon


async def burst(client: httpx.AsyncClient, posts: list[Post], server: LiveServer, spread: float) -> None:
    """Posts arrive over `spread` seconds — the first are streaming part-way when the last are
    sent — and SIGKILL goes the moment the last is acknowledged, so that some acknowledged
    messages are only milliseconds old when the server dies."""
    tasks = []
    for post in posts:
        tasks.append(asyncio.create_task(send(client, server.base_url, post)))
        await asyncio.sleep(spread / len(posts))
    deadline = time.monotonic() + BURST_TIMEOUT_S
    while not all(p.acknowledged for p in posts) and time.monotonic() < deadline:
        await asyncio.sleep(0.001)
    server.kill()
    await asyncio.wait(tasks, timeout=10)


@dataclass
class Findings:
    acknowledged: int = 0
    lost: int = 0
    partial: int = 0  # cut-off answers the client had seen part of
    chars_seen: int = 0
    chars_kept: int = 0  # of those seen, how many are stored
    disagreeing: int = 0  # stored text that is not a prefix of what was seen, nor the other way round
    unmarked: int = 0  # cut-off turns whose record does not say interrupted
    unanswered: int = 0  # follow-ups after the restart that did not get an answer
    why_unanswered: Counter[str] = field(default_factory=Counter)


async def check(client: httpx.AsyncClient, post: Post, found: Findings) -> None:
    url = f"/api/conversations/{post.conversation_id}/messages"
    messages = (await client.get(url, headers=post.headers)).json()
    if not any(m["role"] == "user" and m["content"] == post.text for m in messages):
        found.lost += 1
        return
    reply = next((m for m in messages if m["role"] == "assistant"), None)
    if reply is None or reply["complete"]:
        return
    stored, seen = reply["content"], post.seen
    if seen:
        found.partial += 1
        found.chars_seen += len(seen)
        found.chars_kept += common_prefix(stored, seen)
    if not (stored.startswith(seen) or seen.startswith(stored)):
        found.disagreeing += 1
    record_url = f"/api/records/{reply['record_id']}"
    record = (await client.get(record_url, headers=post.headers)).json() if reply["record_id"] else {}
    if not str(record.get("error", "")).startswith("interrupted"):
        found.unmarked += 1


async def follow_up(client: httpx.AsyncClient, post: Post, found: Findings) -> None:
    url = f"/api/conversations/{post.conversation_id}/messages"
    headers = {**post.headers, "accept": "application/json"}
    reply = await client.post(url, json={"text": "thanks, and do you ship to Canada?"}, headers=headers)
    body = reply.json()
    if reply.status_code != 200 or body["record"]["outcome"] == "error" or not body["answer"]:
        found.unanswered += 1
        found.why_unanswered[f"{reply.status_code} {body.get('record', body).get('error')}"] += 1


async def main(conversations: int, tokens_per_s: float, spread: float) -> int:
    limits = httpx.Limits(max_connections=conversations + 5)
    with tempfile.TemporaryDirectory(prefix="switchboard-crash-") as scratch:
        speed = {
            "SWITCHBOARD_DEMO_TTFT_MS": "200",
            "SWITCHBOARD_DEMO_TOKENS_PER_S": f"{tokens_per_s:g}",
            "SWITCHBOARD_LEASE_TTL_S": f"{LEASE_TTL_S:g}",
        }
        with LiveServer(Path(scratch), **speed) as server:
            # The judge would grade some turns on the same slow model: not what is measured here.
            server.operator("PATCH", "/api/flags", {"flags": {"online_evals": False}})
            async with httpx.AsyncClient(base_url=server.base_url, timeout=TIMEOUT, limits=limits) as client:
                posts = await open_conversations(server, client, conversations)
                started = time.perf_counter()
                await burst(client, posts, server, spread)
                killed_after = time.perf_counter() - started
                found = Findings(acknowledged=sum(p.acknowledged for p in posts))
                server.start()  # the same data folder and port, after the SIGKILL
                # The killed process's cut-off answers are closed once its lease lapses (ttl, then
                # the next keeper tick at ttl/3): wait that long, as a survivor would.
                await asyncio.sleep(LEASE_TTL_S * 4 / 3 + 0.5)
                acknowledged = [p for p in posts if p.acknowledged]
                checks = [check(client, p, found) for p in acknowledged]
                await asyncio.wait_for(asyncio.gather(*checks), CHECK_TIMEOUT_S)
                answers = [follow_up(client, p, found) for p in acknowledged]
                await asyncio.wait_for(asyncio.gather(*answers), CHECK_TIMEOUT_S)
    report(found, posts, killed_after, tokens_per_s)
    return 1 if found.lost or found.disagreeing or found.unmarked or found.unanswered else 0


def report(found: Findings, posts: list[Post], killed_after: float, tokens_per_s: float) -> None:
    finished = sum(p.done for p in posts)
    print(f"conversations: {len(posts)} × 1 message, demo model at {tokens_per_s:g} tokens/s")
    print(f"SIGKILL after {killed_after:.1f} s; {finished} turns had finished before it")
    print(f"acknowledged (200 received): {found.acknowledged}; lost after restart: {found.lost}")
    kept = f"{found.chars_kept}/{found.chars_seen}" if found.chars_seen else "0/0"
    share = f" ({found.chars_kept / found.chars_seen:.0%})" if found.chars_seen else ""
    print(f"partial answers: {found.partial}; characters kept / seen by the client: {kept}{share}")
    print(f"stored text disagreeing with what was seen: {found.disagreeing}")
    print(f"cut-off turns not marked interrupted: {found.unmarked}")
    print(f"follow-ups after the restart not answered: {found.unanswered}")
    for why, count in found.why_unanswered.most_common(3):
        print(f"  {count} × {why}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--tokens-per-s", type=float, default=8)
    parser.add_argument("--spread", type=float, default=3.0, help="seconds over which the posts arrive")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.conversations, args.tokens_per_s, args.spread)))
