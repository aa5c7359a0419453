"""How long a run takes: the golden dataset on the demo models at zero latency.

    python bench/run_speed.py [--concurrency 4]

Prints the wall time of the run itself (services already started) and per case, beside the
time of the same turns played one at a time, measured in the same process.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from switchboard.app.runs.replay import execute_run
from switchboard.app.services import running_services
from switchboard.app.settings import REPO, Settings

GOLDEN = REPO / "evals" / "datasets" / "golden.jsonl"


async def main(concurrency: int) -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as services:
        flags = services.flags.snapshot()
        timings = {}
        for label, level in (("one at a time", 1), (f"concurrency {concurrency}", concurrency)):
            started = time.perf_counter()
            run = await execute_run(services, GOLDEN, flags, concurrency=level)
            timings[label] = (time.perf_counter() - started, run.summary["cases"], run.summary["turns"])
    for label, (seconds, cases, turns) in timings.items():
        print(
            f"golden, {label}: {seconds:.1f} s for {cases} cases / {turns} turns "
            f"({seconds / cases * 1000:.0f} ms a case)"
        )
    base = timings["one at a time"][0]
    print(f"speed-up with concurrency {concurrency}: {base / timings[f'concurrency {concurrency}'][0]:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=4)
    asyncio.run(main(parser.parse_args().concurrency))
