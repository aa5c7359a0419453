"""A canary of a deliberately worse router prompt at 20%, then a rollback (chapter 12).

    python bench/canary.py [--dataset evals/datasets/golden.jsonl] [--rounds 2] [--share 20]

The router's `5-worse` (prompts/versions/router/5-worse.md, a teaching example: the how-to
rule gone, two examples a route) is rolled out to `--share`% of conversations with
`prompt_canary` and `online_evals` on (every answer with evidence graded: online_eval_every=1),
and the dataset (a development set, never a holdout) is played `--rounds` times through the
app's own turn path, each case in a new conversation. Then the candidate is rolled back and the
dataset played again. Each phase prints, side by side, what the Prompts page shows for each
version — the resolved score, the online-eval score, outcomes, cost per turn, latency — plus route accuracy
against the dataset's expected routes (the single-turn cases'), which the page cannot know.

The demo model's router really reads the prompt: it picks the route whose listed examples and
description are nearest the customer's words (agents/llm/providers/demo/reading.py), and follows
the prompt's how-to rule when there is one. So a worse prompt routes worse here for the same
reason it would with a real model; nothing in this script knows which answer is right but the
dataset's expectations. The semantic cache is off: a cached answer from one phase would
otherwise be served in the next and measure nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Sequence
from pathlib import Path

from switchboard.agents.record import TurnRecord
from switchboard.app.runs.prompt_figures import VersionFigures, version_figures
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.app.shop.audit import Actor
from switchboard.evals.dataset import Case, load_dataset

PROMPT, WORSE = "router", "5-worse"
BENCH = Actor.of("cli", "localhost", "bench/canary.py")
FLAGS = {"online_evals": True, "prompt_canary": True, "semantic_cache": False}


async def play(services: Services, cases: Sequence[Case], rounds: int) -> list[tuple[TurnRecord, str | None]]:
    """Every case, `rounds` times, each in a new conversation: its records, with the expected
    route of a single-turn case (None for the turns of longer ones)."""
    played: list[tuple[TurnRecord, str | None]] = []
    for _ in range(rounds):
        for case in cases:
            conversation = await services.conversations.create(case.customer)
            for turn in case.turns:
                async for event in services.turns.play(conversation.id, case.customer, turn.user):
                    if event.record is not None:
                        expected = turn.expect.route if len(case.turns) == 1 else None
                        played.append((event.record, expected))
    await services.online.wait()
    return played


def route_accuracy(played: Sequence[tuple[TurnRecord, str | None]], version: str) -> str:
    judged = [(r.route, want) for r, want in played if want and r.prompt_versions.get(PROMPT) == version]
    if not judged:
        return "—"
    right = sum(route == want for route, want in judged)
    return f"{right / len(judged):.0%} ({right}/{len(judged)})"


def table(figures: Sequence[VersionFigures], played: Sequence[tuple[TurnRecord, str | None]]) -> list[str]:
    def row(label: str, cells: Sequence[str]) -> str:
        return f"  {label:<22}" + "".join(f"{c:<28}" for c in cells)

    def maybe(value: float | None, form: str) -> str:
        return "—" if value is None else form.format(value)

    return [
        row("", [f"{PROMPT}@{f.version}" for f in figures]),
        row("turns", [str(f.turns) for f in figures]),
        row("resolved score", [maybe(f.resolved_score, "{:.3f}") for f in figures]),
        row("online-eval score", [f"{maybe(f.online_score, '{:.3f}')} ({f.graded} graded)" for f in figures]),
        row("route accuracy", [route_accuracy(played, f.version) for f in figures]),
        row("answered", [maybe(f.answered_rate, "{:.0%}") for f in figures]),
        row("outcomes", [", ".join(f"{k} {n}" for k, n in f.outcomes.items()) for f in figures]),
        row("cost per turn", [maybe(f.cost_per_turn_usd, "${:.6f}") for f in figures]),
        row("latency p50 / p95", [f"{maybe(f.p50_ms, '{:.0f}')} / {maybe(f.p95_ms, '{:.0f}')} ms" for f in figures]),
    ]


async def phase(services: Services, cases: Sequence[Case], rounds: int, title: str) -> None:
    """Play the dataset under the rollout as it is now; print its versions' figures for this phase only."""
    rollout = await services.rollouts.get(PROMPT)
    since = services.online.graded
    played = await play(services, cases, rounds)
    versions = [rollout.stable, *([rollout.candidate] if rollout.candidate else [])]
    records = [record for record, _ in played]
    figures = version_figures(PROMPT, versions, records, services.online.grades_of(PROMPT, since))
    print(f"\n{title} (stable {rollout.stable}, candidate {rollout.candidate or '—'} at {rollout.share:g}%)")
    print("\n".join(table(figures, played)))


async def main(dataset: Path, rounds: int, share: float) -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), demo_ttft_ms=0, demo_tokens_per_s=0, online_eval_every=1)
    async with running_services(settings) as services:
        cases = load_dataset(dataset)
        services.flags.set_many(FLAGS)
        print(f"dataset {dataset.name}: {len(cases)} cases x {rounds} rounds, demo models, online evals on every turn")
        await services.rollouts.set_candidate(PROMPT, WORSE, share, services.audit.stamp(BENCH, "prompts.rollout"))
        await phase(services, cases, rounds, f"1. canary: {PROMPT}@{WORSE} at {share:g}%")
        await services.rollouts.roll_back(PROMPT, services.audit.stamp(BENCH, "prompts.rollback"))
        await phase(services, cases, rounds, "2. after the rollback")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", type=Path, default=Path("evals/datasets/golden.jsonl"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--share", type=float, default=20.0)
    args = parser.parse_args()
    asyncio.run(main(args.dataset, args.rounds, args.share))
