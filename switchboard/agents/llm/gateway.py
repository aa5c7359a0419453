"""The gateway: the one place every model call passes through.

Nodes never talk to a provider directly. They hand the gateway a request, and the gateway
finds the chain of providers that serve the model (primary first), runs the call under the
turn's resilience switches (resilience.py), passes the stream through and reports a
`CallRecord` for every attempt: model, provider, tier, tokens, cost, time to first token,
duration and how it failed. Later chapters hang more patterns here — cache, budgets, model
routing — so that they apply to every call at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field, fields, replace
from typing import Any

from opentelemetry.trace import Span, SpanKind, Status, StatusCode, set_span_in_context
from opentelemetry.util.types import AttributeValue

from switchboard.agents.llm.exchange import Exchange
from switchboard.agents.llm.kill_switch import KillSwitch
from switchboard.agents.llm.prices import DEFAULT_PRICES, Price, price_of
from switchboard.agents.llm.resilience import Policies, Resilience, resilient_stream
from switchboard.agents.llm.tokens import output_tokens, prompt_tokens
from switchboard.agents.llm.tracing import TurnTrace, call_attributes, untraced
from switchboard.agents.llm.types import (
    ChatRequest,
    Chunk,
    Completion,
    DeadlineExceeded,
    Provider,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    Usage,
)
from switchboard.patterns.latency_budget import Deadline
from switchboard.patterns.model_quota import ModelQuotas


@dataclass(frozen=True)
class CallRecord:
    purpose: str
    model: str
    provider: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    ttft_ms: float | None
    duration_ms: float
    error: str | None = None
    tier: int = 0  # 0 = the primary provider, 1 = the first fallback, ...
    attempt: int = 1  # 2+ = a retry on the same provider
    cut_mid_stream: bool = False  # failed after some of the answer was sent
    estimated: bool = False  # cut off before the provider reported usage: tokens counted here
    # the exact request and what came back (exchange.py), for the call log and replay
    exchange: Exchange | None = field(default=None, compare=False, repr=False)

    def summary(self) -> dict[str, Any]:
        """Every field but the exchange: what a record keeps of the call (agents/record.py)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "exchange"}


CallListener = Callable[[CallRecord], None]
NO_RESILIENCE = Resilience()  # a failure fails the call: every switch off
WRAPPERS = ("kill_switch", "retry", "breaker", "failover", "quota")  # in the order a call meets them


def _ignore(_: CallRecord) -> None:
    pass


class Gateway:
    def __init__(
        self,
        providers: Mapping[str, Provider | Sequence[Provider]],
        prices: Mapping[str, Price] = DEFAULT_PRICES,
        clock: Callable[[], float] = time.perf_counter,
        policies: Policies | None = None,
        idle_timeout: float = 30.0,
        kill_switch: KillSwitch | None = None,
        quotas: ModelQuotas | None = None,
        wrappers: Sequence[str] = WRAPPERS,
    ) -> None:
        """`providers` maps each model name to the provider, or the chain of providers, serving it.
        `kill_switch`: the operator's stop for every call (kill_switch.py); off unless turned on.
        `quotas`: each provider's requests and tokens per minute per model, asked before every
        attempt and charged after it when a call runs with `Resilience.quota` (none: no quotas).
        `wrappers`: the resilience wrappers in the chain (`--chapter N` leaves later chapters'
        out, agents/chapters.py): one left out never runs, whatever a call's switches ask."""
        self._chains = {m: (p,) if not isinstance(p, Sequence) else tuple(p) for m, p in providers.items()}
        self._prices = prices
        self._clock = clock
        self.policies = policies or Policies()
        self._idle_timeout = idle_timeout  # the longest wait for a first chunk: a hard timeout
        self.kill_switch = kill_switch or KillSwitch()
        self.quotas = quotas or ModelQuotas()
        unknown = set(wrappers) - set(WRAPPERS)
        if unknown:
            raise ValueError(f"no such gateway wrapper: {', '.join(sorted(unknown))} (there are {', '.join(WRAPPERS)})")
        # The kill switch is in every chain: an operator can always stop every call (chapters.KEPT).
        self.wrappers = tuple(w for w in WRAPPERS if w in wrappers or w == "kill_switch")

    @property
    def models(self) -> list[str]:
        return sorted(self._chains)

    @property
    def prices(self) -> Mapping[str, Price]:
        """The price table every call is charged from: projections price a mix with the same one."""
        return self._prices

    def price(self, model: str) -> Price:
        """What the model costs, from the same table every call is priced with."""
        return price_of(model, self._prices)

    async def _first_chunk(self, provider: Provider, chunks: AsyncIterator[Chunk], deadline: Deadline) -> Chunk | None:
        """Wait for the first chunk no longer than the idle timeout or the time left.

        Only this wait is timed here: arming a timer for every token costs more than the rest
        of the gateway, and a stream that stalls later is bounded by the provider's transport
        read timeout and by the deadline check between chunks.
        """
        try:
            # The timeout covers only the wait for the provider, never the consumer's work.
            async with asyncio.timeout(deadline.cap(self._idle_timeout)):
                return await anext(chunks)
        except StopAsyncIteration:
            return None
        except TimeoutError:
            raise ProviderError("timeout", "no answer in the time left", provider.name) from None

    def chain_for(self, model: str) -> tuple[Provider, ...]:
        try:
            return self._chains[model]
        except KeyError:
            raise ProviderError("unknown_model", f"no provider serves model {model!r}") from None

    async def stream(
        self,
        request: ChatRequest,
        *,
        purpose: str,
        on_call: CallListener = _ignore,
        resilience: Resilience = NO_RESILIENCE,
        trace: TurnTrace | None = None,
    ) -> AsyncGenerator[Chunk, None]:
        """Stream the model's chunks; report every attempt to `on_call`, however it ends.
        With the kill switch on, raise `CallsStopped` having called no provider.
        `trace`: the turn's; the call is a span under the current one (its node's), each
        provider attempt a span under the call's, retries and failovers events on it."""
        trace = trace or untraced()
        resilience = self._wired(resilience)
        span = trace.tracer.start_span(f"gateway {purpose}", attributes={"switchboard.purpose": purpose})
        traced = _Traced(trace, span, purpose, request.model)

        def attempt(provider: Provider, req: ChatRequest, tier: int, number: int) -> AsyncGenerator[Chunk, None]:
            self.kill_switch.check()  # again before every retry and failover: turned on mid-call, it stops them
            traced.starting(provider.name, tier, number)
            if resilience.quota:
                self._within_quota(provider, req, purpose, on_call, tier, number, traced)
            return self._attempt(provider, req, purpose, on_call, tier, number, resilience.quota, traced)

        with _ending(span):
            self.kill_switch.check()  # before the retry budget counts the request
            chain = self.chain_for(request.model)
            # Closed with this stream: a customer who leaves mid-answer ends the attempt (and frees
            # its breaker slot) now, not when the garbage collector gets to it.
            async with aclosing(resilient_stream(chain, request, resilience, self.policies, attempt)) as chunks:
                async for chunk in chunks:
                    yield chunk

    def _wired(self, asked: Resilience) -> Resilience:
        """The call's switches, less the wrappers this gateway was built without."""
        have = self.wrappers
        return Resilience(
            retry=asked.retry and "retry" in have,
            breaker=asked.breaker and "breaker" in have,
            failover=asked.failover and "failover" in have,
            quota=asked.quota and "quota" in have,
        )

    def _within_quota(
        self,
        provider: Provider,
        request: ChatRequest,
        purpose: str,
        on_call: CallListener,
        tier: int,
        number: int,
        traced: _Traced,
    ) -> None:
        """Count the attempt against the provider's quota for the model, or record it skipped and
        raise `at_quota` without calling the provider (resilience.py then fails over)."""
        model = served_model(provider, request)
        refused = self.quotas.admit(provider.name, model)
        if refused is None:
            return
        skipped = CallRecord(
            purpose,
            model,
            provider.name,
            0,
            0,
            0.0,
            None,
            0.0,
            "at_quota",
            tier,
            number,
            exchange=Exchange(request, error="at_quota"),
        )
        on_call(skipped)
        traced.attempt(provider.name, model).end_with(skipped, "error")
        raise ProviderError("at_quota", f"its {refused} per minute for {model} are used up: skipped", provider.name)

    async def _attempt(
        self,
        provider: Provider,
        request: ChatRequest,
        purpose: str,
        on_call: CallListener,
        tier: int,
        number: int,
        charge_quota: bool = False,
        traced: _Traced | None = None,
    ) -> AsyncGenerator[Chunk, None]:
        meter = _CallMeter(self._clock, request)
        error: ProviderError | None = None
        model = served_model(provider, request)
        span = (traced or _Traced(untraced(), None, purpose, request.model)).attempt(provider.name, model)
        deadline = Deadline(request.deadline)
        chunks = aiter(provider.stream(request))
        try:
            first = await self._first_chunk(provider, chunks, deadline)
            if first is not None:
                meter.see(first)
                yield first
                async for chunk in chunks:
                    if deadline.expired():
                        raise DeadlineExceeded(provider=provider.name, stream_started=True)
                    meter.see(chunk)
                    yield chunk
        except ProviderError as exc:
            error = exc
            raise
        finally:
            # Closed here, not by the garbage collector: an abandoned stream must hang up its
            # connection (or stop its local generation) now.
            # Reported even if the close is cut short (a turn cancelled twice): a call nobody
            # hears of is a call nobody charges for.
            try:
                await _close(chunks)
            finally:
                record = meter.record(purpose, model, provider.name, self._prices, error)
                if charge_quota:  # the tokens the provider counts against its quota, estimated ones too
                    self.quotas.charge(provider.name, model, record.input_tokens + record.output_tokens)
                record = replace(record, tier=tier, attempt=number)
                on_call(record)
                span.end_with(record, meter.finish_reason(error))

    async def complete(
        self,
        request: ChatRequest,
        *,
        purpose: str,
        on_call: CallListener = _ignore,
        resilience: Resilience = NO_RESILIENCE,
        trace: TurnTrace | None = None,
    ) -> Completion:
        """The whole response at once, for calls whose output nobody watches arrive."""
        text: list[str] = []
        calls: list[ToolCall] = []
        usage = Usage(0, 0)
        async for chunk in self.stream(request, purpose=purpose, on_call=on_call, resilience=resilience, trace=trace):
            if isinstance(chunk, TextDelta):
                text.append(chunk.text)
            elif isinstance(chunk, ToolCallChunk):
                calls.append(chunk.call)
            else:
                usage = chunk
        return Completion("".join(text), calls, usage)


def served_model(provider: Provider, request: ChatRequest) -> str:
    """The name the provider really serves the request's model under (types.Aliased)."""
    return getattr(provider, "model", None) or request.model


async def _close(chunks: AsyncIterator[Chunk]) -> None:
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        await aclose()


class _CallMeter:
    """Watches one stream go by: when it started, its first output, its usage.

    A provider reports usage last. A stream that ends before that — the customer went away, a
    guard broke off, the provider cut out mid-answer — was still billed for the prompt and for
    what it had written, so the meter counts those itself (tokens.py) and marks the record
    estimated. An attempt that failed before writing anything (a 429, a refused connection) is
    taken as not billed.
    """

    def __init__(self, clock: Callable[[], float], request: ChatRequest) -> None:
        self._clock = clock
        self._request = request
        self._start = clock()
        self._first: float | None = None
        self._usage: Usage | None = None
        self._text: list[str] = []
        self._tool_calls: list[ToolCall] = []

    @property
    def started(self) -> bool:
        return self._first is not None

    def finish_reason(self, error: ProviderError | None) -> str:
        """Why the stream ended, in the GenAI conventions' words (`gen_ai.response.finish_reasons`)."""
        if error is not None:
            return "error"
        return "tool_calls" if self._tool_calls else "stop"

    def see(self, chunk: Chunk) -> None:
        if isinstance(chunk, Usage):
            self._usage = chunk
            return
        if self._first is None:
            self._first = self._clock()
        if isinstance(chunk, TextDelta):
            self._text.append(chunk.text)
        else:
            self._tool_calls.append(chunk.call)

    def usage(self, error: ProviderError | None) -> tuple[Usage, bool]:
        """The call's usage, and whether it is this meter's estimate."""
        if self._usage is not None:
            return self._usage, False
        if error is not None and not self.started:
            return Usage(0, 0), False
        return Usage(prompt_tokens(self._request), output_tokens("".join(self._text), len(self._tool_calls))), True

    def exchange(self, error: ProviderError | None) -> Exchange:
        """The request and what came back of it: the call log's row (exchange.py)."""
        kind = None if error is None else error.kind
        return Exchange(self._request, "".join(self._text), self._tool_calls, self._usage, kind)

    def record(
        self,
        purpose: str,
        model: str,
        provider: str,
        prices: Mapping[str, Price],
        error: ProviderError | None,
    ) -> CallRecord:
        end = self._clock()
        usage, estimated = self.usage(error)
        return CallRecord(
            purpose=purpose,
            model=model,
            provider=provider,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=price_of(model, prices).cost(usage.input_tokens, usage.output_tokens),
            ttft_ms=None if self._first is None else (self._first - self._start) * 1000,
            duration_ms=(end - self._start) * 1000,
            error=None if error is None else error.kind,
            cut_mid_stream=error is not None and error.stream_started,
            estimated=estimated,
            exchange=self.exchange(error),
        )


class _Traced:
    """One gateway call's span and its attempts' spans (app/telemetry/tracing.py builds the tracer)."""

    def __init__(self, trace: TurnTrace, span: Span | None, purpose: str, requested: str) -> None:
        self._trace = trace
        self._span = span
        self._purpose = purpose
        self._requested = requested

    def starting(self, provider: str, tier: int, number: int) -> None:
        """A retry or a failover, as an event on the call's span (the attempt has its own span too)."""
        if self._span is None or (tier == 0 and number == 1):
            return
        kind = "retry" if number > 1 else "failover"
        self._span.add_event(kind, {"provider": provider, "tier": tier, "attempt": number})

    def attempt(self, provider: str, model: str) -> _AttemptSpan:
        parent = set_span_in_context(self._span) if self._span is not None else None
        attributes = call_attributes(provider, model, self._requested, self._purpose)
        span = self._trace.tracer.start_span(f"chat {model}", parent, SpanKind.CLIENT, attributes)
        return _AttemptSpan(self._trace, span)


class _AttemptSpan:
    def __init__(self, trace: TurnTrace, span: Span) -> None:
        self._trace = trace
        self._span = span

    def end_with(self, record: CallRecord, finish_reason: str) -> None:
        """The attempt's outcome on its span, and its index in the turn record's `calls`."""
        span = self._span
        if span.is_recording():
            span.set_attributes(_result_attributes(record, finish_reason, self._trace.next_call_index()))
            if record.cut_mid_stream:
                span.add_event("stream_cut", {"provider": record.provider, "error": record.error or ""})
            if record.error is not None:
                span.set_status(Status(StatusCode.ERROR, record.error))
        span.end()


def _result_attributes(record: CallRecord, finish_reason: str, index: int) -> dict[str, AttributeValue]:
    return {
        "gen_ai.response.model": record.model,
        "gen_ai.usage.input_tokens": record.input_tokens,
        "gen_ai.usage.output_tokens": record.output_tokens,
        "gen_ai.response.finish_reasons": [finish_reason],
        "switchboard.call_index": index,
        "switchboard.tier": record.tier,
        "switchboard.attempt": record.attempt,
        "switchboard.cost_usd": record.cost_usd,
        "switchboard.ttft_ms": record.ttft_ms if record.ttft_ms is not None else -1.0,
        "switchboard.error": record.error or "",
        "switchboard.estimated": record.estimated,
    }


class _ending:
    """Ends a span however the block ends, marking it failed on an exception (not made current:
    the call's generator may be closed from another context, where a detach would fail)."""

    def __init__(self, span: Span) -> None:
        self._span = span

    def __enter__(self) -> Span:
        return self._span

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc is not None and not isinstance(exc, GeneratorExit) and self._span.is_recording():
            self._span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        self._span.end()
