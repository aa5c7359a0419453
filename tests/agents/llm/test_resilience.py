"""Retry, breaker and failover decide; providers only advise. Fake providers, fake sleep."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import replace
from typing import Any

import pytest

from switchboard.agents.llm.gateway import CallRecord, Gateway
from switchboard.agents.llm.resilience import Policies, Resilience
from switchboard.agents.llm.types import ChatRequest, Chunk, DeadlineExceeded, ProviderError, TextDelta, Usage
from switchboard.patterns.circuit_breaker import CircuitBreaker
from switchboard.patterns.retry_budget import Backoff, RetryBudget
from tests.fakes import Clock, Sleeps

REQUEST = ChatRequest([{"role": "user", "content": "hi"}], "m")
ALL = Resilience(retry=True, breaker=True, failover=True)


class Scripted:
    """Fails with the scripted errors, one per call, then answers 'hello world'."""

    def __init__(self, name: str, *failures: ProviderError | str) -> None:
        self.name = name
        self.failures = list(failures)
        self.requests: list[ChatRequest] = []
        self.hanging = asyncio.Event()

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        self.requests.append(request)
        failure = self.failures.pop(0) if self.failures else None
        if isinstance(failure, ProviderError):
            raise failure
        if failure == "hang":
            self.hanging.set()
            await asyncio.Event().wait()
        prefix = request.messages[-1]["content"] if request.messages[-1]["role"] == "assistant" else ""
        for word in ["hello", " world"]:
            if failure == "cut" and word == " world":
                raise ProviderError("server_error", "cut", self.name, stream_started=True)
            if not prefix.endswith(word.strip()):
                yield TextDelta(word)
        yield Usage(3, 2)


def err(kind: Any = "server_error", retry_after: float | None = None) -> ProviderError:
    return ProviderError(kind, "boom", retry_after=retry_after)


def gateway(
    *providers: Scripted, budget: float = 3.0, probes: int = 3, clock: Callable[[], float] = time.monotonic
) -> tuple[Gateway, Sleeps]:
    sleeps = Sleeps()
    policies = Policies(
        budget=RetryBudget(min_tokens=budget),
        backoff=Backoff(base=0.1, cap=1.0, max_wait=3.0),
        make_breaker=lambda: CircuitBreaker(
            window=4, min_calls=2, failure_rate=0.5, reset_after=30, probes=probes, clock=clock
        ),
        sleep=sleeps,
    )
    return Gateway({"m": providers}, policies=policies, idle_timeout=0.2), sleeps


async def call(gw: Gateway, switches: Resilience) -> tuple[str, list[CallRecord]]:
    calls: list[CallRecord] = []
    reply = await gw.complete(REQUEST, purpose="t", on_call=calls.append, resilience=switches)
    return reply.text, calls


async def test_everything_off_a_failure_fails_the_call() -> None:
    gw, _ = gateway(Scripted("a", err()), Scripted("b"))
    with pytest.raises(ProviderError):
        await call(gw, Resilience())


async def test_retry_honours_retry_after_and_is_recorded() -> None:
    gw, sleeps = gateway(Scripted("a", err("rate_limited", retry_after=2.0)))
    text, calls = await call(gw, Resilience(retry=True))
    assert text == "hello world"
    assert sleeps.waits == [2.0]
    assert [(c.provider, c.attempt, c.error) for c in calls] == [("a", 1, "rate_limited"), ("a", 2, None)]


async def test_the_budget_stops_a_retry_storm() -> None:
    gw, sleeps = gateway(Scripted("a", err(), err(), err()), budget=1.0)
    with pytest.raises(ProviderError):
        await call(gw, Resilience(retry=True))
    assert len(sleeps.waits) == 1  # one retry from the budget, then give up
    assert gw.policies.budget.refused == 1


async def test_a_bad_request_is_never_retried_or_failed_over() -> None:
    second = Scripted("b")
    gw, sleeps = gateway(Scripted("a", err("bad_request")), second)
    with pytest.raises(ProviderError, match="bad_request"):
        await call(gw, ALL)
    assert sleeps.waits == [] and second.requests == []


async def test_failover_goes_to_the_next_provider() -> None:
    gw, _ = gateway(Scripted("a", err("overloaded")), Scripted("b"))
    text, calls = await call(gw, Resilience(failover=True))
    assert text == "hello world"
    assert [(c.provider, c.tier, c.error) for c in calls] == [("a", 0, "overloaded"), ("b", 1, None)]


async def test_mid_stream_failover_continues_the_answer_from_the_seam() -> None:
    second = Scripted("b")
    gw, _ = gateway(Scripted("a", "cut"), second)
    text, calls = await call(gw, Resilience(failover=True))
    assert text == "hello world"  # "hello" from a, " world" from b: nothing repeated
    assert second.requests[0].messages[-1] == {"role": "assistant", "content": "hello"}
    assert calls[0].cut_mid_stream and not calls[1].cut_mid_stream


async def test_an_open_breaker_skips_the_provider_without_calling_it() -> None:
    first = Scripted("a", err(), err(), err())
    gw, _ = gateway(first, Scripted("b"))
    for _ in range(2):
        await call(gw, ALL)
    assert gw.policies.breaker("a").state == "open"
    calls_before = len(first.requests)
    text, calls = await call(gw, ALL)
    assert text == "hello world" and len(first.requests) == calls_before
    assert [c.provider for c in calls] == ["b"]


async def test_with_every_breaker_open_the_last_provider_is_still_tried() -> None:
    first, second = Scripted("a"), Scripted("b")
    gw, _ = gateway(first, second)
    for name in ("a", "b"):
        for _ in range(2):
            permit = gw.policies.breaker(name).admit()
            assert permit is not None
            permit.failed()
    assert {gw.policies.breaker(n).state for n in ("a", "b")} == {"open"}
    text, calls = await call(gw, ALL)
    assert text == "hello world" and first.requests == [] and [c.provider for c in calls] == ["b"]


async def test_a_rate_limit_slows_down_here_but_other_failures_go_elsewhere_first() -> None:
    gw, sleeps = gateway(Scripted("a", err("rate_limited", retry_after=0.5)), Scripted("b"))
    _, calls = await call(gw, ALL)
    assert [c.provider for c in calls] == ["a", "a"] and sleeps.waits == [0.5]
    gw, sleeps = gateway(Scripted("a", err("server_error")), Scripted("b"))
    _, calls = await call(gw, ALL)
    assert [c.provider for c in calls] == ["a", "b"] and sleeps.waits == []


class Hangs:
    """Never sends a chunk: the provider every timeout exists for."""

    name = "hangs"

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        await asyncio.Event().wait()
        yield TextDelta("never")


async def test_a_silent_provider_times_out_at_the_turns_deadline_and_the_next_one_answers() -> None:
    gw, _ = gateway(Hangs(), Scripted("b"))  # type: ignore[arg-type]
    deadline = time.monotonic() + 0.05
    calls: list[CallRecord] = []
    reply = await gw.complete(
        replace(REQUEST, deadline=deadline + 5), purpose="t", on_call=calls.append, resilience=ALL
    )
    assert reply.text == "hello world"  # plenty of budget: the idle timeout (0.2 s here) fires first...
    gw, _ = gateway(Hangs(), Scripted("b"))  # type: ignore[arg-type]
    with pytest.raises(ProviderError) as raised:
        await gw.complete(replace(REQUEST, deadline=deadline), purpose="t", resilience=ALL)
    assert raised.value.kind == "timeout"  # ...but with 50 ms left the whole turn gives up at once


async def test_no_retry_is_started_that_the_deadline_cannot_afford() -> None:
    gw, sleeps = gateway(Scripted("a", err("rate_limited", retry_after=5.0)))
    with pytest.raises(ProviderError, match="rate_limited"):
        await gw.complete(replace(REQUEST, deadline=time.monotonic() + 1.0), purpose="t", resilience=ALL)
    assert sleeps.waits == []


async def _end_the_probe(gw: Gateway, first: Scripted, ending: str) -> None:
    """One call to the half-open provider that ends without a success or a failure to record."""
    if ending == "closed mid-answer":  # the customer went away: GeneratorExit at the yield
        async with aclosing(gw.stream(REQUEST, purpose="t", resilience=ALL)) as stream:
            async for _ in stream:
                break
    elif ending == "cancelled":
        task = asyncio.create_task(gw.complete(REQUEST, purpose="t", resilience=ALL))
        await first.hanging.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    else:
        late = replace(REQUEST, deadline=time.monotonic() - 1) if ending == "out of time" else REQUEST
        with pytest.raises(ProviderError):
            await gw.complete(late, purpose="t", resilience=ALL)


@pytest.mark.parametrize("ending", ["closed mid-answer", "cancelled", "bad request", "out of time"])
async def test_a_half_open_probe_that_ends_without_a_verdict_does_not_wedge_the_breaker(ending: str) -> None:
    probe_failure: list[ProviderError | str] = {"cancelled": ["hang"], "bad request": [err("bad_request")]}.get(
        ending, []
    )
    clock = Clock()
    first = Scripted("a", err(), err(), *probe_failure)
    gw, _ = gateway(first, Scripted("b"), probes=1, clock=clock)
    for _ in range(2):
        await call(gw, ALL)
    clock.now += 30
    assert gw.policies.breaker("a").state == "half_open"
    await _end_the_probe(gw, first, ending)
    clock.now += 1000  # however long it waits, a wedged breaker never probes again
    text, calls = await call(gw, ALL)
    assert text == "hello world" and [c.provider for c in calls] == ["a"]
    assert gw.policies.breaker("a").state == "closed"


async def test_a_retry_after_of_any_size_never_sleeps_past_the_deadline_or_the_longest_wait() -> None:
    for retry_after in (1e308, math.inf):
        gw, sleeps = gateway(Scripted("a", err("rate_limited", retry_after=retry_after)))
        text, _ = await call(gw, Resilience(retry=True))  # no deadline: the backoff's longest wait
        assert text == "hello world" and sleeps.waits == [3.0]
        gw, sleeps = gateway(Scripted("a", err("rate_limited", retry_after=retry_after)))
        with pytest.raises(ProviderError, match="rate_limited"):
            await gw.complete(replace(REQUEST, deadline=time.monotonic() + 0.5), purpose="t", resilience=ALL)
        assert sleeps.waits == []  # a 3 s wait does not fit in 0.5 s


async def test_a_turn_out_of_time_raises_deadline_exceeded_and_tries_nobody() -> None:
    first, second = Scripted("a"), Scripted("b")
    gw, _ = gateway(first, second)
    with pytest.raises(DeadlineExceeded):
        await gw.complete(replace(REQUEST, deadline=time.monotonic() - 1), purpose="t", resilience=ALL)
    assert first.requests == [] and second.requests == []


async def test_a_retry_the_breaker_refuses_goes_to_the_next_provider_instead() -> None:
    limited = err("rate_limited", retry_after=0.1)
    gw, sleeps = gateway(Scripted("a", limited, limited, limited), Scripted("b"))
    text, calls = await call(gw, ALL)
    assert text == "hello world"
    assert [(c.provider, c.error) for c in calls] == [("a", "rate_limited"), ("a", "rate_limited"), ("b", None)]
    assert gw.policies.breaker("a").state == "open" and len(sleeps.waits) == 1  # no wait for a refused retry
