"""The edge of a streamed turn: a customer who leaves stops the model, and one who stops reading
pauses it (`backpressure`). The demo model answers; the provider around it holds the answer call
after a few chunks, the way a model still writing would — events, never sleeps, say when."""

from __future__ import annotations

import asyncio
from asyncio import Event
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import replace
from typing import Any

import pytest

from switchboard.agents.context import TurnContext
from switchboard.agents.embeddings import Embedder
from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.llm.providers.demo.provider import DEMO_PROFILES, DemoProvider, with_speed
from switchboard.agents.llm.types import ChatRequest, Chunk, TextDelta
from switchboard.app.services import Services
from switchboard.app.turns.outgoing import TurnEvent
from switchboard.app.turns.runner import TurnRunner
from switchboard.patterns.spend_budget import Owners, window_key

QUESTION = "how do I return a tent?"  # the knowledge specialist: one streamed answer call


class HeldModel:
    """The demo model; an answer call (no JSON schema: not the router's) stops after `hold_after`
    text chunks and waits for ever, unless `hold_after` is None. It notes every chunk it gave and
    when the gateway hung up on it."""

    def __init__(self, embedder: Embedder, hold_after: int | None) -> None:
        self.name = "demo"
        self._inner = DemoProvider(embedder, with_speed(DEMO_PROFILES, 0, 0))
        self._hold_after = hold_after
        self.given = 0  # answer chunks handed to the gateway
        self.holding = asyncio.Event()
        self.hung_up = asyncio.Event()  # the stream was closed before its end
        self.ended = asyncio.Event()  # the stream gave its last chunk

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        answering = request.json_schema is None
        try:
            async for chunk in self._inner.stream(request):
                if answering and isinstance(chunk, TextDelta):
                    if self.given == self._hold_after:
                        self.holding.set()
                        await asyncio.Event().wait()  # a model still writing, for ever
                    self.given += 1
                yield chunk
            if answering:
                self.ended.set()
        finally:
            if answering and not self.ended.is_set():
                self.hung_up.set()


def runner_on(services: Services, model: HeldModel, window: tuple[int, float] = (4, 60.0)) -> TurnRunner:
    gateway = Gateway({name: model for name in DEMO_PROFILES})
    app_context = services.turns._make_context  # the app's own context, on this test's gateway

    def make_context(*args: Any) -> TurnContext:  # customer, conversation, flags, vault, deadline, tenant
        return replace(app_context(*args), gateway=gateway)

    return TurnRunner(
        services.graph,
        services.conversations,
        services.flags,
        make_context,
        services.now,
        services.shop.tenant_of,
        admission=services.admission,
        window=window,
    )


def flags_of(services: Services, **switches: bool) -> dict[str, bool]:
    # One model call answers: no cascade, no escalation on an unsure route, no cache.
    quiet = {"model_routing": False, "escalation_triggers": False, "semantic_cache": False}
    return {**services.flags.snapshot(), **quiet, **switches}


async def reader(
    turns: AsyncIterator[TurnEvent], tokens: list[str], stop_after: int | None = None, stopped: Event | None = None
) -> None:
    """A browser: reads the turn's events; with `stop_after`, stops reading (not leaving) then.
    Cancelled, it closes the stream, as the SSE response does (routes/chat.py)."""
    async with aclosing(turns):  # type: ignore[type-var]  # the runner's stream is an async generator
        async for event in turns:
            if event.kind == "token":
                tokens.append(event.data["text"])
                if stop_after is not None and len(tokens) == stop_after:
                    if stopped is not None:
                        stopped.set()
                    await asyncio.Event().wait()  # the tab is open, nobody reads


async def test_a_customer_who_leaves_stops_the_model_and_the_partial_call_is_recorded_and_charged(
    services: Services, embedder: Embedder
) -> None:
    model = HeldModel(embedder, hold_after=6)
    turns = runner_on(services, model)
    conversation = await services.conversations.create("C1001")
    flags = flags_of(services, backpressure=False)
    turn = await turns.begin(conversation.id, "C1001", QUESTION, flags)
    browser = asyncio.create_task(reader(turns.stream(turn), []))
    await model.holding.wait()
    browser.cancel()  # what the SSE response does when the connection drops
    with pytest.raises(asyncio.CancelledError):
        await browser
    assert model.hung_up.is_set()  # the turn ended only after the gateway had hung up on the model

    user, assistant = await services.conversations.messages(conversation.id)
    assert user.content == QUESTION and assistant.complete is False
    record = await services.records.get(assistant.record_id or "")
    assert record is not None and record.outcome == "cancelled" and record.data["error"] == "client disconnected"
    cut = record.data["calls"][-1]
    assert cut["purpose"] == "knowledge" and cut["estimated"] and cut["output_tokens"] >= 6 and cut["cost_usd"] > 0
    await services.spend.settled()
    day = window_key("customer_day", Owners("", "C1001", record.data["tenant_id"]), services.now())
    spent = (await services.ledger.spent([day]))[day]
    assert spent.usd == pytest.approx(record.data["cost_usd"], abs=1e-6)  # the cut call's cost included
    assert services.admission.running == 0  # its slot was given back


async def test_a_reader_that_stops_reading_pauses_the_model_after_the_window(
    services: Services, embedder: Embedder
) -> None:
    model = HeldModel(embedder, hold_after=None)
    turns = runner_on(services, model, window=(4, 60.0))
    conversation = await services.conversations.create("C1001")
    # the canary and the PII watch hold text back; without them a token out is a token read
    flags = flags_of(services, backpressure=True, canary=False, pii_redaction=False)
    turn = await turns.begin(conversation.id, "C1001", QUESTION, flags)
    read: list[str] = []
    stopped = asyncio.Event()
    browser = asyncio.create_task(reader(turns.stream(turn), read, stop_after=3, stopped=stopped))
    window = turn.window
    assert window is not None
    await stopped.wait()
    while not (window.full.is_set() and window.in_flight == window.size):  # until the model waits for room
        await asyncio.sleep(0)  # a turn of the loop for the model's task: no time passes
    # 3 read, 4 in the window, and the one waiting for room is all it wrote: it waits for good
    assert len(read) == 3 and model.given == 3 + 4 + 1 and not model.ended.is_set()
    browser.cancel()
    with pytest.raises(asyncio.CancelledError):
        await browser
    assert model.hung_up.is_set()


async def test_without_backpressure_a_reader_that_stops_lets_the_model_write_it_all(
    services: Services, embedder: Embedder
) -> None:
    model = HeldModel(embedder, hold_after=None)
    turns = runner_on(services, model)
    conversation = await services.conversations.create("C1001")
    flags = flags_of(services, backpressure=False, canary=False, pii_redaction=False)
    turn = await turns.begin(conversation.id, "C1001", QUESTION, flags)
    read: list[str] = []
    stopped = asyncio.Event()
    browser = asyncio.create_task(reader(turns.stream(turn), read, stop_after=3, stopped=stopped))
    await stopped.wait()
    await model.ended.wait()  # the whole answer was written, into a buffer nobody reads
    assert len(read) == 3 and model.given > 3 + 4 + 1
    browser.cancel()
    with pytest.raises(asyncio.CancelledError):
        await browser


async def test_a_reader_stalled_past_the_stall_time_is_taken_as_gone(services: Services, embedder: Embedder) -> None:
    model = HeldModel(embedder, hold_after=None)
    turns = runner_on(services, model, window=(4, 0.0))  # 0: a full window is a stall at once
    conversation = await services.conversations.create("C1001")
    flags = flags_of(services, backpressure=True, canary=False, pii_redaction=False)
    turn = await turns.begin(conversation.id, "C1001", QUESTION, flags)
    stream = turns.stream(turn)
    first = await anext(stream)
    while first.kind != "token":  # read up to the first word, then stop reading
        first = await anext(stream)
    await model.hung_up.wait()  # the window stalled; the model was stopped
    events = [e async for e in stream]  # the reader comes back: the turn has ended
    record = events[-1].data
    assert events[-1].kind == "done" and "error" not in [e.kind for e in events]
    assert record["outcome"] == "cancelled" and record["error"].startswith("client stalled")
    assert record["calls"][-1]["estimated"] and not model.ended.is_set()
