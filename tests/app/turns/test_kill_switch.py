"""The kill switch in a turn: with it on, no provider is called and the ladder's model-free rungs
answer, whatever the flags say; turned off, models answer again; its state survives a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from switchboard.agents.llm.kill_switch import KillState, KillSwitch
from switchboard.agents.llm.providers.demo.provider import DemoProvider
from switchboard.app.services import Services, running_services, utcnow
from switchboard.app.settings import Settings
from switchboard.app.shop.db import make_engine, make_sessions
from switchboard.app.turns.kill_switch import KillSwitchBoard, KillSwitchChange
from tests.fakes import ProviderCalls

KB_QUESTION = "Is shipping to Canada something you do?"  # the help centre answers it without a model


@pytest.fixture
def provider_calls(monkeypatch: pytest.MonkeyPatch) -> ProviderCalls:
    return ProviderCalls().install(monkeypatch, DemoProvider)


async def play(services: Services, text: str, flags: dict[str, bool] | None = None) -> list[Any]:
    conversation = await services.conversations.create("C1001")
    return [e async for e in services.turns.play(conversation.id, "C1001", text, flags=flags)]


def answer_of(events: list[Any]) -> str:
    return "".join(e.data["text"] for e in events if e.kind == "token")


async def stop(services: Services, reason: str = "provider incident") -> None:
    await services.kill_switch.change(KillSwitchChange(on=True, reason=reason))


async def test_with_the_switch_on_a_turn_calls_no_provider_and_answers_from_the_help_centre(
    services: Services, provider_calls: ProviderCalls
) -> None:
    await stop(services)
    events = await play(services, KB_QUESTION)
    record = events[-1].data
    assert len(provider_calls) == 0 and record["calls"] == [] and record["models"] == []
    assert (record["outcome"], record["tier_served"]) == ("degraded", "kb-only")
    assert record["degraded_reason"] == "kill switch on" and record["sources"]
    assert answer_of(events).startswith("Our assistant is unavailable right now, but this may help:")
    assert any(e.kind == "step" and "kill switch is on" in e.data["label"] for e in events)


async def test_with_the_switch_on_a_question_the_help_centre_cannot_answer_gets_a_ticket(
    services: Services, provider_calls: ProviderCalls
) -> None:
    await stop(services)
    events = await play(services, "qwertyuiop asdfghjkl")
    record = events[-1].data
    assert len(provider_calls) == 0 and record["tier_served"] == "unavailable"
    (ticket,) = record["tickets"]
    assert ticket in answer_of(events) and record["degraded_reason"] == "kill switch on"
    assert "provider incident" not in str(record)  # the operator's note stays on the operator's side


async def test_the_switch_degrades_even_with_the_degradation_flag_off(
    services: Services, provider_calls: ProviderCalls
) -> None:
    await stop(services)
    off = {**services.flags.snapshot(), "degradation": False}
    record = (await play(services, KB_QUESTION, flags=off))[-1].data
    assert len(provider_calls) == 0 and record["outcome"] == "degraded" and record["tier_served"] == "kb-only"


async def test_the_switch_serves_no_answer_a_model_gave_before(
    services: Services, provider_calls: ProviderCalls
) -> None:
    question = "how long do refunds take to reach my card?"
    assert (await play(services, question))[-1].data["outcome"] == "answered"  # remembered by the cache rung
    await stop(services)
    before = len(provider_calls)
    record = (await play(services, question))[-1].data
    assert len(provider_calls) == before and record["tier_served"] in ("kb-only", "unavailable")


async def test_turning_the_switch_off_restores_model_answers(services: Services, provider_calls: ProviderCalls) -> None:
    await stop(services)
    await play(services, KB_QUESTION)
    await services.kill_switch.change(KillSwitchChange(on=False))
    record = (await play(services, KB_QUESTION))[-1].data
    assert record["outcome"] == "answered" and record["calls"] and len(provider_calls) == len(record["calls"])
    assert record["tier_served"] == "primary" and record["degraded_reason"] == ""


async def test_the_switch_is_where_the_operator_left_it_after_a_restart(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as services:
        assert not services.kill_switch.on
        await stop(services, "  bad   answers  ")
    async with running_services(settings) as services:
        view = services.kill_switch.view()
        assert view.on and services.gateway.kill_switch.on and view.reason == "bad answers" and view.changed_at
        await services.kill_switch.change(KillSwitchChange(on=False, reason="ignored"))
    async with running_services(settings) as services:
        assert services.kill_switch.view().model_dump(exclude={"changed_at"}) == {"on": False, "reason": ""}


def test_a_document_restores_the_state_and_a_bad_one_changes_nothing(tmp_path: Path) -> None:
    """What replicas share (app/shared/boards.py): the state another replica already stored."""
    sessions = make_sessions(make_engine(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"))
    source = KillSwitchBoard(sessions, KillSwitch(KillState(True, "incident", "2026-12-07T08:00:00+00:00")), utcnow)
    other = KillSwitchBoard(sessions, KillSwitch(), utcnow)
    other.restore(source.document())
    assert other.on and other.view() == source.view()
    for bad in ({"on": "yes", "reason": "", "changed_at": None}, {"on": False}, {**source.document(), "x": 1}, None):
        with pytest.raises(ValidationError):
            other.restore(bad)
        assert other.view() == source.view()
