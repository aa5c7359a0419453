"""`citation_validation` through the real turn path on the demo models, with the chaos dial
that makes the model cite an article it was never given."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from switchboard.agents.llm.chaos import MISCITED
from switchboard.agents.llm.providers.demo.provider import DemoProvider
from switchboard.agents.llm.types import ChatRequest, Chunk, TextDelta
from switchboard.agents.nodes.specialist import CITATION_REPAIR, CORRECTED
from switchboard.app.services import Services
from switchboard.patterns.citations import REMOVED_MARK
from tests.app.playing import turn

QUESTION = "What is your return policy for tents?"


def miscite_always(services: Services) -> None:
    services.chaos.set_many({name: {"citation_fault_rate": 1.0} for name in services.chaos.providers})


async def test_with_the_switch_on_a_citation_of_an_unretrieved_article_is_removed_and_counted(
    services: Services,
) -> None:
    miscite_always(services)
    answer, record = await turn(services, "C1001", QUESTION, citation_validation=True)
    assert MISCITED not in answer and REMOVED_MARK in answer
    assert record["citations_removed"] == 1 and record["citations_valid"] >= 1
    assert set(record["sources"]) <= set(record["retrieved"]) and record["sources"]
    (acted,) = [g for g in record["guards"] if g["guard"] == "citation_validation"]
    assert acted["action"] == "remove" and MISCITED in acted["detail"]


async def test_with_the_switch_off_the_invented_citation_reaches_the_customer_uncounted(services: Services) -> None:
    miscite_always(services)
    answer, record = await turn(services, "C1001", QUESTION, citation_validation=False)
    assert f"[{MISCITED}]" in answer and MISCITED in record["sources"] and MISCITED not in record["retrieved"]
    assert (record["citations_valid"], record["citations_removed"], record["citations_repaired"]) == (0, 0, 0)
    assert not [c for c in record["checks"] if c["guard"] == "citation_validation"]


async def test_a_calm_model_citing_what_it_was_given_passes_the_check(services: Services) -> None:
    answer, record = await turn(services, "C1001", QUESTION, citation_validation=True)
    assert REMOVED_MARK not in answer and record["citations_removed"] == 0 and record["citations_valid"] >= 1
    (check,) = [c for c in record["checks"] if c["guard"] == "citation_validation"]
    assert check["verdict"] == "pass"


async def test_the_check_holds_without_streaming_too(services: Services) -> None:
    miscite_always(services)
    answer, record = await turn(services, "C1001", QUESTION, citation_validation=True, streaming=False)
    assert MISCITED not in answer and REMOVED_MARK in answer and record["citations_removed"] == 1


class MiscitingDemo:
    """Patches the demo model so that its answers cite only `MISCITED` in place of the articles
    they name — the first answer of a turn, or (`always`) the re-asked one too."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, always: bool = False) -> None:
        original = DemoProvider.stream
        self.repair_requests: list[ChatRequest] = []

        async def stream(provider: DemoProvider, request: ChatRequest) -> AsyncIterator[Chunk]:
            reasked = any(str(m.get("content", "")).startswith(REPAIR_OPENING) for m in request.messages)
            self.repair_requests += [request] if reasked else []
            chunks = [c async for c in original(provider, request)]
            text = "".join(c.text for c in chunks if isinstance(c, TextDelta))
            if text and (always or not reasked):
                text = re.sub(r"\[[a-z0-9-]+\]", f"[{MISCITED}]", text)
            yield TextDelta(text)
            for chunk in chunks:
                if not isinstance(chunk, TextDelta):
                    yield chunk

        monkeypatch.setattr(DemoProvider, "stream", stream)


REPAIR_OPENING = CITATION_REPAIR.split("{", 1)[0]


async def test_an_answer_left_without_a_valid_citation_is_reasked_once_and_corrected(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = MiscitingDemo(monkeypatch)
    answer, record = await turn(services, "C1001", QUESTION, citation_validation=True)
    (asked,) = demo.repair_requests
    assert "returns-policy" in str(asked.messages[-1]["content"]) and MISCITED in str(asked.messages[-1]["content"])
    first, correction = answer.split(CORRECTED)
    assert REMOVED_MARK in first and "[returns-policy]" in correction and MISCITED not in answer
    assert (record["citations_removed"], record["citations_repaired"], record["citations_valid"]) == (1, 1, 1)
    assert record["sources"] == ["returns-policy"]


async def test_a_correction_that_cites_nothing_retrieved_is_not_shown(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = MiscitingDemo(monkeypatch, always=True)
    answer, record = await turn(services, "C1001", QUESTION, citation_validation=True)
    assert len(demo.repair_requests) == 1 and CORRECTED not in answer and REMOVED_MARK in answer
    assert (record["citations_removed"], record["citations_repaired"], record["citations_valid"]) == (1, 0, 0)
    actions = [g["action"] for g in record["guards"] if g["guard"] == "citation_validation"]
    assert actions == ["reask", "remove"]


async def test_with_the_switch_off_nothing_is_reasked(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    demo = MiscitingDemo(monkeypatch)
    answer, _ = await turn(services, "C1001", QUESTION, citation_validation=False)
    assert not demo.repair_requests and f"[{MISCITED}]" in answer
