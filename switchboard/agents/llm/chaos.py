"""Fault injection ("chaos") around any provider, real ones included.

Each call rolls seeded dice against the dials: fail before the first token (a 500, a 429 with
Retry-After, a timeout, or an outage), stream slower, cut the stream after some tokens, garble
the output (text reversed, so JSON no longer parses; a tool call's order number mistyped or
its arguments lost), ask for the same tool call again instead of answering (a model stuck in a
loop), hand the turn back to the router (a specialist that won't take it), or cite an
article that was never retrieved (an answer given passages gains an invented source). Dials are read
per call, so a change on the panel applies to the next call. The same seed gives the same
faults in the same order, which makes runs repeatable.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from switchboard.agents.llm.types import (
    HAND_BACK,
    ChatRequest,
    Chunk,
    Provider,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    Usage,
)


@dataclass(frozen=True)
class Dials:
    """One provider's faults. Every number is finite and within `DIAL_RANGES`.

    Rates are shares in [0, 1]. `retry_after_s` is at most 60 s, so a turn under a 429 storm
    still ends inside the latency budget's reach; `latency_multiplier` is 1 to 10 (ten times
    slower is already a provider nobody would keep); `cut_after_tokens` is 0 to 1000.
    """

    error_rate: float = 0.0  # share of calls failing with a 500 before any token
    rate_limit_rate: float = 0.0  # share failing with a 429
    retry_after_s: float = 1.0  # the Retry-After a 429 carries, 0..60 s
    timeout_rate: float = 0.0  # share timing out before any token
    outage: bool = False  # every call fails
    latency_multiplier: float = 1.0  # 2.0 = every gap between chunks twice as long; 1..10
    cut_rate: float = 0.0  # share of streams cut off mid-answer...
    cut_after_tokens: int = 8  # ...after this many text chunks, 0..1000
    malformed_rate: float = 0.0  # share of answers whose text or tool calls are garbled
    loop_rate: float = 0.0  # share of calls, after a tool result, that repeat the last tool call
    bounce_rate: float = 0.0  # share of calls offering `hand_back` that give the turn back unasked
    citation_fault_rate: float = 0.0  # share of answers given help-centre passages that cite one never retrieved

    @property
    def calm(self) -> bool:
        return self == Dials()


SHARE = (0.0, 1.0)
DIAL_RANGES: dict[str, tuple[float, float]] = {
    "error_rate": SHARE,
    "rate_limit_rate": SHARE,
    "retry_after_s": (0.0, 60.0),
    "timeout_rate": SHARE,
    "latency_multiplier": (1.0, 10.0),
    "cut_rate": SHARE,
    "cut_after_tokens": (0.0, 1000.0),
    "malformed_rate": SHARE,
    "loop_rate": SHARE,
    "bounce_rate": SHARE,
    "citation_fault_rate": SHARE,
}
"""The closed range each numeric dial accepts; anything else (NaN and infinities included) is refused."""

Sleep = Callable[[float], Awaitable[None]]
MISCITED = "lifetime-guarantee"  # an article no storefront has: a citation no search can have found


class ChaosProvider:
    def __init__(
        self,
        inner: Provider,
        dials: Callable[[], Dials],
        seed: int = 0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.name = inner.name
        self._inner = inner
        self._dials = dials
        self._rng = random.Random(seed)
        self._sleep = sleep
        self._clock = clock

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        dials = self._dials()
        self._fail_before_start(dials)
        cut = self._rng.random() < dials.cut_rate
        garble = self._rng.random() < dials.malformed_rate
        unmeant = self._unmeant_call(dials, request)
        if unmeant is not None:
            yield ToolCallChunk(unmeant)
            yield Usage(0, 0)
            return
        miscite = self._miscites(dials, request)
        sent = 0
        last = self._clock()
        async for chunk in self._inner.stream(request):
            await self._stretch(dials, last)
            last = self._clock()
            if isinstance(chunk, Usage) and miscite and sent:
                miscite = False
                yield TextDelta(f" [{MISCITED}]")  # at the end of the answer's text, before its usage
            if isinstance(chunk, TextDelta):
                if cut and sent >= dials.cut_after_tokens:
                    raise ProviderError("server_error", "chaos: stream cut off", self.name, stream_started=True)
                sent += 1
                chunk = TextDelta(_garbled(chunk.text)) if garble else chunk
            elif isinstance(chunk, ToolCallChunk) and garble:
                chunk = ToolCallChunk(_garbled_call(chunk.call))
            yield chunk

    def _unmeant_call(self, dials: Dials, request: ChatRequest) -> ToolCall | None:
        """A tool call instead of an answer: the last call once more, or a hand-back to the router."""
        repeated = _last_tool_call(request) if self._rng.random() < dials.loop_rate else None
        if repeated is not None:
            return {**repeated, "id": f"{repeated['id']}-again"}
        # Rolled only when the dial is up, so the other dials' dice fall as they always did.
        offered = any(t.name == HAND_BACK for t in request.tools)
        if dials.bounce_rate > 0 and offered and self._rng.random() < dials.bounce_rate:
            return {"id": "chaos-hand-back", "name": HAND_BACK, "arguments": {"reason": "chaos: not my question"}}
        return None

    def _miscites(self, dials: Dials, request: ChatRequest) -> bool:
        """Whether this answer will cite `MISCITED`: only one written from retrieved passages."""
        if dials.citation_fault_rate <= 0:  # rolled only when the dial is up: other dice fall as before
            return False
        given = any("<passage " in str(m.get("content", "")) for m in request.messages)
        return given and self._rng.random() < dials.citation_fault_rate

    def _fail_before_start(self, dials: Dials) -> None:
        if dials.outage:
            raise ProviderError("overloaded", "chaos: provider down", self.name, status=503)
        roll = self._rng.random()
        for kind, rate, status in (
            ("server_error", dials.error_rate, 500),
            ("rate_limited", dials.rate_limit_rate, 429),
            ("timeout", dials.timeout_rate, None),
        ):
            if roll < rate:
                after = dials.retry_after_s if kind == "rate_limited" else None
                raise ProviderError(kind, f"chaos: injected {kind}", self.name, retry_after=after, status=status)  # type: ignore[arg-type]
            roll -= rate

    async def _stretch(self, dials: Dials, since: float) -> None:
        if dials.latency_multiplier > 1.0:
            await self._sleep((self._clock() - since) * (dials.latency_multiplier - 1.0))


def _garbled(text: str) -> str:
    return text[::-1].replace("{", "").replace("}", "")


def _garbled_call(call: ToolCall) -> ToolCall:
    """A sloppy tool call: an order number with a letter O for a zero, or no arguments at all."""
    order_id = call["arguments"].get("order_id")
    if isinstance(order_id, str) and "0" in order_id:
        return {**call, "arguments": {**call["arguments"], "order_id": order_id.replace("0", "O")}}
    return {**call, "arguments": {}}


def _last_tool_call(request: ChatRequest) -> ToolCall | None:
    """The tool call made last in this turn, if the model has already seen its result."""
    messages = list(request.messages)
    if not request.tools or not messages or messages[-1].get("role") != "tool":
        return None
    calls = [c for m in messages if m.get("role") == "assistant" for c in m.get("tool_calls", [])]
    return calls[-1] if calls else None
