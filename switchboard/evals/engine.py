"""The run engine: plays every case through a `Player` and scores each turn.

The engine knows nothing of the web app. Whoever runs it hands it a player that plays a turn
through the same path the browser uses; the CLI and the Runs page both do that. Cases run
concurrently up to `concurrency`; the turns of one case run in order, in one conversation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from switchboard.agents.record import TurnRecord
from switchboard.evals.dataset import Case, Plant
from switchboard.evals.judge import Judge
from switchboard.evals.scorers import ScoringContext, TurnResult, Verdict, score_turn

Progress = Callable[[int, int], None]


class Player(Protocol):
    async def start(self, customer: str, plant: Plant | None = None) -> str:
        """Open a conversation for the customer, with `plant` planted for it; return its id."""
        ...

    async def turn(self, conversation_id: str, customer: str, text: str) -> TurnResult: ...


@dataclass(frozen=True)
class TurnOutcome:
    user: str
    answer: str
    record: TurnRecord
    verdicts: list[Verdict]
    judge_cost_usd: float = 0.0

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts if not v.advisory)


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    attempt: int
    tags: list[str]
    must_pass: bool
    turns: list[TurnOutcome] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.turns)


async def run_cases(
    cases: Sequence[Case],
    player: Player,
    personal_data: Mapping[str, Sequence[str]],
    *,
    concurrency: int = 4,
    repeat: int = 1,
    progress: Progress | None = None,
    before_attempt: Callable[[int], Awaitable[None]] | None = None,
    judge: Judge | None = None,
) -> list[CaseResult]:
    """Every case `repeat` times; results in dataset order, attempt by attempt.

    Attempts run one after another, each after `before_attempt` (which can, say, reset the
    shop's data so that a refund approved in attempt 1 does not change attempt 2).
    """
    gate = asyncio.Semaphore(max(1, concurrency))
    total = len(cases) * repeat
    done = 0

    async def play(case: Case, attempt: int) -> CaseResult:
        nonlocal done
        async with gate:
            result = await _play_case(case, attempt, player, personal_data, judge)
        done += 1
        if progress:
            progress(done, total)
        return result

    if progress:
        progress(0, total)
    results: list[CaseResult] = []
    for attempt in range(1, repeat + 1):
        if before_attempt:
            await before_attempt(attempt)
        results += await asyncio.gather(*(play(case, attempt) for case in cases))
    return results


async def _play_case(
    case: Case, attempt: int, player: Player, personal_data: Mapping[str, Sequence[str]], judge: Judge | None
) -> CaseResult:
    context = ScoringContext(case.customer, personal_data)
    conversation = await player.start(case.customer, case.plant)
    result = CaseResult(case.id, attempt, list(case.tags), case.must_pass)
    for turn in case.turns:
        played = await player.turn(conversation, case.customer, turn.user)
        verdicts = score_turn(turn.expect, played, context)
        cost = 0.0
        if judge is not None and played.record.evidence:
            judgement = await judge.grade(turn.user, played.answer, played.record.evidence)
            detail = f"score {judgement.score:.2f} {judgement.detail}"
            verdicts.append(Verdict("judge", judgement.grounded, detail, advisory=True))
            cost = judgement.cost_usd
        result.turns.append(TurnOutcome(turn.user, played.answer, played.record, verdicts, cost))
    return result
