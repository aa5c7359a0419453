"""The resilience comparison: each chaos preset replayed with chapter 9's switches off, then on.

`switchboard resilience` plays it and stores every run, so the Runs page can set them side by
side — answered rate, turns without error, the tier that served, p95 latency and cost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from switchboard.app.lab.flags import preset_values
from switchboard.app.runs.replay import execute_run
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.app.shop.models import Run
from switchboard.evals.engine import Progress

RESILIENCE = ("retry_budget", "circuit_breaker", "failover", "degradation", "latency_budget")
DEFAULT_PRESETS = ("flaky-primary", "primary-down")


@dataclass(frozen=True)
class Scenario:
    chaos: str
    resilience: bool

    def flags(self, services: Services) -> dict[str, bool]:
        """Every built switch on, except chapter 9's when resilience is off."""
        flags = preset_values("all-on", list(services.flags.registry))
        return {**flags, **dict.fromkeys(RESILIENCE, self.resilience)}

    def name(self, dataset: Path) -> str:
        return f"{dataset.stem} · chaos {self.chaos} · resilience {'on' if self.resilience else 'off'}"


def scenarios(presets: Sequence[str] = DEFAULT_PRESETS) -> list[Scenario]:
    return [Scenario(chaos, on) for chaos in presets for on in (False, True)]


async def play(
    settings: Settings,
    dataset: Path,
    chosen: Sequence[Scenario],
    progress: Callable[[Scenario], Progress] | None = None,
    concurrency: int = 4,
) -> list[Run]:
    """One run per scenario, each on freshly started services: breakers, the retry budget and
    the answer cache start empty every time, so no run inherits another's state."""
    runs: list[Run] = []
    for scenario in chosen:
        async with running_services(settings) as services:
            services.chaos.apply_preset(scenario.chaos)
            runs.append(
                await execute_run(
                    services,
                    dataset,
                    scenario.flags(services),
                    name=scenario.name(dataset),
                    concurrency=concurrency,
                    progress=progress(scenario) if progress else None,
                )
            )
    return runs
