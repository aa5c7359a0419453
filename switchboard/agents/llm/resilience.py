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
  which case it is given the text already sent and asked to continue from there;
- `quota`: the gateway refuses an attempt on a provider at its quota for the model
  (patterns/model_quota.py) with an `at_quota` error before calling it. It is not retryable, so
  it is never retried where it happened: with failover on the next provider is tried, and a
  chain all at quota fails with the last one's error, as on an outage. No breaker counts it
  (the provider did nothing wrong), and there is no panic mode: a provider at quota would
  only answer with a 429.

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
# The request itself is at fault, or the operator stopped every call (the kill switch): another
# try, here or elsewhere, would fail the same way.
GIVE_UP: frozenset[str] = frozenset({"bad_request", "content_filtered", "stopped"})


@dataclass(frozen=True)
class Resilience:
    """The switches a call runs under (from the turn's flag snapshot)."""

    retry: bool = False
    breaker: bool = False
    failover: bool = False
    quota: bool = False  # model_quota: a provider at its quota for the model is skipped uncalled (gateway.py)


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
    """Stream from the first provider that can answer; raise the last error if none can.

    Each pass is one attempt on `call.provider`: check the clock, ask its breaker, stream; on a
    failure the call state decides — give up (raise), retry here after a wait, or fail over.
    """
    policies.budget.on_request()
    call = CallState.begin(chain, request, switches, policies)
    while not call.exhausted:
        call.check_deadline()
        permit = call.admit()
        if permit is None:
            call.fail_over()
            continue
        try:
            # Closed here when the consumer closes this stream, not whenever it is collected.
            async with aclosing(attempt(call.provider, call.next_request(), call.tier, call.attempt_number)) as chunks:
                async for chunk in chunks:
                    if isinstance(chunk, TextDelta):
                        call.sent += chunk.text
                    yield chunk
            permit.succeeded()
            return
        except ProviderError as error:
            call.failed(error, permit)
            if call.gives_up(error):
                raise
            wait = call.retry_wait(error)
        finally:
            # However the attempt ended — cancelled, closed by the consumer, a verdict-free
            # error — its breaker slot goes back; after a verdict this does nothing.
            permit.release()
        await call.retry_or_fail_over(wait)
    raise call.final_error()


@dataclass
class CallState:
    """One call's progress through the chain, in one object (after tenacity's RetryCallState):
    which provider is being tried, which attempt, what the caller already has, the last error.
    `resilient_stream` reads it top to bottom; each decision is a method with its rule in its
    docstring."""

    request: ChatRequest
    tiers: Sequence[Provider]  # the chain, or only its primary when failover is off
    switches: Resilience
    policies: Policies
    deadline: Deadline  # when the call must be over, from the turn's start
    tier: int = 0  # which provider is being tried: 0 = the primary, 1 = the first fallback, ...
    attempt_number: int = 1  # 2+ = a retry on the same provider
    sent: str = ""  # the answer already streamed to the caller, which a later provider continues
    skipped: int = 0  # tiers passed over because their breaker was open
    last_error: ProviderError | None = None

    @classmethod
    def begin(
        cls, chain: Sequence[Provider], request: ChatRequest, switches: Resilience, policies: Policies
    ) -> CallState:
        tiers = chain if switches.failover else chain[:1]
        return cls(request, tiers, switches, policies, Deadline(request.deadline))

    # What is being tried

    @property
    def exhausted(self) -> bool:
        return self.tier >= len(self.tiers)

    @property
    def provider(self) -> Provider:
        return self.tiers[self.tier]

    @property
    def on_last_tier(self) -> bool:
        return self.tier == len(self.tiers) - 1

    @property
    def last_resort(self) -> bool:
        """Every other tier was skipped, so this one is called even with its breaker open (panic
        mode): skipped = tier = the last tier."""
        return self.skipped == self.tier == len(self.tiers) - 1

    @property
    def breaker_open(self) -> bool:
        """The breaker switch is on and this provider's breaker is open."""
        return self.switches.breaker and self.policies.breaker(self.provider.name).state == "open"

    def next_request(self) -> ChatRequest:
        """The request, plus the answer so far as an assistant message to continue from."""
        if not self.sent:
            return self.request
        return replace(self.request, messages=[*self.request.messages, {"role": "assistant", "content": self.sent}])

    # The decisions

    def check_deadline(self) -> None:
        """No attempt once the turn is out of time: raise `DeadlineExceeded`."""
        if self.deadline.expired():
            raise DeadlineExceeded(provider=self.provider.name, stream_started=bool(self.sent))

    def admit(self) -> Permit | None:
        """The breaker's leave for this attempt, or None: skip this tier.

        permit = unguarded if the breaker switch is off; else the breaker's permit if it grants
        one; else unguarded if this is the last resort; else None.
        """
        if not self.switches.breaker:
            return Permit.unguarded()
        permit = self.policies.breaker(self.provider.name).admit()
        if permit is not None:
            return permit
        if self.last_resort:
            return Permit.unguarded()
        if self.attempt_number == 1:  # a retry refused keeps the error that made it a retry
            self.skipped += 1
            self.last_error = ProviderError("overloaded", "circuit open: skipped", self.provider.name)
        return None

    def failed(self, error: ProviderError, permit: Permit) -> None:
        """Remember the error; a retryable one counts against the provider's breaker."""
        self.last_error = error
        if error.retryable:
            permit.failed()

    def gives_up(self, error: ProviderError) -> bool:
        """Nothing more to try: the request is at fault, the time is up, or a cut stream has
        nowhere to go.

        give up = deadline exceeded ∨ kind ∈ GIVE_UP ∨ (stream started ∧ ¬failover)
        """
        if isinstance(error, DeadlineExceeded) or error.kind in GIVE_UP:
            return True
        return error.stream_started and not self.switches.failover

    def retry_wait(self, error: ProviderError) -> float | None:
        """How long to wait before retrying here, or None: go elsewhere.

        wait = backoff(attempt, retry_after) if the wait fits the deadline ∧ `may_retry`;
        None at once when this failure has just opened the breaker (unless last resort).
        """
        if self.breaker_open and not self.last_resort:
            return None
        wait = self.policies.backoff.wait(self.attempt_number, error.retry_after)
        if self.deadline.allows(wait) and self.may_retry(error):
            return wait
        return None

    def may_retry(self, error: ProviderError) -> bool:
        """Slow down (429: retry here) or go elsewhere (anything else: the next tier first, and
        retries only where there is nowhere left to go), within the budget.

        retry = retry switch ∧ retryable ∧ ¬stream started ∧ (last tier ∨ 429) ∧ a budget token
        """
        if not (self.switches.retry and error.retryable and not error.stream_started):
            return False
        if not (self.on_last_tier or error.kind == "rate_limited"):
            return False
        return self.policies.budget.try_spend()  # last: only a retry that will happen spends

    # The moves

    async def retry_or_fail_over(self, wait: float | None) -> None:
        """Sleep `wait` and retry this provider, or, with no wait, go on to the next one."""
        if wait is None:
            self.fail_over()
            return
        await self.policies.sleep(wait)
        self.attempt_number += 1

    def fail_over(self) -> None:
        self.tier += 1
        self.attempt_number = 1

    def final_error(self) -> ProviderError:
        """What the caller is told when every tier failed or was skipped."""
        return self.last_error or ProviderError("unknown_model", f"no provider for {self.request.model!r}")
