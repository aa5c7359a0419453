"""Online evaluation (chapter 8): grade a share of live turns with the judge, in the background.

The customer's answer never waits for its grade: a sampled turn is handed to a background
task after its record is stored. Sampling is one turn in `every`, counted over live turns that
had evidence to grade against, so it is predictable and costs a known share of judge calls.
The rolling window keeps the last `window` grades.

A grade calls the judge model under the same retries, breakers and failover as the turn it
grades (from the turn's flag snapshot), so an outage the turn survived does not fail its grade.
A grade no provider could make is *skipped* — counted, not raised into a task nobody awaits —
and a grade that failed any other way is a bug: logged once with its traceback and counted.
While `paused` says so (the operator's kill switch is on) nothing is sampled or graded: the
judge is a model call like any other.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from switchboard.agents.calling import resilience_under
from switchboard.agents.llm.resilience import Resilience
from switchboard.agents.llm.types import ProviderError
from switchboard.agents.record import TurnRecord
from switchboard.evals.judge import Judge, Judgement

log = logging.getLogger(__name__)
VERSIONED_WINDOW = 5000  # the grades kept by prompt version, as many as a canary's figures read records


@dataclass(frozen=True)
class Grade:
    """One graded turn's judge score (0–1), and whether that turn was resolved (outcome `answered`)."""

    score: float
    resolved: bool


class OnlineEvaluator:
    def __init__(
        self, judge: Judge, every: int = 5, window: int = 200, paused: Callable[[], bool] = lambda: False
    ) -> None:
        self._judge = judge
        self._paused = paused
        self._every = max(1, every)
        self._seen = 0
        self._grades: deque[Judgement] = deque(maxlen=window)
        # The same grades, numbered, beside the prompt versions of the turn graded: a canary's
        # figures, kept longer than the panel's window (a 5% canary needs many turns to say much).
        self._by_versions: deque[tuple[int, dict[str, str], Grade]] = deque(maxlen=max(window, VERSIONED_WINDOW))
        self._graded = 0  # grades ever made: a marker for "the grades since then"
        self._tasks: set[asyncio.Task[None]] = set()
        self._skipped = 0  # no provider could grade it
        self._failed = 0  # grading itself broke

    def consider(self, question: str, answer: str, record: TurnRecord) -> None:
        """Called after every stored turn; grades one eligible live turn in `every`."""
        flags = record.flags
        if record.run_id or not flags.get("online_evals") or not record.evidence or self._paused():
            return
        self._seen += 1
        if self._seen % self._every:
            return
        grading = self._grade(question, answer, list(record.evidence), resilience_under(flags), record)
        task = asyncio.create_task(grading)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _grade(
        self, question: str, answer: str, evidence: list[str], resilience: Resilience, record: TurnRecord
    ) -> None:
        """Never ends in an exception (but cancellation): nobody awaits this task."""
        try:
            grade = await self._judge.grade(question, answer, evidence, resilience)
            self._grades.append(grade)
            kept = Grade(grade.score, record.outcome == "answered")
            self._by_versions.append((self._graded, record.prompt_versions, kept))
            self._graded += 1
        except ProviderError:
            self._skipped += 1
        except Exception:
            self._failed += 1
            log.exception("online grading failed")

    def snapshot(self) -> dict[str, Any]:
        grades = list(self._grades)
        count = len(grades)
        return {
            "every": self._every,
            "scored": count,
            "pending": len(self._tasks),
            "skipped": self._skipped,
            "failed": self._failed,
            "mean_score": sum(g.score for g in grades) / count if count else None,
            "grounded_rate": sum(g.grounded for g in grades) / count if count else None,
            "judge_cost_usd": round(sum(g.cost_usd for g in grades), 6),
        }

    @property
    def graded(self) -> int:
        """How many grades have been made so far (pass it to `scores_of` as `since`)."""
        return self._graded

    def grades_of(self, prompt: str, since: int = 0) -> dict[str, list[Grade]]:
        """The window's grades — those made after the first `since` — by the version of `prompt`
        each graded turn was served."""
        grades: dict[str, list[Grade]] = {}
        for n, versions, grade in self._by_versions:
            if n >= since and prompt in versions:
                grades.setdefault(versions[prompt], []).append(grade)
        return grades

    def scores_of(self, prompt: str, since: int = 0) -> dict[str, list[float]]:
        """`grades_of`'s scores alone."""
        return {v: [g.score for g in grades] for v, grades in self.grades_of(prompt, since).items()}

    async def wait(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.wait()
