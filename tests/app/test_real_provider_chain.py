"""A real OpenAI-compatible API (the wire server on loopback) first in the chain, demo vendors behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.agents.llm.providers.local_gguf import LocalModelUnavailable
from switchboard.app.services import running_services
from switchboard.app.settings import Settings
from switchboard.app.turns.kill_switch import KillSwitchChange
from tests.agents.llm.providers import openai_wire
from tests.agents.llm.providers.real_llama import require_real_llama


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with openai_wire.serving() as url:
        yield url


async def turn(tmp_path: Path, base_url: str, model: str, text: str) -> tuple[str, dict[str, Any]]:
    settings = Settings(
        data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, openai_base_url=base_url, openai_model=model
    )
    async with running_services(settings) as services:
        conversation = await services.conversations.create("C1001")
        # The wire server's router reply is not a decision: escalating unsure turns would hide the answer.
        # One model answers (no routing cascade), so the calls below are the graph's own.
        flags = {**services.flags.snapshot(), "escalation_triggers": False, "model_routing": False}
        events = [e async for e in services.turns.play(conversation.id, "C1001", text, flags=flags)]
    answer = "".join(e.data["text"] for e in events if e.kind == "token")
    return answer, events[-1].data


async def test_the_real_model_answers_and_is_recorded_under_its_own_name(tmp_path: Path, base_url: str) -> None:
    answer, record = await turn(tmp_path, base_url, "ok", "hello there")
    assert answer == "Hello!"  # what the wire server streamed, through router and specialist
    assert {c["provider"] for c in record["calls"]} == {"openai"} and record["models"] == ["ok"]
    # 12 tokens a call: the router, asked again because "Hello!" is not a decision, then the specialist.
    assert record["tier_served"] == "primary" and record["input_tokens"] == 36


async def test_a_failing_real_model_fails_over_to_the_demo_vendors(tmp_path: Path, base_url: str) -> None:
    answer, record = await turn(tmp_path, base_url, "503", "do you ship to Canada?")
    assert record["outcome"] == "answered" and record["tier_served"] == "secondary"
    assert record["providers"] == ["demo-a"] and "[" in answer
    assert any(c["provider"] == "openai" and c["error"] == "overloaded" for c in record["calls"])


async def test_a_turn_handed_back_is_routed_again_told_why(tmp_path: Path, base_url: str) -> None:
    answer, record = await turn(tmp_path, base_url, "relay", "how do returns work for my order?")
    assert record["path"][-4:] == ["router", "orders", "router", "knowledge"]  # not ping-pong: another specialist
    assert answer == "Here is how it works." and record["outcome"] == "answered"
    assert [t["name"] for t in record["tools"]] == ["hand_back"] and not record["guards"]


async def test_claude_joins_the_chain_from_settings(tmp_path: Path) -> None:
    from tests.agents.llm.providers import anthropic_wire

    with anthropic_wire.serving() as url:
        settings = Settings(
            data_dir=tmp_path,
            demo_ttft_ms=0,
            demo_tokens_per_s=0,
            anthropic_api_key="sk-ant-test",
            anthropic_base_url=url,
            anthropic_model="ok",
        )
        async with running_services(settings) as services:
            conversation = await services.conversations.create("C1001")
            # One model answers (no routing cascade), so the calls below are the graph's own.
            flags = {**services.flags.snapshot(), "escalation_triggers": False, "model_routing": False}
            events = [e async for e in services.turns.play(conversation.id, "C1001", "hello there", flags=flags)]
    record = events[-1].data
    assert record["providers"] == ["anthropic"] and record["models"] == ["ok"] and record["tier_served"] == "primary"


async def test_chaos_presets_aim_at_the_real_primary_when_there_is_one(tmp_path: Path, base_url: str) -> None:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, openai_base_url=base_url)
    async with running_services(settings) as services:
        assert services.chaos.providers == ("openai", "demo-a", "demo-b")
        services.chaos.apply_preset("primary-down")
        assert services.chaos.view()["chaos"]["openai"]["outage"] is True
        conversation = await services.conversations.create("C1001")
        events = [e async for e in services.turns.play(conversation.id, "C1001", "do you ship to Canada?")]
    record = events[-1].data
    assert record["tier_served"] == "secondary" and record["providers"] == ["demo-a"]


async def test_a_local_model_that_cannot_load_is_one_clear_message_at_start_up(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, local_model=str(tmp_path / "missing.gguf"))
    with pytest.raises(LocalModelUnavailable, match=r"no GGUF file at|needs llama-cpp-python"):
        async with running_services(settings):
            pass


async def test_the_local_model_joins_the_chain_under_its_file_name(tmp_path: Path) -> None:
    require_real_llama()
    settings = Settings(data_dir=tmp_path, local_model="smollm2", local_threads=2, turn_budget_s=300)
    async with running_services(settings) as services:
        assert services.chaos.providers == ("local", "demo-a", "demo-b")
        conversation = await services.conversations.create("C1001")
        events = [e async for e in services.turns.play(conversation.id, "C1001", "hi", flags={"streaming": True})]
    record = events[-1].data
    assert record["providers"] == ["local"] and record["models"] == ["SmolLM2-135M-Instruct.Q4_1"]
    assert record["outcome"] == "answered" and record["output_tokens"] > 0


async def test_with_the_kill_switch_on_the_real_model_receives_no_request(tmp_path: Path, base_url: str) -> None:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, openai_base_url=base_url)
    async with running_services(settings) as services:
        await services.kill_switch.change(KillSwitchChange(on=True, reason="provider incident"))
        conversation = await services.conversations.create("C1001")
        sent = len(openai_wire.RECEIVED)
        events = [e async for e in services.turns.play(conversation.id, "C1001", "do you ship to Canada?")]
        assert len(openai_wire.RECEIVED) == sent and events[-1].data["calls"] == []
        assert events[-1].data["outcome"] == "degraded"
        await services.kill_switch.change(KillSwitchChange(on=False))
        events = [e async for e in services.turns.play(conversation.id, "C1001", "do you ship to Canada?")]
    assert len(openai_wire.RECEIVED) > sent and "openai" in {c["provider"] for c in events[-1].data["calls"]}
