"""The gateway: the one place every model call passes through.

Nodes never talk to a provider directly. They hand the gateway a request, and the gateway
finds the provider that serves the model, passes the stream through untouched and, when the
call ends, reports a `CallRecord` (model, tokens, cost, time to first token, duration).
Later chapters hang their patterns here — cache, budgets, routing, retries, failover — so
that they apply to every call at once.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

from switchboard.agents.llm.prices import DEFAULT_PRICES, Price, price_of
from switchboard.agents.llm.types import (
    ChatRequest,
    Chunk,
    Completion,
    Provider,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    Usage,
)


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


CallListener = Callable[[CallRecord], None]


def _ignore(_: CallRecord) -> None:
    pass


class Gateway:
    def __init__(
        self,
        providers: Mapping[str, Provider],
        prices: Mapping[str, Price] = DEFAULT_PRICES,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        """`providers` maps each model name to the provider that serves it."""
        self._providers = dict(providers)
        self._prices = prices
        self._clock = clock

    @property
    def models(self) -> list[str]:
        return sorted(self._providers)

    def provider_for(self, model: str) -> Provider:
        try:
            return self._providers[model]
        except KeyError:
            raise ProviderError("unknown_model", f"no provider serves model {model!r}") from None

    async def stream(
        self, request: ChatRequest, *, purpose: str, on_call: CallListener = _ignore
    ) -> AsyncIterator[Chunk]:
        """Stream the model's chunks; report the call to `on_call` however it ends."""
        provider = self.provider_for(request.model)
        meter = _CallMeter(self._clock)
        error: str | None = None
        try:
            async for chunk in provider.stream(request):
                meter.see(chunk)
                yield chunk
        except ProviderError as exc:
            error = exc.kind
            raise
        finally:
            on_call(meter.record(purpose, request.model, provider.name, self._prices, error))

    async def complete(self, request: ChatRequest, *, purpose: str, on_call: CallListener = _ignore) -> Completion:
        """The whole response at once, for calls whose output nobody watches arrive."""
        text: list[str] = []
        calls: list[ToolCall] = []
        usage = Usage(0, 0)
        async for chunk in self.stream(request, purpose=purpose, on_call=on_call):
            if isinstance(chunk, TextDelta):
                text.append(chunk.text)
            elif isinstance(chunk, ToolCallChunk):
                calls.append(chunk.call)
            else:
                usage = chunk
        return Completion("".join(text), calls, usage)


class _CallMeter:
    """Watches one stream go by: when it started, its first output, its usage."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._start = clock()
        self._first: float | None = None
        self._usage = Usage(0, 0)

    def see(self, chunk: Chunk) -> None:
        if isinstance(chunk, Usage):
            self._usage = chunk
        elif self._first is None:
            self._first = self._clock()

    def record(
        self,
        purpose: str,
        model: str,
        provider: str,
        prices: Mapping[str, Price],
        error: str | None,
    ) -> CallRecord:
        end = self._clock()
        usage = self._usage
        return CallRecord(
            purpose=purpose,
            model=model,
            provider=provider,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=price_of(model, prices).cost(usage.input_tokens, usage.output_tokens),
            ttft_ms=None if self._first is None else (self._first - self._start) * 1000,
            duration_ms=(end - self._start) * 1000,
            error=error,
        )
