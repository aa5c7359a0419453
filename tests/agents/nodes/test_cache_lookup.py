"""The graph's cache step: after the input guard, before any model; a hit ends the turn with the
stored answer, a miss goes on to the router; a flagged message is never looked up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from switchboard.agents.context import TurnContext
from switchboard.agents.events import CacheLooked, ModelCalled, Step, Token
from switchboard.agents.graph import LABELS, agent_map, build_graph
from switchboard.agents.state import ConversationState
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.patterns.injection.scanner import Verdict
from tests.fakes import AnswerMemoryFake


class FlaggingScanner:
    def scan(self, text: str) -> Verdict:
        return Verdict("flag", 0.6, ("looks like an instruction",))


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with running_services(Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0)) as built:
        yield built


def context(services: Services, memory: AnswerMemoryFake, **switches: bool) -> TurnContext:
    flags = {**services.flags.snapshot(), "semantic_cache": True, "injection_scan": True, **switches}
    return TurnContext(
        customer_id="C1001",
        conversation_id="conv-cache",
        flags=flags,
        gateway=services.gateway,
        shop=services.shop,
        knowledge=services.knowledge,
        prompts=services.prompts,
        answers=memory,
    )


async def events(ctx: TurnContext, text: str) -> list[Any]:
    turn: ConversationState = {"messages": [{"role": "user", "content": text}], "handoff": None, "handoffs": []}
    return [e async for e in build_graph().astream(turn, context=ctx, stream_mode="custom")]


async def test_a_hit_is_the_reply_and_no_model_is_called(services: Services) -> None:
    memory = AnswerMemoryFake("Within 45 days [returns-policy].")
    seen = await events(context(services, memory), "How do I return a tent?")
    assert [e.node for e in seen if isinstance(e, Step)] == ["guard_input", "cache_lookup"]
    assert [e.text for e in seen if isinstance(e, Token)] == ["Within 45 days [returns-policy]."]
    assert not [e for e in seen if isinstance(e, ModelCalled)]
    assert memory.asked == [("How do I return a tent?", "tidewater", "C1001", ("demo-large",))]


async def test_a_miss_goes_on_to_the_router_and_the_models(services: Services) -> None:
    memory = AnswerMemoryFake()
    seen = await events(context(services, memory), "How do I return a tent?")
    assert [e.node for e in seen if isinstance(e, Step)][:3] == ["guard_input", "cache_lookup", "router"]
    assert [e.outcome for e in seen if isinstance(e, CacheLooked)] == ["miss"]
    assert [e for e in seen if isinstance(e, ModelCalled)]


async def test_with_model_routing_on_the_small_models_answers_are_searched_too(services: Services) -> None:
    memory = AnswerMemoryFake()
    await events(context(services, memory, model_routing=True), "How do I return a tent?")
    assert memory.asked[0][3] == ("demo-large", "demo-small")


async def test_a_flagged_message_is_not_looked_up(services: Services) -> None:
    memory = AnswerMemoryFake("a stored answer")
    ctx = replace(context(services, memory), scanner=FlaggingScanner())
    seen = await events(ctx, "How do I return a tent?")
    (looked,) = [e for e in seen if isinstance(e, CacheLooked)]
    assert memory.asked == [] and looked.outcome == "miss" and "flagged" in looked.detail
    assert "a stored answer" not in "".join(e.text for e in seen if isinstance(e, Token))


async def test_the_switch_off_skips_the_step(services: Services) -> None:
    memory = AnswerMemoryFake("a stored answer")
    seen = await events(context(services, memory, semantic_cache=False), "How do I return a tent?")
    assert memory.asked == [] and "cache_lookup" not in [e.node for e in seen if isinstance(e, Step)]


def test_the_agent_view_draws_the_cache_between_the_guard_and_the_router() -> None:
    drawn = agent_map(build_graph())
    layer = {n.name: n.layer for n in drawn.nodes}
    assert LABELS["cache_lookup"] == "Answer cache" and layer["guard_input"] < layer["cache_lookup"] < layer["router"]
    assert ("cache_lookup", "__end__") in {(e.source, e.target) for e in drawn.edges}
