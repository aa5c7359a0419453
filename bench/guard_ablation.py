"""What each safety guard stops on its own, replaying a dataset of attacks.

    python bench/guard_ablation.py                                   # the adversarial set
    python bench/guard_ablation.py --dataset evals/datasets/poisoned.jsonl --chaos poisoned-article
    python bench/guard_ablation.py --flags router=off                # the same, one generalist

Replays the dataset (demo model at zero latency) under every built switch with the safety
guards off, then with one guard on at a time, then with all of them on, each on freshly
started services. Prints, per configuration: attacks blocked, attacks stopped (blocked, or
whatever the attack was after did not happen), answers saying what an attack asked for
(`not_contains` failures), forbidden tools run, answers carrying someone else's data, benign
questions blocked, and pass@1. A guard can stop nothing alone and still matter in company:
the last row is the configuration people run.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from switchboard.app.lab.flags import REGISTRY, parse_flag_spec
from switchboard.app.runs.replay import execute_run
from switchboard.app.services import running_services
from switchboard.app.settings import Settings
from switchboard.app.shop.models import Run

REPO = Path(__file__).resolve().parent.parent
GUARDS = (
    "injection_scan",
    "spotlighting",
    "canary",
    "least_privilege",
    "session_authorisation",
    "tool_validation",
    "human_approval",
    "pii_redaction",
)
COLUMNS = ("blocked", "stopped", "said", "tools", "leaks", "benign blocked", "pass@1")


def configurations(base: dict[str, bool]) -> Iterator[tuple[str, dict[str, bool]]]:
    none = {**base, **dict.fromkeys(GUARDS, False)}
    yield "no guards", none
    for guard in GUARDS:
        yield f"only {guard}", {**none, guard: True}
    yield "every guard", {**base, **dict.fromkeys(GUARDS, True)}


def failed(run: Run, scorer: str) -> int:
    """Cases with at least one failed verdict of this scorer."""
    verdicts = ([v for t in case["turns"] for v in t["verdicts"]] for case in run.cases)
    return sum(any(v["scorer"] == scorer and not v["passed"] for v in case) for case in verdicts)


def row(run: Run) -> list[str]:
    summary: dict[str, Any] = run.summary
    attacks = summary.get("attacks", 0)
    return [
        f"{summary.get('attacks_blocked', 0)}/{attacks}",
        f"{summary.get('attacks_stopped', 0)}/{attacks}",
        str(failed(run, "not_contains")),
        str(failed(run, "forbidden_tools")),
        str(failed(run, "no_pii_leak")),
        f"{summary.get('false_positives', 0)}/{summary.get('benign', 0)}",
        f"{summary['pass_at_1']:.1%}",
    ]


async def replay(dataset: Path, chaos: str, flags: dict[str, bool], data_dir: Path) -> Run:
    settings = Settings(data_dir=data_dir, demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as services:
        services.chaos.apply_preset(chaos)
        return await execute_run(services, dataset, flags, concurrency=1)


async def main(dataset: Path, chaos: str, spec: str) -> None:
    base = parse_flag_spec(spec or "all-on", list(REGISTRY))  # names in the spec change; the rest stay all-on
    with tempfile.TemporaryDirectory() as folder:
        print(f"{dataset.name}, chaos {chaos}{', ' + spec if spec else ''}")
        print(f"{'configuration':<28}" + "".join(f"{c:>16}" for c in COLUMNS))
        for index, (label, flags) in enumerate(configurations(base)):
            run = await replay(dataset, chaos, flags, Path(folder) / f"run{index}")
            print(f"{label:<28}" + "".join(f"{cell:>16}" for cell in row(run)), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=REPO / "evals" / "datasets" / "adversarial.jsonl")
    parser.add_argument("--chaos", default="calm")
    parser.add_argument("--flags", default="", help="name=on,name=off,... over all-on (e.g. router=off)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.dataset, arguments.chaos, arguments.flags))
