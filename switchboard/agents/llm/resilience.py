"""What the gateway does when a provider fails: retry, skip a broken provider, or go elsewhere.

Providers only advise (this error is retryable, after 2 s; the stream had started). The policy
here decides, per call, under three switches:

- `retry`: a retryable failure before the first token is retried on the same provider after
  a jittered backoff, if the shared retry budget allows (patterns/retry_budget.py). A 429
  says "slow down", so it is retried where it happened; any other failure says "go
  elsewhere", so with failover on it is retried only on the last provider of the chain;
- `breaker`: each provider has a circuit breaker; an open one is skipped at once
  (patterns/circuit_breaker.py);
- `failover`: the next provider in the chain is tried — also when a stream dies part-way, in
  which case it is given the text already sent and asked to continue from there.

A request the provider rejected as malformed or filtered is never retried or sent elsewhere.
When every breaker in the chain is open, the last provider is called anyway ("panic mode", as
load balancers do): refusing every call with nowhere else to go would turn a degraded provider
into a full outage.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace

from switchboard.agents.llm.types import ChatRequest, Chunk, Provider, ProviderError, TextDelta
from switchboard.patterns.circuit_breaker import CircuitBreaker
from switchboard.patterns.latency_budget import Deadline
from switchboard.patterns.retry_budget import Backoff, RetryBudget

Attempt = Callable[[Provider, ChatRequest, int, int], AsyncIterator[Chunk]]
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
) -> AsyncIterator[Chunk]:
    """Stream from the first provider that can answer; raise the last error if none can."""
    policies.budget.on_request()
    sent = ""
    last_error: ProviderError | None = None
    tiers = chain if switches.failover else chain[:1]
    skipped = 0
    for tier, provider in enumerate(tiers):
        breaker = policies.breaker(provider.name) if switches.breaker else None
        if breaker is not None and not breaker.allow() and skipped < len(tiers) - 1:
            last_error = ProviderError("overloaded", "circuit open: skipped", provider.name)
            skipped += 1
            continue
        number = 1
        while True:
            if Deadline(request.deadline).expired():
                raise ProviderError(
                    "timeout", "the turn's latency budget is spent", provider.name, stream_started=bool(sent)
                )
            try:
                async for chunk in attempt(provider, continuing(request, sent), tier, number):
                    if isinstance(chunk, TextDelta):
                        sent += chunk.text
                    yield chunk
            except ProviderError as error:
                last_error = error
                if breaker is not None and error.retryable:
                    breaker.record(False)
                if error.kind in GIVE_UP or (error.stream_started and not switches.failover):
                    raise
                wait = policies.backoff.wait(number, error.retry_after)
                if Deadline(request.deadline).allows(wait) and _may_retry(
                    error, switches, policies, last_tier=tier == len(tiers) - 1
                ):
                    await policies.sleep(wait)
                    number += 1
                    continue
                break
            if breaker is not None:
                breaker.record(True)
            return
    raise last_error or ProviderError("unknown_model", f"no provider for {request.model!r}")


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
