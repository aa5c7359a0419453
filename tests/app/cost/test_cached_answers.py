"""The app's cache policy on a turn's record: what is kept, under whose scope, and how a lookup's
outcome is told. (Through the real turn path: tests/app/turns/test_semantic_cache_turns.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.agents.events import CacheLooked
from switchboard.agents.record import CallRecordView, GuardRecord, ToolRecord, TurnRecord
from switchboard.app.cost.cached_answers import answering_model, looked, owner_of, unkept
from switchboard.patterns.semantic_cache import SHARED, CachePolicy, Entry, Hit, Miss, Rejected, Scope

ASKED = CacheLooked("miss", "how do I return a tent?")
ANSWERED = CallRecordView(purpose="knowledge", model="demo-large", provider="acme")
ROUTED = CallRecordView(purpose="router", model="demo-small", provider="acme")


def record(**fields: Any) -> TurnRecord:
    base: dict[str, Any] = {
        "customer_id": "C1001",
        "tenant_id": "tidewater",
        "outcome": "answered",
        "cache": "miss",
        "route": "knowledge",
        "calls": [ROUTED, ANSWERED],
    }
    return TurnRecord(**{**base, **fields})


def test_a_plain_answer_from_the_help_centre_is_kept_and_shared() -> None:
    plain = record(tools=[ToolRecord(name="search_kb")])
    assert unkept(ASKED, plain) is None and owner_of(ASKED, plain) == SHARED


@pytest.mark.parametrize("outcome", ["escalated", "blocked", "declined", "degraded", "error"])
def test_a_turn_that_did_not_end_as_a_plain_answer_is_not_kept(outcome: str) -> None:
    assert unkept(ASKED, record(outcome=outcome)) == f"the turn was {outcome}"


@pytest.mark.parametrize("tool", ["request_refund", "update_address", "create_ticket"])
def test_a_turn_that_called_a_write_tool_is_not_kept(tool: str) -> None:
    assert unkept(ASKED, record(route="orders", tools=[ToolRecord(name=tool)])) == (
        f"it called {tool}, which changes something"
    )


def test_a_hit_a_failed_tool_a_guard_acting_or_a_stitched_stream_is_not_kept() -> None:
    assert unkept(CacheLooked("hit", "q", answer="a"), record(cache="hit")) == "answered from the cache"
    assert unkept(ASKED, record(tools=[ToolRecord(name="get_order", ok=False)])) == "a tool failed"
    assert unkept(ASKED, record(guards=[GuardRecord(guard="canary", action="withhold")])) == "canary acted on it"
    assert unkept(ASKED, record(mid_stream_cuts=1)) is not None


def test_an_answer_that_read_the_customers_data_or_followed_their_conversation_is_theirs() -> None:
    assert owner_of(ASKED, record(route="orders", tools=[ToolRecord(name="track_shipment")])) == "C1001"
    assert owner_of(ASKED, record(route="account")) == "C1001"  # the account is in its prompt, no tool
    assert owner_of(CacheLooked("miss", "and that one?", follow_up=True), record()) == "C1001"


@pytest.mark.parametrize("question", ["my email is maya@example.com: how do I reset my password?", "reset <EMAIL_1>"])
def test_a_question_carrying_personal_data_is_answered_for_its_customer_alone(question: str) -> None:
    assert owner_of(CacheLooked("miss", question), record()) == "C1001"
    assert owner_of(CacheLooked("miss", "how do I reset my password?"), record()) == SHARED


def test_the_answering_model_is_the_last_call_that_wrote_the_answer() -> None:
    failed = CallRecordView(purpose="knowledge", model="demo-small", provider="acme", error="timeout")
    assert answering_model(record(calls=[ROUTED, ANSWERED, failed])) == "demo-large"
    assert answering_model(record(calls=[ROUTED])) is None


def test_a_lookups_outcome_is_told_with_its_similarity_and_why() -> None:
    entry = Entry("q", "Within 45 days.", Scope("tidewater", "demo-large", "v1"), stored_at=0)
    policy = CachePolicy(threshold=0.9)
    hit = looked("q", Hit(entry, "semantic", 0.95123), policy)
    assert (hit.outcome, hit.answer, hit.similarity, hit.detail) == (
        "hit",
        "Within 45 days.",
        0.9512,
        "semantic match at 0.951",
    )
    rejected = looked("q", Rejected("orders differ", 0.97), policy)
    assert rejected.outcome == "rejected" and rejected.detail == "nearest at 0.970 rejected: orders differ"
    assert looked("q", Miss(0.5), policy).detail == "nearest at 0.500, below the threshold 0.90"
    assert looked("q", Miss(), policy).similarity is None
