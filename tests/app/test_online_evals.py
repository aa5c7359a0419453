"""Online evals grade a sample of live turns in the background; runs and flags-off are left alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, online_eval_every=2)
    async with running_services(settings) as built:
        yield built


async def play(services: Services, text: str, **kwargs: object) -> dict[str, object]:
    conversation = await services.conversations.create("C1001")
    events = [e async for e in services.turns.play(conversation.id, "C1001", text, **kwargs)]  # type: ignore[arg-type]
    return events[-1].data


async def test_one_live_turn_in_n_is_graded_after_its_answer(services: Services) -> None:
    for question in ["how long do refunds take?", "do you ship to Canada?", "how do I wash a down sleeping bag?"]:
        await play(services, question)
    await services.online.wait()
    snapshot = services.online.snapshot()
    assert snapshot["scored"] == 1 and snapshot["judge_cost_usd"] > 0
    assert 0.0 <= snapshot["mean_score"] <= 1.0


async def test_runs_and_the_switch_off_are_not_graded(services: Services) -> None:
    off = {**services.flags.snapshot(), "online_evals": False}
    for _ in range(2):
        await play(services, "how long do refunds take?", flags=off)
        await play(services, "how long do refunds take?", run_id="run_x")
    await services.online.wait()
    assert services.online.snapshot()["scored"] == 0
