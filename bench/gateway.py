"""What the gateway adds to a model call, pattern by pattern, against a zero-latency mock.

    python bench/gateway.py [--calls 2000]
    pip install litellm && python bench/gateway.py      # adds LiteLLM's Router on the same mock

The mock streams 20 text chunks and usage instantly, so every microsecond measured is the
caller's own. Rows: the mock called directly (baseline); the gateway with every resilience
switch off; each switch on alone; all on with the fault injector (calm) in front of the mock;
and, when installed, LiteLLM's Router streaming from its built-in mock. p50/p99 per call at
concurrency 1 and 16, and the overhead over the baseline. LiteLLM's mock path does its own
work per chunk (it builds OpenAI-shaped objects), so its row is indicative, not a like-for-like
proxy overhead.
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


class Mock:
    name = "mock"

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        for _ in range(20):
            yield TextDelta("word ")
        yield Usage(10, 20)


async def drain(stream: AsyncIterator[object]) -> None:
    async for _ in stream:
        pass


def cases() -> dict[str, Call]:
    mock = Mock()
    plain = Gateway({"mock": [mock, Mock()]})
    chaotic = Gateway({"mock": [ChaosProvider(mock, lambda: Dials()), ChaosProvider(Mock(), lambda: Dials())]})
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
    litellm = _litellm()
    if litellm is not None:
        found["LiteLLM Router (mock_response)"] = litellm
    return found


def _litellm() -> Call | None:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch its price list from the internet
    try:
        import litellm
    except ImportError:
        return None
    litellm.suppress_debug_info = True
    router = litellm.Router(
        model_list=[{"model_name": "mock", "litellm_params": {"model": "openai/mock", "mock_response": "word " * 20}}]
    )

    async def call() -> None:
        response = await router.acompletion(model="mock", messages=[{"role": "user", "content": "hello"}], stream=True)
        async for _ in response:
            pass

    return call


async def measure(call: Call, calls: int, concurrency: int) -> list[float]:
    gate = asyncio.Semaphore(concurrency)
    timings: list[float] = []

    async def one() -> None:
        async with gate:
            started = time.perf_counter()
            await call()
            timings.append((time.perf_counter() - started) * 1000)

    for _ in range(50):
        await call()  # warm up
    await asyncio.gather(*(one() for _ in range(calls)))
    return timings


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


async def main(calls: int) -> None:
    found = cases()
    for concurrency in (1, 16):
        print(f"\nconcurrency {concurrency}, {calls} calls each (ms per call)")
        base = None
        for label, call in found.items():
            timings = await measure(call, calls, concurrency)
            p50, p99 = statistics.median(timings), p(timings, 99)
            base = base if base is not None else p50
            print(f"  {label:34s} p50 {p50:7.3f}  p99 {p99:7.3f}  overhead p50 {p50 - base:+7.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    asyncio.run(main(parser.parse_args().calls))
