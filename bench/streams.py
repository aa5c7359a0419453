"""How many open answer streams one process holds before it adds delay to them (issue 15).

    python bench/streams.py [--streams 1000] [--rate 50] [--seconds 30] [--question "..."]
    python bench/streams.py --streams 100 --seconds 10      # a quick run
    python bench/streams.py --env SWITCHBOARD_GC_FREEZE=false   # any server setting, NAME=value
    python bench/streams.py --py-spy /tmp/stacks.txt          # the server's stacks while it runs

Starts `switchboard serve` on loopback with the demo models slowed down so that each answer
streams for at least `--seconds` (their speed is set from the answer's length, measured first),
every turn running the whole graph (router, retrieval, guards) under the default switches — but
with no per-customer limits, no load shedding, no loop guard (its 30 s cap would halt every slow
answer) and a latency budget longer than the streams, so that every stream is admitted and
played to the end. Then it opens `--streams` SSE streams at
`--rate` new ones a second and keeps each to its end.

What the app adds is measured against a calm baseline in the same run, the same question played
by three streams alone just before the ramp (the demo is deterministic: the same event sequence):

- added time to first token = a stream's time from its POST to its first `token` event, less the
  calm median of the same;
- added inter-chunk gap = each gap between consecutive `token` events, less the calm median gap
  at the same position (so the model's own pace and the output watch's hold-back cancel out).

The time to first token includes the router's call, which streams at the same slow pace: under
load its chunks are delayed like the answer's, and that delay counts as added too.

Also reported: how many streams were open at once, how long they streamed, the server's resident
memory (sampled every second from /proc), and the bench client's own event-loop lag (the client
shares the machine: a lagging client inflates every figure, so it is printed beside them).
Traffic goes only to 127.0.0.1; every request has a timeout and the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from live_server import LiveServer, seed_customers

from switchboard.app.runs.metrics import percentile

QUESTION = "how long does a refund take?"  # a help-centre answer: the same for every customer
CALM_STREAMS = 3
# Off: limits that would refuse or cut a deliberately slow stream. loop_guard caps an agent's loop
# at 30 s, so it would halt every answer paced to last longer (and open a ticket for each).
OFF = {"rate_limit": False, "load_shedding": False, "token_budget": False, "model_quota": False, "loop_guard": False}
STREAM_TIMEOUT_S = 120.0
Owned = tuple[dict[str, str], str]  # a conversation's owner's headers, and its id


@dataclass
class Stream:
    """One stream as the client saw it: when it was posted and when each token event came."""

    posted: float = 0.0
    tokens: list[float] = field(default_factory=list)
    status: int = 0
    error: str = ""

    def ttft_s(self) -> float:
        return self.tokens[0] - self.posted

    def gaps_s(self) -> list[float]:
        return [b - a for a, b in zip(self.tokens, self.tokens[1:], strict=False)]

    def streamed_s(self) -> float:
        return self.tokens[-1] - self.tokens[0] if self.tokens else 0.0


@dataclass
class Baseline:
    """The calm streams' medians: time to first token, and the gap at each position."""

    ttft_s: float
    gaps_s: list[float]

    @classmethod
    def of(cls, calm: list[Stream]) -> Baseline:
        ok = [s for s in calm if s.tokens]
        length = min(len(s.tokens) for s in ok)
        gaps = [statistics.median(s.gaps_s()[i] for s in ok) for i in range(length - 1)]
        return cls(statistics.median(s.ttft_s() for s in ok), gaps)

    def added_gaps_s(self, stream: Stream) -> list[float]:
        """Each gap less the calm one at its position (past the calm's length: less its median)."""
        fallback = statistics.median(self.gaps_s) if self.gaps_s else 0.0
        return [g - (self.gaps_s[i] if i < len(self.gaps_s) else fallback) for i, g in enumerate(stream.gaps_s())]


@dataclass
class Gauges:
    """What is sampled while the streams run: open streams, the server's RSS, the client's lag."""

    open_now: int = 0
    open_most: int = 0
    rss_mb: list[float] = field(default_factory=list)
    client_lag_s: list[float] = field(default_factory=list)

    def opened(self) -> None:
        self.open_now += 1
        self.open_most = max(self.open_most, self.open_now)


async def play(client: httpx.AsyncClient, who: Owned, text: str, gauges: Gauges | None) -> Stream:
    """POSTs `text` and reads the SSE stream to its `done`, noting when each token event came."""
    headers, conversation = who
    stream = Stream(posted=time.monotonic())
    event = ""
    try:
        url = f"/api/conversations/{conversation}/messages"
        async with client.stream("POST", url, json={"text": text}, headers=headers) as r:
            stream.status = r.status_code
            if gauges is not None:
                gauges.opened()
            try:
                async for line in r.aiter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif event == "token" and line.startswith("data:"):
                        stream.tokens.append(time.monotonic())
            finally:
                if gauges is not None:
                    gauges.open_now -= 1
    except httpx.HTTPError as error:
        stream.error = type(error).__name__
    return stream


async def open_conversations(client: httpx.AsyncClient, n: int) -> list[Owned]:
    """`n` conversations, spread over the demo customers, each with its owner's headers."""
    headers = []
    for c in seed_customers():
        signed_in = await client.post("/api/session", json={"customer_id": c["id"]})
        signed_in.raise_for_status()
        client.cookies.clear()  # bearer headers only: a session cookie would make POSTs need an Origin
        token = signed_in.json()["token"]
        headers.append({"Authorization": f"Bearer {token}"})
    opened = []
    for i in range(n):
        h = headers[i % len(headers)]
        response = await client.post("/api/conversations", json={}, headers=h)
        response.raise_for_status()
        opened.append((h, response.json()["id"]))
    return opened


async def sample(server: LiveServer, gauges: Gauges, until: float) -> None:
    """Once a second, the server's RSS; every 10 ms, how late the client's own loop woke."""
    next_rss = 0.0
    while time.monotonic() < until:
        before = time.monotonic()
        await asyncio.sleep(0.01)
        gauges.client_lag_s.append(time.monotonic() - before - 0.01)
        if before >= next_rss:
            gauges.rss_mb.append(server.rss_mb())
            next_rss = before + 1.0


def pooled(base_url: str) -> httpx.AsyncClient:
    """One client for every stream (a connection each: no pool limit); one client, not one per
    stream, because building a client (its TLS context) costs the bench's loop tens of ms."""
    timeout = httpx.Timeout(STREAM_TIMEOUT_S, connect=30.0)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits)


async def ramp(
    client: httpx.AsyncClient, conversations: list[Owned], rate: float, text: str, gauges: Gauges
) -> list[Stream]:
    """Starts stream i at i/rate seconds and waits for them all."""
    start = time.monotonic()

    async def one(i: int, who: Owned) -> Stream:
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        return await play(client, who, text, gauges)

    return list(await asyncio.gather(*(one(i, who) for i, who in enumerate(conversations))))


async def answer_words(server: LiveServer, text: str) -> int:
    """How many words the answer has (the demo paces word by word), from one quick turn."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=STREAM_TIMEOUT_S) as client:
        (h, conversation) = (await open_conversations(client, 1))[0]
        r = await client.post(
            f"/api/conversations/{conversation}/messages",
            json={"text": text},
            headers={**h, "Accept": "application/json"},
        )
        return len(r.json()["answer"].split())


def pct(values: list[float], scale: float = 1000.0) -> str:
    """p50/p95/p99 and the max, in ms by default."""
    if not values:
        return "n/a"
    ranks = " ".join(f"p{p} {percentile(values, p) * scale:.1f}" for p in (50, 95, 99))
    return f"{ranks} max {max(values) * scale:.1f}"


def report(args: argparse.Namespace, base: Baseline, streams: list[Stream], gauges: Gauges, elapsed: float) -> None:
    done = [s for s in streams if s.status == 200 and s.tokens and not s.error]
    failed = Counter(s.error or str(s.status) for s in streams if not (s.status == 200 and s.tokens and not s.error))
    print(f"streams: {len(done)} of {len(streams)} to the end at {args.rate:g}/s; most open at once {gauges.open_most}")
    if failed:
        print(f"  failed: {dict(failed)}")
    if not done:
        return
    calm_gap = statistics.median(base.gaps_s) * 1000 if base.gaps_s else 0.0
    print(f"calm ({CALM_STREAMS} alone): ttft {base.ttft_s * 1000:.0f} ms, median gap {calm_gap:.0f} ms")
    lasted = [s.streamed_s() for s in done]
    print(f"streamed for (s): min {min(lasted):.1f} p50 {statistics.median(lasted):.1f}")
    print(f"added time to first token (ms): {pct([s.ttft_s() - base.ttft_s for s in done])}")
    gaps = [g for s in done for g in base.added_gaps_s(s)]
    print(f"added inter-chunk gap (ms):     {pct(gaps)} over {len(gaps)} gaps")
    print(f"server RSS (MB): start {gauges.rss_mb[0]:.0f}, peak {max(gauges.rss_mb):.0f}, end {gauges.rss_mb[-1]:.0f}")
    print(f"bench client's own loop lag (ms): {pct(gauges.client_lag_s)}")
    print(f"elapsed {elapsed:.0f} s; machine load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


async def run(args: argparse.Namespace, data: Path) -> None:
    with LiveServer(data, SWITCHBOARD_DEMO_TTFT_MS="0", SWITCHBOARD_DEMO_TOKENS_PER_S="0") as quick:
        words = await answer_words(quick, args.question)
    tokens_per_s = max(1, words - 1) / (args.seconds * 1.4)  # the last words come together
    print(f"load average before {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"answer of {words} words: demo models at {tokens_per_s:.2f} words/s, ttft {args.ttft_ms:g} ms")
    with LiveServer(data, **server_settings(args, tokens_per_s)) as server:
        server.operator("PATCH", "/api/flags", {"flags": OFF})
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
            conversations = await open_conversations(client, args.streams + CALM_STREAMS)
        async with pooled(server.base_url) as client:
            calm = [play(client, who, args.question, None) for who in conversations[:CALM_STREAMS]]
            base = Baseline.of(list(await asyncio.gather(*calm)))
            gauges = Gauges()
            started = time.monotonic()
            until = started + args.streams / args.rate + args.seconds * 4
            sampler = asyncio.create_task(sample(server, gauges, until))
            spy = profiler(args.py_spy, server, args.streams / args.rate + args.seconds)
            streams = await ramp(client, conversations[CALM_STREAMS:], args.rate, args.question, gauges)
            elapsed = time.monotonic() - started
        sampler.cancel()
        if spy is not None:
            spy.wait(timeout=args.seconds * 4)
        gauges.rss_mb.append(server.rss_mb())
        report(args, base, streams, gauges, elapsed)
        for trace in server.tracebacks()[:3]:
            print(trace)


def server_settings(args: argparse.Namespace, tokens_per_s: float) -> dict[str, str]:
    """The models slowed to `tokens_per_s`; a slot for every stream; budgets past the streams' end."""
    return {
        "SWITCHBOARD_DEMO_TTFT_MS": str(args.ttft_ms),
        "SWITCHBOARD_DEMO_TOKENS_PER_S": f"{tokens_per_s:.4f}",
        "SWITCHBOARD_MAX_CONCURRENT_TURNS": str(args.streams + CALM_STREAMS + 10),
        "SWITCHBOARD_TURN_BUDGET_S": str(args.seconds * 10),
        "SWITCHBOARD_CALL_TIMEOUT_S": str(args.seconds * 10),
        **dict(pair.split("=", 1) for pair in args.env),
    }


def profiler(path: str, server: LiveServer, seconds: float) -> subprocess.Popen[bytes] | None:
    """py-spy sampling the server while the streams run (collapsed stacks: one line per stack)."""
    if not path:
        return None
    command = ["py-spy", "record", "-p", str(server.pid()), "-d", str(int(seconds)), "-f", "raw", "-o", path]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="new streams a second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each answer streams, at least")
    parser.add_argument("--ttft-ms", type=float, default=200.0, help="the demo models' own time to first token")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--py-spy", default="", help="write py-spy's collapsed stacks of the server here")
    parser.add_argument("--env", nargs="*", default=[], help="extra server settings, NAME=value")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="switchboard-streams-") as scratch:
        asyncio.run(run(args, Path(scratch)))


if __name__ == "__main__":
    main()
