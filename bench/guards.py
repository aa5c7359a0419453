"""What the safety guards add to a turn, switch by switch, with the demo model at zero latency.

    python bench/guards.py [--rounds 8]

Plays the same questions in one process under every switch on, then with one guard off at a
time, then with all four off (interleaved round by round, so machine noise lands on every
configuration alike). Prints p50 and mean per turn and each configuration's difference from
all-on. The scanner caches verdicts per text, so repeated questions show the warm cost.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings

QUESTIONS = [
    "where is my order?",
    "how long do refunds take to reach my card?",
    "what email do you have on file for me?",
    "do you ship to Canada?",
    "how do I repair a tent pole?",
]
GUARDS = ("injection_scan", "least_privilege", "canary", "pii_redaction", "spotlighting")
CONFIGS = {
    "all on": {},
    **{f"{guard} off": {guard: False} for guard in GUARDS},
    "scan, least privilege, canary, PII off": dict.fromkeys(GUARDS[:4], False),
}


async def timed_turn(services: Services, text: str, flags: dict[str, bool]) -> float:
    conversation = await services.conversations.create("C1001")
    started = time.perf_counter()
    async for _ in services.turns.play(conversation.id, "C1001", text, flags=flags):
        pass
    return (time.perf_counter() - started) * 1000


async def main(rounds: int) -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as services:
        base = services.flags.snapshot()
        timings: dict[str, list[float]] = {name: [] for name in CONFIGS}
        for _ in range(rounds):
            for name, changes in CONFIGS.items():
                for text in QUESTIONS:
                    timings[name].append(await timed_turn(services, text, {**base, **changes}))
    reference = statistics.median(timings["all on"])
    print(f"{len(QUESTIONS) * rounds} turns per configuration (ms per turn)")
    for name, values in timings.items():
        p50 = statistics.median(values)
        print(f"  {name:40s} p50 {p50:6.1f}  mean {statistics.mean(values):6.1f}  vs all on {p50 - reference:+6.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=8)
    asyncio.run(main(parser.parse_args().rounds))
