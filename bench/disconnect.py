"""A browser that closes the page mid-answer: how soon does the model stop, and is the call counted?

    python bench/disconnect.py [--turns 10] [--words 400] [--every-ms 10]

In one process, on loopback: an OpenAI-compatible model server that streams `--words` words,
one every `--every-ms`, and notes when and after how many words its client hung up; the app,
served by uvicorn with that server as its primary model; a client that sends a message, reads
three answer tokens and closes the connection. For each turn it measures the time from the
client's close to the model server seeing its stream closed, how many words the model had left
to write, and whether the turn's record counts the cut call. Prints p50 and the worst.

Run against another checkout with `PYTHONPATH=<checkout> python bench/disconnect.py` (the same
script, that checkout's app). Every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from switchboard.app.settings import Settings
from switchboard.app.web.main import create_app

ADMIN = {"X-Admin-Token": "bench-admin"}
QUESTION = "how do I return a tent?"


def _sse(event: dict[str, Any] | str) -> str:
    return f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n"


def _delta(text: str) -> dict[str, Any]:
    return {"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": text}}]}


class SlowModel:
    """Streams long answers; per answer stream: words sent, and when it ended (perf_counter)."""

    def __init__(self, words: int, every_s: float) -> None:
        self.words, self.every_s = words, every_s
        self.ended: list[tuple[int, float]] = []
        self.written = 0  # words written by every answer stream, ended or not
        self.stream_ended = threading.Event()

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        if "response_format" in body:  # the router: the help centre
            route = json.dumps({"route": "knowledge", "confidence": 0.95})
            usage = {"id": "c1", "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 3}}
            return Response(_sse(_delta(route)) + _sse(usage) + _sse("[DONE]"), media_type="text/event-stream")
        return StreamingResponse(self._answer(), media_type="text/event-stream")

    async def _answer(self) -> AsyncIterator[str]:
        sent = 0
        try:
            for _ in range(self.words):
                yield _sse(_delta("word "))
                sent += 1
                self.written += 1
                await asyncio.sleep(self.every_s)  # the model's pace
            yield _sse("[DONE]")
        finally:
            self.ended.append((sent, time.perf_counter()))
            self.stream_ended.set()


@contextmanager
def serve(app: Any, sndbuf: int | None = None) -> Iterator[str]:
    """`sndbuf`: the send buffer of every connection accepted (None: the kernel's, autotuned)."""
    listening = socket.socket()
    if sndbuf is not None:  # accepted connections inherit it; set, it is no longer autotuned
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("a loopback server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listening.close()


def one_turn(client: httpx.Client, model: SlowModel) -> tuple[float, int, dict[str, Any]]:
    """(ms from the client's close to the model's stream ending, words left unwritten, record)."""
    conversation = client.post("/api/conversations", json={}).json()["id"]
    model.stream_ended.clear()
    seen = 0
    path = f"/api/conversations/{conversation}/messages"
    with client.stream("POST", path, json={"text": QUESTION}) as response:
        for line in response.iter_lines():
            seen += line.startswith("event: token")
            if seen == 3:
                break
    closed = time.perf_counter()
    if not model.stream_ended.wait(timeout=model.words * model.every_s + 10):
        raise SystemExit("the model's stream never ended")
    sent, ended = model.ended[-1]
    return (ended - closed) * 1000, model.words - sent, record_of(client, conversation)


def record_of(client: httpx.Client, conversation: str) -> dict[str, Any]:
    for _ in range(500):  # the record is written on the server's thread: at most 5 s
        messages = client.get(f"/api/conversations/{conversation}/messages").json()
        if len(messages) == 2 and messages[1].get("record_id"):
            record: dict[str, Any] = client.get(f"/api/records/{messages[1]['record_id']}").json()
            return record
        time.sleep(0.01)
    return {}


def main(args: argparse.Namespace) -> None:
    model = SlowModel(args.words, args.every_ms / 1000)
    wire = Starlette(routes=[Route("/v1/chat/completions", model.completions, methods=["POST"])])
    with serve(wire) as model_url:
        settings = Settings(
            data_dir=Path(tempfile.mkdtemp(prefix="bench-disconnect-")),
            demo_ttft_ms=0,
            demo_tokens_per_s=0,
            admin_token=ADMIN["X-Admin-Token"],
            openai_base_url=model_url + "/v1",
            openai_model="slow",
        )
        with serve(create_app(settings)) as url:
            client = httpx.Client(base_url=url, headers={"Origin": url}, timeout=30)
            token = client.post("/api/session", json={"customer_id": "C1001"}).json()["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            quiet = {"model_routing": False, "escalation_triggers": False, "semantic_cache": False}
            client.patch("/api/flags", json={"flags": quiet}, headers=ADMIN).raise_for_status()
            results = [one_turn(client, model) for _ in range(args.turns)]
    report(args, results)


def report(args: argparse.Namespace, results: list[tuple[float, int, dict[str, Any]]]) -> None:
    stops = sorted(ms for ms, _, _ in results)
    left = [n for _, n, _ in results]
    counted = sum(1 for *_, r in results if r.get("calls") and r["calls"][-1].get("purpose") == "knowledge")
    outcomes = sorted({str(r.get("outcome")) for *_, r in results})
    print(f"{args.turns} turns, the model writing {args.words} words at one per {args.every_ms:g} ms")
    print(f"client closed -> model's stream closed: p50 {stops[len(stops) // 2]:.1f} ms, worst {stops[-1]:.1f} ms")
    print(f"words the model had left to write when it stopped: min {min(left)} of {args.words}")
    print(f"records counting the cut answer call: {counted} of {args.turns}; outcomes {outcomes}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--every-ms", type=float, default=10.0)
    main(parser.parse_args())
