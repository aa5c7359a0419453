"""Stalled clients against `backpressure`: does the server's memory stay flat, and do the clients
that do read keep their pace?

    python bench/backpressure.py [--stalled 100] [--readers 8] [--stall-s 5] [--tokens-per-s 20]

Starts `switchboard serve` on a free loopback port (its own temporary data folder, the demo model
at a set pace, `rate_limit` and `load_shedding` off so that every message is played). Then, in
one run:

1. baseline: `readers` clients ask at once and read every event; the gaps between their answer
   tokens are measured;
2. `stalled` clients send a message each over a socket with a small receive buffer and never read
   a byte. Their turns are played (a burst of CPU like any 100 turns, not the subject here); once
   the stall time has passed, with every stalled connection still open, the same readers ask
   again (gaps measured the same way). The server's resident memory (VmRSS) is sampled all along;
3. memory is read again and /metrics says how the stalled clients' turns ended (`cancelled`:
   taken as gone; `answered`: the whole answer fitted in the socket buffers, nothing stalled).

Prints RSS before / peak / after, gap p50 and p99 in both phases and their ratio. The machine is
shared and noisy: the ratio within one run is the figure.

The demo's answers are a few hundred bytes: they fit in the socket buffers, so a stalled client
there never pauses its model. `--long` shows the pause itself: in this process, a loopback
OpenAI-compatible model writing `--words` words (disconnect.py's), `--long` stalled clients on
the app's SSE route, with `backpressure` on and then off; for each, the words every stalled
stream's model wrote before its stream ended, and this process's RSS.

Loopback only; every wait is bounded (about 20 s at the defaults, as long again with `--long`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import socket
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from live_server import LiveServer
from starlette.applications import Starlette
from starlette.routing import Route

CUSTOMERS = ("C1001", "C1002", "C1003")
QUESTION = "how do I care for a down sleeping bag?"
TIMEOUT = httpx.Timeout(30, connect=5)
ADMIN_HEADERS = {"X-Admin-Token": "bench-admin"}
STALLED_RCVBUF = 2048  # bytes the stalled client's kernel will take before the server must wait
SERVER_SNDBUF = 16384  # --long: the app's send buffer per connection (the kernel's autotuned one grows to 4 MiB)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


async def conversation(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/api/conversations", json={}, headers=headers)
    response.raise_for_status()
    return str(response.json()["id"])


async def read_one(client: httpx.AsyncClient, headers: dict[str, str]) -> list[float]:
    """One reader's gaps between answer tokens, in ms."""
    conv = await conversation(client, headers)
    stamps: list[float] = []
    path = f"/api/conversations/{conv}/messages"
    async with client.stream("POST", path, json={"text": QUESTION}, headers=headers) as response:
        if response.status_code != 200:
            raise SystemExit(f"a reader's message got {response.status_code}: {(await response.aread())[:200]!r}")
        async for line in response.aiter_lines():
            if line.startswith("event: token"):
                stamps.append(time.perf_counter())
    return [(b - a) * 1000 for a, b in itertools.pairwise(stamps)]


async def readers(server: LiveServer, signed: list[dict[str, str]], count: int) -> list[float]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=TIMEOUT) as client:
        gaps = await asyncio.gather(*(read_one(client, signed[i % len(signed)]) for i in range(count)))
    return [g for one in gaps for g in one]


def stalled_socket(port: int, headers: dict[str, str], conv: str) -> socket.socket:
    """A client that sends its message and never reads the answer."""
    body = json.dumps({"text": QUESTION}).encode()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, STALLED_RCVBUF)
    sock.connect(("127.0.0.1", port))
    head = (
        f"POST /api/conversations/{conv}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {headers['Authorization']}\r\nContent-Type: application/json\r\n"
        f"Accept: text/event-stream\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    return sock


async def sample_peak(pid: int, until: asyncio.Event) -> int:
    peak = rss_kib(pid)
    while not until.is_set():
        peak = max(peak, rss_kib(pid))
        await asyncio.sleep(0.1)  # the sampling interval
    return peak


def cancelled_turns(server: LiveServer) -> dict[str, float]:
    text = httpx.get(f"{server.base_url}/metrics", headers=ADMIN_HEADERS, timeout=10).text
    counts: dict[str, float] = {}
    for outcome, value in re.findall(r'switchboard_turns_total\{[^}]*outcome="(\w+)"[^}]*\} ([0-9.e+]+)', text):
        counts[outcome] = counts.get(outcome, 0) + float(value)
    return counts


async def main(args: argparse.Namespace) -> None:
    data = Path(tempfile.mkdtemp(prefix="bench-backpressure-"))
    env = {
        "SWITCHBOARD_DEMO_TOKENS_PER_S": str(args.tokens_per_s),
        "SWITCHBOARD_DEMO_TTFT_MS": "100",
        "SWITCHBOARD_STREAM_STALL_S": str(args.stall_s),
        "SWITCHBOARD_MAX_CONCURRENT_TURNS": str(args.stalled + 4 * args.readers),  # slots are not the subject here
    }
    with LiveServer(data, **env) as server:
        server.operator("PATCH", "/api/flags", {"flags": {"rate_limit": False, "load_shedding": False}})
        pid = server._process.pid  # type: ignore[union-attr]
        signed = [server.sign_in(c) for c in CUSTOMERS]
        await readers(server, signed, 2)  # warm-up: first-turn costs out of the figures
        baseline = await readers(server, signed, args.readers)
        before = rss_kib(pid)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=TIMEOUT) as client:
            convs = [await conversation(client, signed[i % len(signed)]) for i in range(args.stalled)]
        socks = [stalled_socket(server.port, signed[i % len(signed)], c) for i, c in enumerate(convs)]
        done = asyncio.Event()
        peak_task = asyncio.create_task(sample_peak(pid, done))
        # Their turns play (costing CPU like any turn, which is not the subject) and stall or end;
        # then the readers ask again with the stalled connections still open.
        await asyncio.sleep(args.stall_s + 3)
        loaded = await readers(server, signed, args.readers)
        done.set()
        peak, after = await peak_task, rss_kib(pid)
        outcomes = cancelled_turns(server)
        for sock in socks:
            sock.close()
    report(args, baseline, loaded, before, peak, after, outcomes)


def report(
    args: argparse.Namespace,
    baseline: list[float],
    loaded: list[float],
    before: int,
    peak: int,
    after: int,
    outcomes: dict[str, float],
) -> None:
    b50, b99, l50, l99 = (percentile(v, q) for v, q in ((baseline, 50), (baseline, 99), (loaded, 50), (loaded, 99)))
    print(f"{args.readers} readers, {args.stalled} stalled clients, demo at {args.tokens_per_s} tokens/s")
    print(f"RSS: before {before / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, after {after / 1024:.1f} MiB")
    print(f"token gaps, no stalled clients:   p50 {b50:.1f} ms  p99 {b99:.1f} ms  ({len(baseline)} gaps)")
    print(f"token gaps, {args.stalled} stalled clients: p50 {l50:.1f} ms  p99 {l99:.1f} ms  ({len(loaded)} gaps)")
    print(f"ratio stalled/none: p50 {l50 / b50:.2f}x  p99 {l99 / b99:.2f}x  (mean {statistics.mean(loaded):.1f} ms)")
    print("turns by outcome (all phases):", {k: int(v) for k, v in sorted(outcomes.items())})


async def long_answers(args: argparse.Namespace) -> None:
    """`--long`: stalled clients against a model with a long answer, backpressure on, then off."""
    from disconnect import SlowModel, serve  # the same loopback model and server

    from switchboard.app.settings import Settings
    from switchboard.app.web.main import create_app

    model = SlowModel(args.words, 0.002)
    wire = Starlette(routes=[Route("/v1/chat/completions", model.completions, methods=["POST"])])
    with serve(wire) as model_url:
        settings = Settings(
            data_dir=Path(tempfile.mkdtemp(prefix="bench-backpressure-long-")),
            admin_token=ADMIN_HEADERS["X-Admin-Token"],
            openai_base_url=model_url + "/v1",
            openai_model="slow",
            stream_stall_s=args.stall_s,
            turn_budget_s=60,
        )
        # A small, fixed send buffer, so that a stalled client is felt by the app, not the kernel.
        with serve(create_app(settings), sndbuf=SERVER_SNDBUF) as url:
            for on in (True, False):
                await stalled_long(url, model, args, on)


async def stalled_long(url: str, model: Any, args: argparse.Namespace, on: bool) -> None:
    quiet = {"model_routing": False, "escalation_triggers": False, "semantic_cache": False, "rate_limit": False}
    async with httpx.AsyncClient(base_url=url, headers={"Origin": url}, timeout=TIMEOUT) as client:
        await client.patch("/api/flags", json={"flags": {**quiet, "backpressure": on}}, headers=ADMIN_HEADERS)
        token = (await client.post("/api/session", json={"customer_id": "C1001"})).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        convs = [await conversation(client, headers) for _ in range(args.long)]
    before, ended, written = rss_kib(os.getpid()), len(model.ended), model.written
    port = int(url.rsplit(":", 1)[1])
    socks = [stalled_socket(port, headers, c) for c in convs]
    deadline = time.monotonic() + args.words * 0.002 + args.stall_s + 20
    while len(model.ended) < ended + args.long and time.monotonic() < deadline:
        await asyncio.sleep(0.1)  # polling the model server's count, bounded
    words = sorted(n for n, _ in model.ended[ended:])
    after, mean = rss_kib(os.getpid()), (model.written - written) / args.long
    for sock in socks:
        sock.close()
    state = "on " if on else "off"
    print(
        f"backpressure {state}: {len(words)} of {args.long} stalled streams ended; words each model wrote "
        f"min {words[0] if words else '-'} median {words[len(words) // 2] if words else '-'} of {args.words}; "
        f"mean words written per stalled stream, ended or not: {mean:.0f}; "
        f"RSS {before / 1024:.1f} -> {after / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stalled", type=int, default=100)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--stall-s", type=float, default=5.0)
    parser.add_argument("--tokens-per-s", type=float, default=20.0)
    parser.add_argument("--long", type=int, default=0, help="stalled clients against a long answer, instead")
    parser.add_argument("--words", type=int, default=3000, help="with --long: the answer's words")
    parsed = parser.parse_args()
    asyncio.run(long_answers(parsed) if parsed.long else main(parsed))
