"""The knowledge node searches a follow-up as the standalone question it stands for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from tests.app.playing import play


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with running_services(Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0)) as built:
        yield built


def searched(record: dict[str, Any]) -> list[str]:
    return [item["query"] for item in record["timeline"] if item["kind"] == "retrieval"]


async def test_a_follow_up_is_searched_with_the_previous_question(services: Services) -> None:
    conversation = await services.conversations.create("C1001")
    _, first = await play(services, conversation.id, "C1001", "What is your return policy for tents?", rag=True)
    _, second = await play(services, conversation.id, "C1001", "and for boots?", rag=True)
    assert searched(first) == ["What is your return policy for tents?"]
    assert searched(second) == ["What is your return policy for boots?"]
    assert "returns-policy" in second["retrieved"]


async def test_below_the_floor_the_node_says_it_is_not_in_the_help_centre(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, kb_refuse_below=0.99)
    async with running_services(settings) as services:
        conversation = await services.conversations.create("C1001")
        answer, record = await play(
            services, conversation.id, "C1001", "What is your return policy for tents?", rag=True
        )
    assert record["retrieved"] == [] and searched(record) == ["What is your return policy for tents?"]
    assert "couldn't find anything about that in our help centre" in answer
