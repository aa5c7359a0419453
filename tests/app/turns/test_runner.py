"""A turn cut short — the browser went away, the server died — still keeps what was said."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.app.shop.audit import Actor
from switchboard.app.shop.models import Message, RequestRecord
from tests.app.playing import BIG_REFUND, play
from tests.app.telemetry.scraped import samples, total


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    # A slow model, so that the turn is still streaming when the client leaves.
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=50)
    async with running_services(settings) as built:
        yield built


async def test_a_disconnect_mid_stream_keeps_the_message_and_the_partial_answer(services: Services) -> None:
    conversation = await services.conversations.create("C1001")
    seen: list[str] = []
    first_tokens = asyncio.Event()

    async def browser() -> None:
        async for event in services.turns.play(conversation.id, "C1001", "where is my order?"):
            if event.kind == "token":
                seen.append(event.data["text"])
                if len(seen) == 3:
                    first_tokens.set()

    task = asyncio.create_task(browser())
    await first_tokens.wait()
    task.cancel()  # what the SSE response does when the connection drops
    with pytest.raises(asyncio.CancelledError):
        await task

    user, assistant = await services.conversations.messages(conversation.id)
    assert user.content == "where is my order?"
    assert assistant.complete is False
    assert assistant.content.startswith("".join(seen)) and assistant.content
    record = await services.records.get(assistant.record_id or "")
    assert record is not None and record.outcome == "cancelled"
    assert record.data["error"] == "client disconnected"
    assert asyncio.all_tasks() == {asyncio.current_task(), services.keeper.task}  # the turn left none behind


async def test_a_failing_graph_reports_an_error_event_and_stores_the_record(services: Services) -> None:
    conversation = await services.conversations.create("C1001")
    services.flags.set_many({"rag": True})

    async def broken(query: str, k: int, hybrid: bool = False, *, tenant: str) -> list[object]:
        raise RuntimeError("vector store unavailable")

    services.knowledge.search = broken  # type: ignore[method-assign,assignment]
    events = [e async for e in services.turns.play(conversation.id, "C1001", "how long do refunds take?")]
    kinds = [e.kind for e in events]
    assert kinds[-2:] == ["error", "done"]
    assert "vector store" not in events[-2].data["message"]  # no internals leak to the customer
    assert events[-1].data["outcome"] == "error"
    assert "vector store unavailable" in events[-1].data["error"]


async def test_every_stored_record_is_counted_a_disconnected_or_failed_turn_too(services: Services) -> None:
    conversation = await services.conversations.create("C1001")
    turns = services.turns.play(conversation.id, "C1001", "where is my order?")
    async for event in turns:
        if event.kind == "token":
            break
    await turns.aclose()  # the browser leaves after the first word
    services.flags.set_many({"rag": True})

    async def broken(query: str, k: int, hybrid: bool = False, *, tenant: str) -> list[object]:
        raise RuntimeError("vector store unavailable")

    services.knowledge.search = broken  # type: ignore[method-assign,assignment]
    [e async for e in services.turns.play(conversation.id, "C1001", "how long do refunds take?")]
    scraped = samples(services.telemetry.exposition(None)[0].decode())
    assert total(scraped, "switchboard_turns_total", outcome="cancelled", source="live") == 1
    assert total(scraped, "switchboard_turns_total", outcome="error", source="live") == 1
    assert total(scraped, "switchboard_turns_total") == 2


async def test_a_conversation_resumes_from_its_checkpoint_after_a_restart(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings) as first_run:
        conversation = await first_run.conversations.create("C1001")
        _ = [e async for e in first_run.turns.play(conversation.id, "C1001", "what's the status of order 10049?")]
    async with running_services(settings) as second_run:
        # Without the checkpointed history the model would pick the order in transit (10057).
        events = [e async for e in second_run.turns.play(conversation.id, "C1001", "and when will it arrive?")]
        history = await second_run.conversations.messages(conversation.id)
    record = events[-1].data
    assert any(t["arguments"].get("order_id") == "10049" for t in record["tools"])
    assert [m.role for m in history] == ["user", "assistant", "user", "assistant"]


async def test_a_spent_latency_budget_gives_a_degraded_answer_early_not_an_error(tmp_path: Path) -> None:
    # Every model call takes 1.5 s to its first token; the turn may take 0.6 s in all: room for
    # the steps before the first call even on a loaded machine (at 0.2 s they could spend it all
    # before any call began, and the record had no call to show the deadline on).
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=1500, demo_tokens_per_s=0, turn_budget_s=0.6)
    async with running_services(settings) as services:
        conversation = await services.conversations.create("C1001")
        flags = services.flags.snapshot()
        events = [e async for e in services.turns.play(conversation.id, "C1001", "do you ship to Canada?", flags=flags)]
        slow = {**flags, "latency_budget": False, "degradation": False}
        unbudgeted = [
            e async for e in services.turns.play(conversation.id, "C1001", "do you ship to Canada?", flags=slow)
        ]
    record = events[-1].data
    # a rung of the ladder, or, when the ladder's own search cannot finish inside what is left of
    # the budget (a loaded machine), the one answer that needs nothing: the runner's "deadline"
    rungs = ("kb-only", "cache", "unavailable", "deadline")
    assert record["outcome"] == "degraded" and record["tier_served"] in rungs
    assert [c["error"] for c in record["calls"]] == ["timeout"]  # gave up at the deadline, once
    assert unbudgeted[-1].data["outcome"] == "answered"


async def test_the_message_is_stored_when_the_turn_begins_before_any_of_the_answer(services: Services) -> None:
    conversation = await services.conversations.create("C1001")
    begun = await services.turns.begin(conversation.id, "C1001", "where is my order?")
    user, assistant = await services.conversations.messages(conversation.id)
    assert (user.role, user.content) == ("user", "where is my order?")
    assert (assistant.id, assistant.content, assistant.complete) == (begun.reply_id, "", False)
    _ = [e async for e in services.turns.stream(begun)]
    assert (await services.conversations.messages(conversation.id))[-1].complete


async def test_the_answer_is_saved_as_it_streams_in_few_writes(services: Services) -> None:
    conversation = await services.conversations.create("C1001")
    begun = await services.turns.begin(conversation.id, "C1001", "how long do refunds take?")
    drafts = services.turns.drafts
    before = drafts.batches
    seen, tokens = "", 0
    events = aiter(services.turns.stream(begun))
    while not seen:
        event = await anext(events)
        seen += event.data["text"] if event.kind == "token" else ""
    await drafts.drain()  # the batch the first words began has landed
    stored = (await services.conversations.messages(conversation.id))[-1]
    assert stored.content and seen.startswith(stored.content) and not stored.complete
    async for event in events:
        tokens += event.kind == "token"
    assert drafts.batches - before < tokens / 2  # not a write per token


async def test_a_draft_landing_after_the_answer_is_finished_changes_nothing(services: Services) -> None:
    """What lets a turn end without waiting for its last draft: a late draft cannot land over
    the finished answer."""
    conversation = await services.conversations.create("C1001")
    begun = await services.turns.begin(conversation.id, "C1001", "hello")
    finished = RequestRecord(
        id="r_1", conversation_id=conversation.id, created_at=services.now(), flags_key="", outcome="answered", data={}
    )
    await services.conversations.finish_answer(begun.reply_id, "The whole answer.", complete=True, record=finished)
    await services.conversations.save_drafts({begun.reply_id: "The wh"})
    stored = (await services.conversations.messages(conversation.id))[-1]
    assert stored.content == "The whole answer." and stored.complete


async def test_an_approval_is_opened_when_asked_for_even_if_the_browser_leaves(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=50)
    async with running_services(settings) as services:
        conversation = await services.conversations.create("C1001")
        flags = {**services.flags.snapshot(), "human_approval": True}
        await _leave_after_tokens(services, conversation.id, BIG_REFUND, 1, flags)
        (waiting,) = await services.approvals.pending()
        assert waiting.request["order_id"] == "10049" and waiting.conversation_id == conversation.id


async def test_no_word_of_a_colleague_goes_out_before_the_approval_exists(services: Services) -> None:
    conversation = await services.conversations.create("C1001")
    flags = {**services.flags.snapshot(), "human_approval": True}
    said = ""
    async for event in services.turns.play(conversation.id, "C1001", BIG_REFUND, flags=flags):
        said += event.data["text"] if event.kind == "token" else ""
        if "colleague" in said:
            assert await services.approvals.pending()
    assert "asked a colleague to approve it" in said
    assert len(await services.approvals.pending()) == 1  # opened once, not again at the end


async def test_an_unexpected_failure_is_logged_once_with_its_traceback(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    conversation = await services.conversations.create("C1001")
    services.flags.set_many({"rag": True})

    async def broken(query: str, k: int, hybrid: bool = False, *, tenant: str) -> list[object]:
        raise RuntimeError("vector store unavailable")

    services.knowledge.search = broken  # type: ignore[method-assign,assignment]
    with caplog.at_level(logging.ERROR):
        events = [e async for e in services.turns.play(conversation.id, "C1001", "how long do refunds take?")]
    assert [e.kind for e in events][-2:] == ["error", "done"]
    (logged,) = [r for r in caplog.records if r.exc_info]
    assert logged.name == "switchboard.app.turns.runner" and "vector store unavailable" in str(logged.exc_info[1])  # type: ignore[index]
    assert events[-1].data["id"] in logged.getMessage()


async def _leave_after_tokens(
    services: Services, conversation_id: str, text: str, tokens: int, flags: dict[str, bool] | None = None
) -> None:
    """A browser that asks `text` and goes away (its task cancelled) once `tokens` have come."""
    enough = asyncio.Event()

    async def browser() -> None:
        seen = 0
        async for event in services.turns.play(conversation_id, "C1001", text, flags=flags):
            seen += event.kind == "token"
            if seen >= tokens:
                enough.set()

    task = asyncio.create_task(browser())
    await enough.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _crash_mid_answer(services: Services, conversation_id: str) -> str:
    """The database as a kill -9 mid-answer leaves it: the partial answer, no record, and a
    checkpoint thread holding a half-run turn."""
    await _leave_after_tokens(services, conversation_id, "how long do refunds take?", 3)
    async with services.sessions() as s, s.begin():
        reply = (await s.exec(select(Message).where(Message.role == "assistant"))).one()
        await s.delete(await s.get(RequestRecord, reply.record_id))
        reply.record_id = None
        return reply.content


async def test_after_a_restart_a_turn_cut_off_says_so_and_the_conversation_goes_on(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=50)
    async with running_services(settings) as crashed:
        conversation = await crashed.conversations.create("C1001")
        partial = await _crash_mid_answer(crashed, conversation.id)
    assert partial
    async with running_services(settings) as restarted:
        _, cut = await restarted.conversations.messages(conversation.id)
        assert (cut.content, cut.complete) == (partial, False)
        record = await restarted.records.get(cut.record_id or "")
        assert record is not None and record.outcome == "error"
        assert record.data["error"] == "interrupted: the server stopped mid-answer"
        assert record.data["customer_id"] == "C1001" and record.data["message_id"] == cut.id
        answer, after = await play(restarted, conversation.id, "C1001", "do you ship to Canada?")
        assert after["outcome"] == "answered" and answer
        history = await restarted.conversations.messages(conversation.id)
        assert [m.complete for m in history] == [True, False, True, True]


async def test_a_failure_on_the_degraded_path_is_an_error_event_too(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    conversation = await services.conversations.create("C1001")
    services.chaos.apply_preset("all-down")

    async def no_tickets(customer_id: str, conversation_id: str, reason: str) -> str:
        raise RuntimeError("ticket system down")

    services.shop.open_ticket = no_tickets  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR):
        events = [e async for e in services.turns.play(conversation.id, "C1001", "qwertyuiop asdfghjkl")]
    assert [e.kind for e in events][-2:] == ["error", "done"]
    assert events[-1].data["outcome"] == "error" and "ticket system down" in events[-1].data["error"]
    assert [r.exc_info is not None for r in caplog.records if r.name == "switchboard.app.turns.runner"] == [True]


async def test_with_rate_limit_on_a_turn_s_tokens_count_against_the_customer_s_next_message(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, rate_limit_tokens_per_minute=1)
    async with running_services(settings) as services:
        services.flags.set_many({"rate_limit": True})
        tenant = await services.shop.tenant_of("C1001")
        evaluated = await services.conversations.create("C1001")
        [_ async for _ in services.turns.play(evaluated.id, "C1001", "where is my order?", run_id="run_1")]
        assert await services.rate_limits.admit(tenant, "C1001") is None  # an eval run's turn is not theirs
        live = await services.conversations.create("C1001")
        [_ async for _ in services.turns.play(live.id, "C1001", "where is my order?")]
        refused = await services.rate_limits.admit(tenant, "C1001")
        assert refused is not None and refused.limit == "tokens"
        assert await services.rate_limits.admit(tenant, "C1002") is None


async def test_a_turn_reads_its_conversations_prompt_versions_and_an_eval_runs_turn_the_stable_ones(
    services: Services,
) -> None:
    """With a candidate served to everyone, a live turn is routed by the candidate (the demo router
    reads the prompt it is sent: without the how-to rule, a refund question goes to orders), but an
    eval run's turn is not drawn into the canary: a run must repeat."""
    operator = Actor.of("cli", "localhost", "test")
    await services.rollouts.set_candidate("router", "5-worse", 100, services.audit.stamp(operator, "prompts.rollout"))
    records = []
    for run_id in (None, "run_1"):
        conversation = await services.conversations.create("C1001")
        events = [
            e async for e in services.turns.play(conversation.id, "C1001", "how long do refunds take?", run_id=run_id)
        ]
        records.append(events[-1].data)
    assert [(r["prompt_versions"]["router"], r["route"]) for r in records] == [
        ("5-worse", "orders"),
        ("5", "knowledge"),
    ]
