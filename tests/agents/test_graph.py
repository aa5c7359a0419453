"""The turn's deadline covers the whole turn: every graph step, model call and tool call checks it.

The demo models answer through the real graph; time is a fake clock that the shop and the
router's model call move forward, so nothing sleeps.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.agents.chapters import PARTS
from switchboard.agents.context import TurnContext
from switchboard.agents.events import ToolUsed
from switchboard.agents.graph import agent_map, build_graph
from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.llm.types import ChatRequest, Chunk, DeadlineExceeded, Provider
from switchboard.agents.state import ConversationState
from switchboard.agents.tool_calls import run_tool_call
from switchboard.agents.tools import toolset
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings

BUDGET = 10.0


class SkippingClock:
    """time.monotonic (which the gateway reads the deadline on), plus the time the fakes "took"."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped


class SlowShop:
    """The real shop, but every call takes longer than the whole turn may."""

    def __init__(self, inner: Any, clock: SkippingClock) -> None:
        self._inner = inner
        self._clock = clock
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        async def slow(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            self._clock.skipped += BUDGET + 1
            return await method(*args, **kwargs)

        return slow


class SlowRouting:
    """A provider whose routing decisions (the calls with a JSON schema) take the whole budget."""

    def __init__(self, inner: Provider, clock: SkippingClock) -> None:
        self.name = inner.name
        self._inner = inner
        self._clock = clock

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        async for chunk in self._inner.stream(request):
            yield chunk
        if request.json_schema is not None:
            self._clock.skipped += BUDGET + 1


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with running_services(Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0)) as built:
        yield built


def context(services: Services, clock: SkippingClock, **kwargs: Any) -> TurnContext:
    flags = {**services.flags.snapshot(), "latency_budget": True, "injection_scan": False}
    defaults: dict[str, Any] = {
        "customer_id": "C1001",
        "conversation_id": "conv-deadline",
        "flags": flags,
        "gateway": services.gateway,
        "shop": services.shop,
        "knowledge": services.knowledge,
        "prompts": services.prompts,
        "deadline": clock() + BUDGET,
        "clock": clock,
    }
    return TurnContext(**{**defaults, **kwargs})


async def play(services: Services, ctx: TurnContext, text: str) -> list[object]:
    turn: ConversationState = {"messages": [{"role": "user", "content": text}], "handoff": None, "handoffs": []}
    config: Any = {"configurable": {"thread_id": ctx.conversation_id}}
    seen: list[object] = []
    async for event in services.graph.astream(turn, config, context=ctx, stream_mode="custom"):
        seen.append(event)
    return seen


async def test_a_tool_that_runs_past_the_deadline_ends_the_turn_before_the_next_model_call(
    services: Services,
) -> None:
    clock = SkippingClock()
    shop = SlowShop(services.shop, clock)
    ctx = context(services, clock, shop=shop)
    with pytest.raises(DeadlineExceeded, match="before the orders model call"):
        await play(services, ctx, "where is my order 10042?")
    assert shop.calls == ["order"]  # one tool ran; no model was asked to answer after it


async def test_no_tool_is_started_once_the_deadline_has_passed(services: Services) -> None:
    clock = SkippingClock()
    shop = SlowShop(services.shop, clock)
    ctx = context(services, clock, shop=shop, deadline=clock() - 1)
    tools = {t.spec.name: t for t in toolset("get_order")}
    with pytest.raises(DeadlineExceeded, match="before tool get_order"):
        await run_tool_call(ctx, lambda _: None, tools, {"id": "c1", "name": "get_order", "arguments": {}})
    assert shop.calls == []


async def test_the_deadline_is_checked_between_graph_steps(services: Services) -> None:
    clock = SkippingClock()
    chain = [SlowRouting(p, clock) for p in services.gateway.chain_for(services.settings.router_model)]
    gateway = Gateway({services.settings.router_model: chain, services.settings.model: chain})
    ctx = context(services, clock, gateway=gateway)
    with pytest.raises(DeadlineExceeded, match=r"before the \w+ step"):
        await play(services, ctx, "how long do refunds take?")


async def test_without_a_budget_the_same_slow_turn_runs_to_its_end(services: Services) -> None:
    clock = SkippingClock()
    shop = SlowShop(services.shop, clock)
    events = await play(services, context(services, clock, shop=shop, deadline=None), "where is my order 10042?")
    assert shop.calls and any(isinstance(e, ToolUsed) for e in events)


@pytest.mark.parametrize("chapter", range(1, 13))
def test_the_graph_of_chapter_n_has_exactly_the_nodes_of_chapters_up_to_n(chapter: int) -> None:
    nodes = {n.name for n in agent_map(build_graph(chapter=chapter)).nodes} - {"__start__", "__end__"}
    assert nodes == {p.name for p in PARTS if p.kind == "node" and p.chapter <= chapter}


def test_the_graph_of_chapter_n_leads_nowhere_unwired() -> None:
    drawn = agent_map(build_graph(chapter=5))
    names = {n.name for n in drawn.nodes}
    assert all(e.source in names and e.target in names for e in drawn.edges)
    assert ("router", "fallback") in {(e.source, e.target) for e in drawn.edges}


def test_the_full_graph_is_chapter_twelve_s() -> None:
    assert agent_map(build_graph()) == agent_map(build_graph(chapter=12))
