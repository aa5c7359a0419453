"""What the gateway does when a provider fails: retry, skip a broken provider, or go elsewhere.

Providers only advise (this error is retryable, after 2 s; the stream had started). The policy
here decides, per call, under three switches:

- `retry`: a retryable failure before the first token is retried on the same provider after
  a jittered backoff, if the shared retry budget allows (patterns/retry_budget.py). A 429
  says "slow down", so it is retried where it happened; any other failure says "go
  elsewhere", so with failover on it is retried only on the last provider of the chain;
- `breaker`: each provider has a circuit breaker; an open one is skipped at once
  (patterns/circuit_breaker.py). Every attempt holds the breaker's permit and settles it in a
  `finally`: a retryable failure counts against the provider, a success for it, and anything
  else — a bad request, the deadline, the customer going away mid-answer — gives the slot back
  without a verdict, so a half-open breaker is never left waiting on a probe that cannot report;
- `failover`: the next provider in the chain is tried — also when a stream dies part-way, in
  which case it is given the text already sent and asked to continue from there.

A request the provider rejected as malformed or filtered is never retried or sent elsewhere, and
neither is one whose turn is out of time (`DeadlineExceeded`): the deadline is checked before
every attempt, and a backoff that would overrun it is not slept.

When every breaker in the chain is open, the last provider is called anyway ("panic mode", as
load balancers do): refusing every call with nowhere else to go would turn a degraded provider
into a full outage. Such a call has no permit and is not recorded: the breaker's own probes
decide when it closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field, replace

from switchboard.agents.llm.types import (
    ChatRequest,
    Chunk,
    DeadlineExceeded,
    Provider,
    ProviderError,
    TextDelta,
)
from switchboard.patterns.circuit_breaker import CircuitBreaker, Permit
from switchboard.patterns.latency_budget import Deadline
from switchboard.patterns.retry_budget import Backoff, RetryBudget

Attempt = Callable[[Provider, ChatRequest, int, int], AsyncGenerator[Chunk, None]]
# The request itself is at fault: another try, here or elsewhere, would fail the same way.
GIVE_UP: frozenset[str] = frozenset({"bad_request", "content_filtered"})


@dataclass(frozen=True)
class Resilience:
    """The switches a call runs under (from the turn's flag snapshot)."""

    retry: bool = False
    breaker: bool = False
    failover: bool = False


@dataclass
class Policies:
    """State shared by every call: the retry budget, the backoff, one breaker per provider."""

    budget: RetryBudget = field(default_factory=RetryBudget)
    backoff: Backoff = field(default_factory=Backoff)
    make_breaker: Callable[[], CircuitBreaker] = CircuitBreaker
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)

    def breaker(self, provider: str) -> CircuitBreaker:
        if provider not in self.breakers:
            self.breakers[provider] = self.make_breaker()
        return self.breakers[provider]


async def resilient_stream(
    chain: Sequence[Provider], request: ChatRequest, switches: Resilience, policies: Policies, attempt: Attempt
) -> AsyncGenerator[Chunk, None]:
    """Stream from the first provider that can answer; raise the last error if none can."""
    policies.budget.on_request()
    run = _Run(chain if switches.failover else chain[:1], Deadline(request.deadline))
    for tier, provider in enumerate(run.tiers):
        number = 1
        while True:
            run.check_deadline(provider)
            permit = _admit(policies, switches, provider, run, tier, number)
            if permit is None:
                break
            try:
                # Closed here when the consumer closes this stream, not whenever it is collected.
                async with aclosing(attempt(provider, continuing(request, run.sent), tier, number)) as chunks:
                    async for chunk in chunks:
                        if isinstance(chunk, TextDelta):
                            run.sent += chunk.text
                        yield chunk
                permit.succeeded()
                return
            except ProviderError as error:
                run.last_error = error
                if error.retryable:
                    permit.failed()
                if _final(error, switches):
                    raise
                wait = _retry_wait(error, switches, policies, run, provider, tier, number)
            finally:
                # However the attempt ended — cancelled, closed by the consumer, a verdict-free
                # error — its breaker slot goes back; after a verdict this does nothing.
                permit.release()
            if wait is None:
                break
            await policies.sleep(wait)
            number += 1
    raise run.last_error or ProviderError("unknown_model", f"no provider for {request.model!r}")


@dataclass
class _Run:
    """One call's progress through the chain."""

    tiers: Sequence[Provider]
    deadline: Deadline
    sent: str = ""  # the answer streamed so far, which a later provider continues
    skipped: int = 0  # tiers passed over because their breaker was open
    last_error: ProviderError | None = None

    def check_deadline(self, provider: Provider) -> None:
        if self.deadline.expired():
            raise DeadlineExceeded(provider=provider.name, stream_started=bool(self.sent))

    def last_resort(self, tier: int) -> bool:
        """Every other tier was skipped: this one is called even with its breaker open (panic mode)."""
        return self.skipped == tier == len(self.tiers) - 1


def _admit(
    policies: Policies, switches: Resilience, provider: Provider, run: _Run, tier: int, number: int
) -> Permit | None:
    """The breaker's leave for this attempt, or None: skip it. With every other tier skipped,
    the last one goes ahead unguarded (panic mode)."""
    if not switches.breaker:
        return Permit.unguarded()
    permit = policies.breaker(provider.name).admit()
    if permit is not None:
        return permit
    if run.last_resort(tier):
        return Permit.unguarded()
    if number == 1:  # a retry refused keeps the error that made it a retry
        run.skipped += 1
        run.last_error = ProviderError("overloaded", "circuit open: skipped", provider.name)
    return None


def _final(error: ProviderError, switches: Resilience) -> bool:
    """Nothing more to try: the request is at fault, the time is up, or a cut stream has nowhere to go."""
    if isinstance(error, DeadlineExceeded) or error.kind in GIVE_UP:
        return True
    return error.stream_started and not switches.failover


def _retry_wait(
    error: ProviderError,
    switches: Resilience,
    policies: Policies,
    run: _Run,
    provider: Provider,
    tier: int,
    number: int,
) -> float | None:
    """How long to wait before retrying here, or None: go elsewhere — the wait would overrun the
    deadline, or this failure has just opened the provider's breaker."""
    if switches.breaker and policies.breaker(provider.name).state == "open" and not run.last_resort(tier):
        return None
    wait = policies.backoff.wait(number, error.retry_after)
    if run.deadline.allows(wait) and _may_retry(error, switches, policies, last_tier=tier == len(run.tiers) - 1):
        return wait
    return None


def _may_retry(error: ProviderError, switches: Resilience, policies: Policies, last_tier: bool) -> bool:
    """Slow down (429: retry here) or go elsewhere (anything else: the next tier first, and
    retries only where there is nowhere left to go), within the budget."""
    if not (switches.retry and error.retryable and not error.stream_started):
        return False
    if not (last_tier or error.kind == "rate_limited"):
        return False
    return policies.budget.try_spend()


def continuing(request: ChatRequest, sent: str) -> ChatRequest:
    """The request, plus the answer so far as an assistant message to continue from."""
    if not sent:
        return request
    return replace(request, messages=[*request.messages, {"role": "assistant", "content": sent}])
