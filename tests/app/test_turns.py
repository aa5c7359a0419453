"""A turn cut short — the browser went away — still stores what was said, and leaves no task."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings


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
    assert record is not None and record.outcome == "error"
    assert record.data["error"] == "client disconnected"
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_a_failing_graph_reports_an_error_event_and_stores_the_record(services: Services) -> None:
    conversation = await services.conversations.create("C1001")
    services.flags.set_many({"rag": True})

    async def broken(query: str, k: int, hybrid: bool = False) -> list[object]:
        raise RuntimeError("vector store unavailable")

    services.knowledge.search = broken  # type: ignore[method-assign,assignment]
    events = [e async for e in services.turns.play(conversation.id, "C1001", "how long do refunds take?")]
    kinds = [e.kind for e in events]
    assert kinds[-2:] == ["error", "done"]
    assert "vector store" not in events[-2].data["message"]  # no internals leak to the customer
    assert events[-1].data["outcome"] == "error"
    assert "vector store unavailable" in events[-1].data["error"]


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
    # Every model call takes 0.5 s to its first token; the turn may take 0.2 s in all.
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=500, demo_tokens_per_s=0, turn_budget_s=0.2)
    async with running_services(settings) as services:
        conversation = await services.conversations.create("C1001")
        flags = services.flags.snapshot()
        events = [e async for e in services.turns.play(conversation.id, "C1001", "do you ship to Canada?", flags=flags)]
        slow = {**flags, "latency_budget": False, "degradation": False}
        unbudgeted = [
            e async for e in services.turns.play(conversation.id, "C1001", "do you ship to Canada?", flags=slow)
        ]
    record = events[-1].data
    assert record["outcome"] == "degraded" and record["tier_served"] in ("kb-only", "cache", "unavailable")
    assert [c["error"] for c in record["calls"]] == ["timeout"]  # gave up at the deadline, once
    assert unbudgeted[-1].data["outcome"] == "answered"
