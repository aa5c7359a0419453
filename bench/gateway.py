"""What the gateway adds to a model call, pattern by pattern, against a zero-latency mock.

    python bench/gateway.py [--calls 2000]
    pip install '.[bench]' && python bench/gateway.py   # adds LiteLLM's Router on the same mock
    (litellm brings many dependencies: use a separate virtualenv for it)

The mock streams 20 text chunks and usage with no delay, yielding to the event loop before each
(an `await asyncio.sleep(0)`, as a provider waiting on its socket would), so at concurrency 16
the calls truly interleave (the `open` column shows how many streams were open at once) and
every microsecond measured is the callers' own: at concurrency 16 a call's time includes the
other 15 calls' steps in between its own, so the calls completed per second of wall time are
the figure to compare across concurrencies. Rows: the mock called directly (baseline); the gateway with every resilience
switch off; each switch on alone; all on with the fault injector (calm) in front of the mock;
and, when litellm is installed, its Router in front of the *same* mock, registered as a
LiteLLM custom provider — like for like — plus its built-in `mock_response` for reference.
p50/p99 per call at concurrency 1 and 16, the overhead over the baseline, and each row's
overhead as a multiple of the whole gateway's (all on).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from switchboard.agents.llm.chaos import ChaosProvider, Dials
from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.llm.resilience import Resilience
from switchboard.agents.llm.types import ChatRequest, Chunk, TextDelta, Usage

REQUEST = ChatRequest([{"role": "user", "content": "hello"}], "mock")
Call = Callable[[], Awaitable[object]]


class Overlap:
    """How many mock streams are open at once: the proof that a concurrency-16 row interleaves."""

    def __init__(self) -> None:
        self.open = self.peak = 0

    def reset(self) -> None:
        self.open = self.peak = 0


class Mock:
    """Yields to the event loop before each chunk, as a provider reading a socket does, but with
    no delay: without that await a stream runs start to finish in one step and 16 'concurrent'
    calls are 16 calls in a row."""

    name = "mock"

    def __init__(self, overlap: Overlap) -> None:
        self._overlap = overlap

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        self._overlap.open += 1
        self._overlap.peak = max(self._overlap.peak, self._overlap.open)
        try:
            for _ in range(20):
                await asyncio.sleep(0)
                yield TextDelta("word ")
            await asyncio.sleep(0)
            yield Usage(10, 20)
        finally:
            self._overlap.open -= 1


async def drain(stream: AsyncIterator[object]) -> None:
    async for _ in stream:
        pass


def cases(overlap: Overlap) -> dict[str, Call]:
    mock = Mock(overlap)
    plain = Gateway({"mock": [mock, Mock(overlap)]})
    chaotic = Gateway({"mock": [ChaosProvider(mock, lambda: Dials()), ChaosProvider(Mock(overlap), lambda: Dials())]})
    switch = {
        "gateway, all switches off": Resilience(),
        "+ retry budget": Resilience(retry=True),
        "+ circuit breaker": Resilience(breaker=True),
        "+ failover": Resilience(failover=True),
    }
    found: dict[str, Call] = {"direct call (baseline)": lambda: drain(mock.stream(REQUEST))}
    for label, resilience in switch.items():
        found[label] = lambda r=resilience: drain(plain.stream(REQUEST, purpose="bench", resilience=r))
    everything = Resilience(retry=True, breaker=True, failover=True)
    found["all on + fault injector (calm)"] = lambda: drain(
        chaotic.stream(REQUEST, purpose="bench", resilience=everything)
    )
    found.update(_litellm(mock))
    return found


def _litellm(mock: Mock) -> dict[str, Call]:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch its price list from the internet
    try:
        import litellm
        from litellm import CustomLLM
    except ImportError:
        return {}
    litellm.suppress_debug_info = True

    class SameMock(CustomLLM):  # type: ignore[misc]
        """LiteLLM's custom-provider seam around the very mock the gateway calls."""

        async def astreaming(self, *args: object, **kwargs: object) -> AsyncIterator[dict[str, object]]:
            async for chunk in mock.stream(REQUEST):
                text = chunk.text if isinstance(chunk, TextDelta) else ""
                usage = _usage(chunk) if isinstance(chunk, Usage) else None
                yield {
                    "text": text,
                    "tool_use": None,
                    "is_finished": usage is not None,
                    "finish_reason": "stop" if usage else None,
                    "usage": usage,
                    "index": 0,
                }

    litellm.custom_provider_map = [{"provider": "samemock", "custom_handler": SameMock()}]
    same = litellm.Router(model_list=[{"model_name": "mock", "litellm_params": {"model": "samemock/mock"}}])
    builtin = litellm.Router(
        model_list=[{"model_name": "mock", "litellm_params": {"model": "openai/mock", "mock_response": "word " * 20}}]
    )

    def through(router: object) -> Call:
        async def call() -> None:
            messages = [{"role": "user", "content": "hello"}]
            response = await router.acompletion(model="mock", messages=messages, stream=True)  # type: ignore[attr-defined]
            async for _ in response:
                pass

        return call

    return {"LiteLLM Router, same mock": through(same), "LiteLLM Router, its mock_response": through(builtin)}


def _usage(usage: Usage) -> dict[str, int]:
    total = usage.input_tokens + usage.output_tokens
    return {"prompt_tokens": usage.input_tokens, "completion_tokens": usage.output_tokens, "total_tokens": total}


async def measure(call: Call, calls: int, concurrency: int) -> tuple[list[float], float]:
    """Each call's time, and the calls completed per second of wall time."""
    gate = asyncio.Semaphore(concurrency)
    timings: list[float] = []

    async def one() -> None:
        async with gate:
            started = time.perf_counter()
            await call()
            timings.append((time.perf_counter() - started) * 1000)

    for _ in range(50):
        await call()  # warm up
    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(calls)))
    return timings, calls / (time.perf_counter() - started)


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


async def main(calls: int) -> None:
    overlap = Overlap()
    found = cases(overlap)
    for concurrency in (1, 16):
        print(f"\nconcurrency {concurrency}, {calls} calls each (ms per call; 'open' = most streams open at once)")
        base = whole = None
        for label, call in found.items():
            overlap.reset()
            timings, per_s = await measure(call, calls, concurrency)
            p50, p99 = statistics.median(timings), p(timings, 99)
            base = base if base is not None else p50
            whole = p50 - base if label.startswith("all on") else whole
            ratio = f"  x{(p50 - base) / whole:6.1f} the gateway's" if whole and not label.startswith("all on") else ""
            row = f"  {label:34s} open {overlap.peak:2d}  {per_s:7,.0f} calls/s  p50 {p50:7.3f}  p99 {p99:7.3f}"
            print(f"{row}  overhead p50 {p50 - base:+7.3f}{ratio}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    asyncio.run(main(parser.parse_args().calls))
