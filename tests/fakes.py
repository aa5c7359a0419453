"""The test suite's shared fakes: clocks that stand still until a test moves them, and a sleep
that only notes how long it was asked to wait. Injected where the code takes a clock or a sleep,
so tests stay deterministic and never wait for real."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from switchboard.agents.events import CacheLooked
from switchboard.patterns.spend_budget import BudgetVerdict, Owners, Spend


class Clock:
    """A monotonic clock (seconds) that moves only by `clock.now += …`. It starts away from zero
    so that a reading mistaken for a duration shows."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class CalendarClock:
    """A wall clock (aware datetimes) that moves only by `clock.now += timedelta(…)`."""

    def __init__(self, now: datetime = datetime(2026, 11, 24, 9, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Sleeps:
    """An async sleep that returns at once and keeps each wait it was asked for."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class GatedSleeps:
    """An async sleep that waits until the test opens it (`open()`): what was waiting then returns.
    For code that does something after a delay, without the test waiting for real."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self._gates: list[tuple[asyncio.Event, asyncio.Event]] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        waiting = asyncio.Event(), asyncio.Event()  # (the gate, the sleeper resumed)
        self._gates.append(waiting)
        try:
            await waiting[0].wait()
        finally:  # on return, the sleeper's code up to its next await runs before the opener wakes
            waiting[1].set()
            if waiting in self._gates:  # cancelled before it was opened
                self._gates.remove(waiting)

    async def open(self) -> None:
        """Every sleep waiting returns; this returns once each sleeper has run on from it."""
        gates, self._gates = self._gates, []
        for gate, _ in gates:
            gate.set()
        for _, resumed in gates:
            await resumed.wait()


class SpendGuardFake:
    """agents/context.py's SpendGuard: answers every check with `verdict`, keeps what it was asked
    and what it was charged."""

    def __init__(self, verdict: BudgetVerdict | None = None) -> None:
        self.verdict = verdict or BudgetVerdict("allow")
        self.checks: list[tuple[Owners, Spend]] = []
        self.charges: list[tuple[Owners, Spend]] = []
        self.holds: list[str | None] = []  # the reservation each charge settled

    async def check(self, owners: Owners, expected: Spend) -> BudgetVerdict:
        self.checks.append((owners, expected))
        return self.verdict

    def charge(self, owners: Owners, spent: Spend, hold: str | None = None) -> None:
        self.charges.append((owners, spent))
        self.holds.append(hold)


class AnswerMemoryFake:
    """agents/context.py's AnswerMemory: answers every lookup with `answer` (a hit) or a miss,
    and keeps each lookup it was asked for (question, tenant, customer, models)."""

    def __init__(self, answer: str | None = None) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str, str, tuple[str, ...]]] = []
        self.prompt_books: list[str | None] = []  # each lookup's prompt-version hash

    async def lookup(
        self,
        question: str,
        *,
        tenant: str,
        customer: str,
        models: Sequence[str],
        run_id: str | None = None,
        prompts: str | None = None,
    ) -> CacheLooked:
        self.asked.append((question, tenant, customer, tuple(models)))
        self.prompt_books.append(prompts)
        if self.answer is None:
            return CacheLooked("miss", question, "nothing stored")
        return CacheLooked("hit", question, "exact match", 1.0, self.answer)


class ProviderCalls:
    """Counts every stream a provider class is asked for, at the provider itself (below the
    gateway, the chaos injector and every resilience switch): `install` patches the class's
    `stream` for one test with pytest's monkeypatch."""

    def __init__(self) -> None:
        self.models: list[str] = []
        self.providers: list[str] = []  # the provider's name, call by call

    def __len__(self) -> int:
        return len(self.models)

    def install(self, monkeypatch: Any, provider_class: type) -> ProviderCalls:
        original = provider_class.stream

        def stream(provider: Any, request: Any) -> Any:
            self.models.append(request.model)
            self.providers.append(provider.name)
            return original(provider, request)

        monkeypatch.setattr(provider_class, "stream", stream)
        return self


class ProviderRequests:
    """Records every request a provider class is sent, at the provider itself (below the gateway
    and the chaos injector): what a real model would have read. `install` patches the class's
    `stream` for one test with pytest's monkeypatch."""

    def __init__(self) -> None:
        self.requests: list[Any] = []

    def install(self, monkeypatch: Any, provider_class: type) -> ProviderRequests:
        original = provider_class.stream

        def stream(provider: Any, request: Any) -> Any:
            self.requests.append(request)
            return original(provider, request)

        monkeypatch.setattr(provider_class, "stream", stream)
        return self


class RenamedEmbedder:
    """Another embedder as far as an index can tell: the same vectors under another name (a new
    model version, say), counting the texts it embeds."""

    def __init__(self, inner: Any, name: str) -> None:
        self._inner, self.name, self.texts = inner, name, 0

    def embed(self, texts: Any) -> Any:
        self.texts += len(texts)
        return self._inner.embed(texts)


class HeldJobs:
    """A `spawn` that keeps background jobs until the test runs them: no thread, no sleep."""

    def __init__(self) -> None:
        self.jobs: list[Any] = []

    def __call__(self, job: Any) -> None:
        self.jobs.append(job)

    def run_all(self) -> None:
        while self.jobs:
            self.jobs.pop(0)()
