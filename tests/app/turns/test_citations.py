"""`citation_validation` through the real turn path on the demo models, with the chaos dial
that makes the model cite an article it was never given."""

from __future__ import annotations

from switchboard.agents.llm.chaos import MISCITED
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
