"""`context_window`: the newest messages go whole, the older ones as a summary the cheap model
writes once per folded message, kept in the checkpointed state so that a restart keeps it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from switchboard.agents.context import ContextBudget, TurnContext
from switchboard.agents.events import ContextTrimmed
from switchboard.agents.history import HISTORY_MESSAGES, SUMMARY_HEADING, history, spoken, trim_history
from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.llm.providers.demo.summarising import summary_blocks
from switchboard.agents.llm.types import ChatRequest, Message
from switchboard.agents.state import ConversationState
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from tests.agents.playing import Listening, play, turn_context

QUESTIONS = [
    "where is order 10057?",
    "how do I return a tent?",
    "do you ship to Canada?",
    "how long do refunds take?",
    "what is your price match policy?",
    "how do I re-proof my rain shell?",
    "can I take my down bag to the dry cleaner?",
]
BUDGET = ContextBudget(tokens=120, summary_tokens=40)
CONVERSATION = "conv-trim"


def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, demo_ttft_ms=0, demo_tokens_per_s=0)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with running_services(settings(tmp_path)) as built:
        yield built


class Spied:
    """The services' models behind a `Listening` provider each: what every model was sent."""

    def __init__(self, services: Services) -> None:
        self.small = Listening(services.gateway.chain_for(services.settings.router_model)[0])
        self.large = Listening(services.gateway.chain_for(services.settings.model)[0])
        self.gateway = Gateway({services.settings.router_model: self.small, services.settings.model: self.large})

    def summaries_asked(self) -> list[tuple[str, list[str]]]:
        asked = [summary_blocks(str(r.messages[-1].get("content", ""))) for r in self.small.requests]
        return [blocks for blocks in asked if blocks is not None]


def context(services: Services, gateway: Gateway, **flags: bool) -> TurnContext:
    switches = {"injection_scan": False, "model_routing": False, "context_window": True, **flags}
    return turn_context(services, CONVERSATION, flags=switches, gateway=gateway, context_budget=BUDGET)


async def state_of(services: Services) -> ConversationState:
    config: Any = {"configurable": {"thread_id": CONVERSATION}}
    return (await services.graph.aget_state(config)).values  # type: ignore[no-any-return]


def test_with_the_switch_off_a_model_sees_the_last_messages_whole(services: Services) -> None:
    messages: list[Message] = [{"role": "user", "content": f"message {n}"} for n in range(20)]
    state: ConversationState = {"messages": messages, "context_summary": {"folded": 15, "text": "old"}}
    off = turn_context(services, CONVERSATION, flags={"context_window": False})
    assert history(state, off) == messages[-HISTORY_MESSAGES:]


def test_with_it_on_a_model_sees_the_summary_then_the_unfolded_messages_whole(services: Services) -> None:
    messages: list[Message] = [{"role": "user", "content": f"message {n}"} for n in range(20)]
    state: ConversationState = {"messages": messages, "context_summary": {"folded": 15, "text": "- Customer: hi"}}
    seen = history(state, turn_context(services, CONVERSATION, flags={"context_window": True}))
    assert seen[0] == {"role": "system", "content": f"{SUMMARY_HEADING}\n- Customer: hi"}
    assert seen[1:] == messages[15:]


async def test_older_messages_fold_each_summarised_once_and_the_newest_go_whole(services: Services) -> None:
    spied = Spied(services)
    trims: list[ContextTrimmed] = []
    for question in QUESTIONS:
        events = await play(services, context(services, spied.gateway), question)
        trims.extend(e for e in events if isinstance(e, ContextTrimmed))
    state = await state_of(services)
    folded = state["context_summary"]["folded"]
    assert folded > 4 and trims[-1].folded == folded and trims[-1].tokens_sent < trims[-1].tokens_whole
    summarised = [line for _, new in spied.summaries_asked() for line in new]
    assert summarised == [spoken(m) for m in state["messages"][:folded]]  # each folded message once, in order
    assert len(spied.summaries_asked()) <= len(QUESTIONS)  # at most one a turn, though two agents read it
    last = _answering(spied.large.requests[-1])
    assert last[0]["content"].startswith(SUMMARY_HEADING)
    assert last[1:] == state["messages"][folded:-1]  # the newest whole, up to this turn's answer


async def test_a_second_reader_in_the_same_state_reuses_the_summary(services: Services) -> None:
    """A hand-back runs the router twice in one turn: the second fit must not pay for a summary."""
    spied = Spied(services)
    messages: list[Message] = [{"role": "user", "content": q} for q in QUESTIONS]
    written: list[object] = []
    runtime: Any = SimpleNamespace(context=context(services, spied.gateway), stream_writer=written.append)
    first = await trim_history({"messages": messages}, runtime)
    again = await trim_history({"messages": messages, **first}, runtime)
    assert again == first and len(spied.summaries_asked()) == 1
    trims = [e for e in written if isinstance(e, ContextTrimmed)]
    assert [t.summarised for t in trims] == [True, False]


async def test_the_summary_survives_a_restart_and_is_extended_not_redone(tmp_path: Path) -> None:
    async with running_services(settings(tmp_path)) as first:
        spied = Spied(first)
        for question in QUESTIONS[:5]:
            await play(first, context(first, spied.gateway), question)
        before = (await state_of(first))["context_summary"]
    async with running_services(settings(tmp_path)) as second:
        assert (await state_of(second))["context_summary"] == before
        spied = Spied(second)
        for question in QUESTIONS[5:]:
            await play(second, context(second, spied.gateway), question)
        previous, new = spied.summaries_asked()[0]
        assert previous == before["text"]  # extended from the checkpointed summary
        assert new == [spoken(m) for m in (await state_of(second))["messages"][before["folded"] :][: len(new)]]


def _answering(request: ChatRequest) -> list[Message]:
    """The conversation part of a specialist's request: after its own system prompt and passages."""
    messages = list(request.messages)
    start = next(i for i, m in enumerate(messages) if str(m.get("content", "")).startswith(SUMMARY_HEADING))
    return messages[start:]
