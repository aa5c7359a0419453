"""What the app adds to a turn, with the demo model at zero latency.

    python bench/turn.py [--turns 200]

Plays turns through the same path the browser uses (TurnRunner: store, graph, gateway, record)
and, in the same run, the bare model calls the turn makes (the gateway with no graph, stores or
records). With the model instant, the turn's time is what the app adds; the difference between
the two is what the orchestration (graph, stores, retrieval, recording) costs. Prints p50/p95.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from switchboard.agents.llm.types import ChatRequest
from switchboard.app.runs.metrics import percentile
from switchboard.app.services import running_services
from switchboard.app.settings import Settings

QUESTIONS = [
    "where is my order?",
    "how do I return a tent?",
    "and when will the refund arrive?",
    "how many points do I have?",
    "do you ship to Canada?",
]


async def main(turns: int) -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as services:
        totals, ttfts = [], []
        for n in range(turns):
            if n % len(QUESTIONS) == 0:
                conversation = await services.conversations.create("C1001")
            async for event in services.turns.play(conversation.id, "C1001", QUESTIONS[n % len(QUESTIONS)]):
                if event.kind == "done":
                    totals.append(event.data["total_ms"])
                    ttfts.append(event.data["ttft_ms"])
        bare = []
        request = ChatRequest([{"role": "user", "content": "where is my order?"}], "demo-large")
        for _ in range(turns):
            started = time.perf_counter()
            await services.gateway.complete(request, purpose="bench")
            bare.append((time.perf_counter() - started) * 1000)
    print(f"turns: {turns} (demo model at zero latency; 2 model calls + tools or retrieval per turn)")
    print(f"app-added latency per turn: p50 {percentile(totals, 50):.2f} ms  p95 {percentile(totals, 95):.2f} ms")
    print(f"app-added time to first token: p50 {percentile(ttfts, 50):.2f} ms  p95 {percentile(ttfts, 95):.2f} ms")
    print(f"one bare gateway call (baseline): p50 {statistics.median(bare):.2f} ms")
    print(f"turn / bare call: {statistics.median(totals) / statistics.median(bare):.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    asyncio.run(main(parser.parse_args().turns))
