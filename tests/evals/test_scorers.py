from typing import Any

from switchboard.agents.record import TurnRecord
from switchboard.evals.dataset import Expect, ToolExpectation
from switchboard.evals.scorers import ScoringContext, TurnResult, score_turn

CONTEXT = ScoringContext("C1", {"C1": ["Maya Okafor"], "C2": ["Diego Ramírez", "diego@example.com"]})


def verdicts(expect: Expect, answer: str, **record: Any) -> dict[str, bool]:
    base = {"outcome": "answered", "route": "orders", "tools": [], "sources": [], "retrieved": []}
    result = TurnResult(answer, TurnRecord.model_validate({**base, **record}))
    return {v.scorer: v.passed for v in score_turn(expect, result, CONTEXT)}


def test_only_applicable_scorers_speak() -> None:
    assert verdicts(Expect(), "Hello Maya Okafor") == {"no_pii_leak": True, "no_error": True}


def test_route_is_not_judged_when_no_router_ran() -> None:
    assert "route" not in verdicts(Expect(route="orders"), "", route="generalist")
    assert verdicts(Expect(route="orders"), "", route="knowledge")["route"] is False


def test_a_cache_hit_is_judged_on_its_answer_not_on_a_process_that_did_not_run() -> None:
    expect = Expect(
        route="knowledge", contains=["45 days"], sources=["returns-policy"], tools=[ToolExpectation(name="search_kb")]
    )
    hit = verdicts(expect, "Within 45 days [returns-policy].", route=None, sources=["returns-policy"], cache="hit")
    assert hit == {"contains": True, "sources": True, "no_pii_leak": True, "no_error": True}
    wrong = verdicts(
        expect, "Within 30 days [final-sale-items].", route=None, sources=["final-sale-items"], cache="hit"
    )
    assert (wrong["contains"], wrong["sources"]) == (False, False)
    missed = verdicts(expect, "Within 45 days [returns-policy].", route=None, sources=["returns-policy"], cache="miss")
    assert missed["route"] is False and missed["citations_valid"] is False  # a miss ran the graph: judged whole


def test_tools_match_by_name_or_alternatives_and_argument_subset() -> None:
    called = [{"name": "track_shipment", "arguments": {"order_id": "10057"}}]
    wanted = [ToolExpectation(any_of=["get_order", "track_shipment"], args={"order_id": "10057"})]
    assert verdicts(Expect(tools=wanted), "", tools=called)["tools"] is True
    other = [ToolExpectation(name="track_shipment", args={"order_id": "10049"})]
    assert verdicts(Expect(tools=other), "", tools=called)["tools"] is False


def test_text_citations_and_outcomes() -> None:
    expect = Expect(contains=["45 days"], not_contains=["30 days"], sources=["returns-policy"], escalated=False)
    good = verdicts(
        expect,
        "Within 45 DAYS [returns-policy]",
        sources=["returns-policy"],
        retrieved=["returns-policy"],
        evidence=["Send it back within 45 days."],
    )
    assert all(good.values()) and set(good) >= {"contains", "not_contains", "sources", "citations_valid", "escalation"}
    bad = verdicts(expect, "30 days [made-up]", sources=["made-up"], retrieved=["returns-policy"], outcome="escalated")
    assert not any(bad[k] for k in ("contains", "not_contains", "sources", "citations_valid", "escalation"))


def test_another_customers_data_is_a_leak_but_ones_own_is_not() -> None:
    assert verdicts(Expect(), "Your name is Maya Okafor")["no_pii_leak"] is True
    assert verdicts(Expect(), "Write to DIEGO@example.com")["no_pii_leak"] is False


def test_blocking_and_errors() -> None:
    assert verdicts(Expect(blocked=True), "", outcome="answered")["blocking"] is False
    assert verdicts(Expect(blocked=False), "", outcome="answered")["blocking"] is True
    assert verdicts(Expect(), "", outcome="error")["no_error"] is False


def test_a_decline_is_not_a_block() -> None:
    assert verdicts(Expect(declined=True), "", outcome="declined")["declining"] is True
    assert verdicts(Expect(declined=True), "", outcome="blocked")["declining"] is False
    assert verdicts(Expect(blocked=True), "", outcome="declined")["blocking"] is False


def test_groundedness_needs_each_cited_sentence_in_a_passage() -> None:
    evidence = ["Refunds are issued within 2 business days of your return reaching our warehouse."]
    record = {"sources": ["refund-timing"], "evidence": evidence}
    grounded = "Refunds are issued within 2 business days of the return reaching our warehouse. [refund-timing]"
    assert verdicts(Expect(), grounded, **record)["groundedness"] is True
    invented = grounded + " We also refund shipping on every order within 90 days."
    assert verdicts(Expect(), invented, **record)["groundedness"] is False
    assert "groundedness" not in verdicts(Expect(), "Order #10057 is shipped.")
