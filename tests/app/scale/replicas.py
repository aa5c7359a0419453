"""Real `switchboard serve` replicas on shared services, and answers cut off by SIGKILL.

Shared by tests/app/scale/test_replica_killed.py and bench/kill_replica.py; bench/scale_out.py
starts its services with `shared_services`, and bench/crash.py reads its streams with `send`.
A replica is a `LiveServer` (bench/live_server.py): its own
process, port and data folder; what makes several of them one deployment is `Shared`, the
settings they all get — one Postgres database (data and LangGraph checkpoints), optionally a
Chroma server and a Redis, and one session secret, so a customer signed in on one replica is
signed in on all of them, as behind a proxy.

The kill: `post_and_kill` sends one message in each conversation to replica one, waits until
every response is acknowledged (its headers came) and has streamed `min_tokens` tokens, then
SIGKILLs it. `examine` reads each conversation back through another replica and says what it
holds (`Held`); `follow_up` asks a new question there. Every wait has a hard timeout; all
traffic is on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.live_server import LiveServer
from tests.services.chroma import chroma_binary, running_chroma
from tests.services.postgres import PostgresServer, postgres_missing, running_postgres
from tests.services.redis import running_redis

CUSTOMERS = ("C1001", "C1002", "C1003")
QUESTIONS = ("how long do refunds take?", "do you ship to Canada?", "how do I care for a down sleeping bag?")
OPENER = "hello, where is my last order?"  # a finished turn before the kill: a checkpoint to carry on from
FOLLOW_UP = "thanks, and do you ship to Canada?"
STREAM_TIMEOUT_S = 60.0  # until every post is acknowledged and has streamed enough
LEASE_TTL_S = 2.0  # short, so that a survivor's sweep closes a dead replica's answers within seconds
MARKED_TIMEOUT_S = 10.0  # how long to wait for that: a few lease lapses and sweeps
TIMEOUT = httpx.Timeout(60, connect=5)
# A slow demo model (as bench/crash.py runs it): answers take seconds, so the kill lands mid-stream.
SLOW_MODEL = {"SWITCHBOARD_DEMO_TTFT_MS": "200", "SWITCHBOARD_DEMO_TOKENS_PER_S": "8"}
INSTANT_MODEL = {"SWITCHBOARD_DEMO_TTFT_MS": "0", "SWITCHBOARD_DEMO_TOKENS_PER_S": "0"}


@dataclass(frozen=True)
class Shared:
    """What every replica of one deployment is given: the services they share and the secret
    that signs sessions. Empty URLs leave that part in-process (the embedded default)."""

    database_url: str
    chroma_url: str = ""
    redis_url: str = ""
    session_secret: str = "replicas-share-this-secret"
    lease_ttl_s: float | None = None  # how soon a survivor may close a dead replica's answers

    def environment(self) -> dict[str, str]:
        chosen = {
            "SWITCHBOARD_DATABASE_URL": self.database_url,
            "SWITCHBOARD_CHROMA_URL": self.chroma_url,
            "SWITCHBOARD_REDIS_URL": self.redis_url,
            "SWITCHBOARD_LEASE_TTL_S": "" if self.lease_ttl_s is None else f"{self.lease_ttl_s:g}",
        }
        return {"SWITCHBOARD_SESSION_SECRET": self.session_secret} | {k: v for k, v in chosen.items() if v}


@dataclass(frozen=True)
class Database:
    """The replicas' Postgres database, for reading what they wrote in it."""

    server: PostgresServer
    url: str

    def checkpoint_rows(self, thread: str) -> int:
        """LangGraph checkpoints stored for one conversation (its thread)."""
        sql = f"SELECT count(*) FROM checkpoints WHERE thread_id = '{thread}'"
        return int(self.server.psql(sql, self.url.rsplit("/", 1)[1]))


@dataclass(frozen=True)
class Services:
    """Which services a bench starts besides Postgres (always there: it is what is shared)."""

    chroma: bool = True
    redis: bool = True

    def describe(self) -> str:
        return (", a Chroma server" if self.chroma else "") + (", Redis" if self.redis else "")


@contextmanager
def shared_services(scratch: Path, wanted: Services) -> Iterator[tuple[Shared, Database]]:
    """For the benches: a fresh Postgres (and a Chroma server and a Redis, as `wanted`) on free
    loopback ports, stopped on the way out; what replicas are given to share them."""
    if reason := postgres_missing():
        raise SystemExit(reason)
    if wanted.chroma and chroma_binary() is None:
        raise SystemExit("chromadb's `chroma` CLI is missing: run with --no-chroma")
    if wanted.redis and shutil.which("redis-server") is None:
        raise SystemExit("redis-server is missing (scripts/ensure-services.sh): run with --no-redis")
    with ExitStack() as stack:
        # Not under `scratch`: the postgres user must reach its folder (as the test fixture does).
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="switchboard-pg-")))
        postgres = stack.enter_context(running_postgres(folder))
        database = Database(postgres, postgres.fresh_database())
        chroma_url, redis_url = "", ""
        if wanted.chroma:
            (scratch / "chroma").mkdir()
            chroma_url = stack.enter_context(running_chroma(scratch / "chroma"))
        if wanted.redis:
            (scratch / "redis").mkdir()
            redis_url = stack.enter_context(running_redis(scratch / "redis"))
        yield Shared(database.url, chroma_url, redis_url), database


@contextmanager
def running_replicas(scratch: Path, shared: Shared, *models: dict[str, str]) -> Iterator[list[LiveServer]]:
    """One replica per entry of `models` (its demo-model settings), each with a data folder of
    its own under `scratch`, started one after the other and stopped on the way out."""
    with ExitStack() as stack:
        servers = []
        for n, model in enumerate(models, start=1):
            server = LiveServer(scratch / f"replica-{n}", **shared.environment(), **model)
            servers.append(stack.enter_context(server))
            # The judge would grade turns on the same slow model: not what these runs are about.
            server.operator("PATCH", "/api/flags", {"flags": {"online_evals": False}})
        yield servers


@dataclass
class Post:
    """One message sent to the replica about to be killed, as the client experienced it."""

    conversation_id: str
    text: str
    headers: dict[str, str] = field(repr=False)  # the customer's sign-in, good on every replica
    acknowledged: bool = False
    tokens: int = 0
    seen: str = ""  # answer text received before the connection died
    done: bool = False  # the `done` event came: the turn finished before the kill


async def open_conversations(server: LiveServer, client: httpx.AsyncClient, count: int) -> list[Post]:
    """`count` conversations on `server`, spread over the demo customers, each with a question."""
    posts = []
    for n in range(count):
        headers = await asyncio.to_thread(server.sign_in, CUSTOMERS[n % len(CUSTOMERS)])
        response = await client.post(f"{server.base_url}/api/conversations", json={}, headers=headers)
        response.raise_for_status()
        posts.append(Post(str(response.json()["id"]), QUESTIONS[n % len(QUESTIONS)], headers))
    return posts


async def send(client: httpx.AsyncClient, base_url: str, post: Post) -> None:
    """Posts the message and reads the stream until it ends or the server dies."""
    url = f"{base_url}/api/conversations/{post.conversation_id}/messages"
    headers = {**post.headers, "accept": "text/event-stream"}
    try:
        async with client.stream("POST", url, json={"text": post.text}, headers=headers) as response:
            post.acknowledged = response.status_code == 200
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "token":
                    post.seen += json.loads(line[5:])["text"]
                    post.tokens += 1
                elif line.startswith("data:") and event == "done":
                    post.done = True
    except httpx.TransportError:
        pass  # the server was killed: what was seen is what counts


def streaming(posts: list[Post], min_tokens: int) -> bool:
    """Every post acknowledged, and each has streamed `min_tokens` tokens or already finished."""
    return all(p.acknowledged and (p.tokens >= min_tokens or p.done) for p in posts)


async def post_and_kill(client: httpx.AsyncClient, server: LiveServer, posts: list[Post], min_tokens: int) -> float:
    """Sends every post to `server` at once, SIGKILLs it once all are `streaming`; returns the
    seconds from the first post to the kill. Raises TimeoutError if that never happens."""
    started = time.monotonic()
    tasks = [asyncio.create_task(send(client, server.base_url, post)) for post in posts]
    try:
        while not streaming(posts, min_tokens):
            if time.monotonic() - started > STREAM_TIMEOUT_S:
                raise TimeoutError(f"not every answer streamed {min_tokens} tokens in {STREAM_TIMEOUT_S:.0f} s")
            await asyncio.sleep(0.005)  # another process's stream: only polling can see it
    finally:
        server.kill()
        await asyncio.wait(tasks, timeout=10)
    return time.monotonic() - started


def common_prefix(a: str, b: str) -> int:
    """How many leading characters two texts share."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


@dataclass(frozen=True)
class Held:
    """What a surviving replica holds of one post: the message, and the answer it was getting."""

    message_stored: bool
    answer: str | None  # the stored answer's text; None when no answer is stored
    complete: bool
    record_error: str  # the answer's record's error ("" without a record)

    def agrees_with(self, seen: str) -> bool:
        """The prefix rule: the server saves the answer as it streams, so what is stored and
        what the client saw are one a prefix of the other (either may be ahead)."""
        stored = self.answer or ""
        return stored.startswith(seen) or seen.startswith(stored)


async def examine(client: httpx.AsyncClient, base_url: str, post: Post) -> Held:
    url = f"{base_url}/api/conversations/{post.conversation_id}/messages"
    messages = (await client.get(url, headers=post.headers)).json()
    asked = next((n for n, m in enumerate(messages) if m["role"] == "user" and m["content"] == post.text), None)
    reply = next((m for m in messages[(asked or 0) + 1 :] if m["role"] == "assistant"), None)
    if asked is None or reply is None:
        return Held(asked is not None, None, False, "")
    error = ""
    if reply.get("record_id"):
        record = (await client.get(f"{base_url}/api/records/{reply['record_id']}", headers=post.headers)).json()
        error = str(record.get("error") or "")
    return Held(True, str(reply["content"]), bool(reply["complete"]), error)


async def await_interrupted(client: httpx.AsyncClient, base_url: str, posts: list[Post]) -> list[Held]:
    """What `base_url` holds of each post once every cut-off answer is marked interrupted (a
    survivor's sweep closes them once the dead replica's lease lapses), or after MARKED_TIMEOUT_S."""
    deadline = time.monotonic() + MARKED_TIMEOUT_S
    while True:
        held = list(await asyncio.gather(*(examine(client, base_url, p) for p in posts)))
        cut_off = [h for p, h in zip(posts, held, strict=True) if not p.done]
        if all(h.record_error.startswith("interrupted") for h in cut_off) or time.monotonic() > deadline:
            return held
        await asyncio.sleep(0.25)  # another process's sweep: only polling can see it


@dataclass(frozen=True)
class Answered:
    """A follow-up's reply on the surviving replica."""

    status: int
    answer: str
    outcome: str

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.answer) and self.outcome != "error"


async def ask(client: httpx.AsyncClient, base_url: str, post: Post, text: str) -> Answered:
    """One whole turn in the post's conversation, answered as JSON (no stream)."""
    url = f"{base_url}/api/conversations/{post.conversation_id}/messages"
    headers = {**post.headers, "accept": "application/json"}
    reply = await client.post(url, json={"text": text}, headers=headers)
    body = reply.json()
    if reply.status_code != 200:
        return Answered(reply.status_code, "", str(body))
    return Answered(200, str(body.get("answer") or ""), str(body["record"]["outcome"]))
