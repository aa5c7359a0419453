"""What `tracing` costs a turn: p50/p95 of whole turns with it on and off, interleaved in one run.

    python bench/tracing.py [--turns 300]

Plays turns through the same path the browser uses (TurnRunner: store, graph, gateway, record)
with the demo model at zero latency, so a turn's time is what the app adds. Each question is
asked twice in a row, once with `tracing` on and once off, the order alternating (ABBA), so
that warm-up, caches and the database's growth fall on both sides alike. A turn is timed from
`play` to the end of its stream: with tracing on that includes making every span and writing
the turn's spans to the database (the in-process exporter). The HTTP request's span is not in it
(no HTTP here): one more span, ended by the middleware.

The goal (issue 14) is at most 0.5 ms added at p50.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from switchboard.app.runs.metrics import percentile
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings

QUESTIONS = [
    "where is my order?",
    "how do I return a tent?",
    "and when will the refund arrive?",
    "how many points do I have?",
    "do you ship to Canada?",
]
WARM_UP = 10


async def one_turn(services: Services, conversation: str, text: str, flags: dict[str, bool]) -> tuple[float, int]:
    """The turn's wall time in ms, and how many spans it wrote."""
    started = time.perf_counter()
    trace_id = None
    async for event in services.turns.play(conversation, "C1001", text, flags=flags):
        if event.kind == "done":
            trace_id = event.data["trace_id"]
    elapsed = (time.perf_counter() - started) * 1000
    spans = len(await services.traces.trace(trace_id)) if trace_id else 0
    return elapsed, spans


async def main(turns: int) -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as services:
        base = services.flags.snapshot()
        flags = {False: {**base, "tracing": False}, True: {**base, "tracing": True}}
        times: dict[bool, list[float]] = {False: [], True: []}
        spans: list[int] = []
        for n in range(WARM_UP + turns):
            if n % len(QUESTIONS) == 0:
                conversation = (await services.conversations.create("C1001")).id
            order = (True, False) if n % 2 else (False, True)
            for on in order:
                elapsed, written = await one_turn(services, conversation, QUESTIONS[n % len(QUESTIONS)], flags[on])
                if n >= WARM_UP:
                    times[on].append(elapsed)
                    if on:
                        spans.append(written)
    off, on = times[False], times[True]
    print(f"turns: {turns} each way, interleaved (demo model at zero latency)")
    print(f"spans written per traced turn: p50 {percentile(spans, 50):.0f}")
    print(f"tracing off: p50 {percentile(off, 50):.2f} ms  p95 {percentile(off, 95):.2f} ms")
    print(f"tracing on:  p50 {percentile(on, 50):.2f} ms  p95 {percentile(on, 95):.2f} ms")
    p50 = percentile(on, 50) - percentile(off, 50)
    p95 = percentile(on, 95) - percentile(off, 95)
    print(f"difference:  p50 {p50:+.2f} ms  p95 {p95:+.2f} ms   (goal: ≤ 0.5 ms at p50)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=300)
    asyncio.run(main(parser.parse_args().turns))
