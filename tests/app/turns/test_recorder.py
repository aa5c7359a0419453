"""The record says plainly how a turn ended, from the events it saw."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from switchboard.agents.events import CacheLooked, ContextTrimmed, ModelChosen, RouteChosen, TicketOpened, Token
from switchboard.agents.record import RecordBase, TurnRecord
from switchboard.app.turns.recorder import TurnRecorder

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def recorded(*events: object, error: str | None = None) -> TurnRecord:
    recorder = TurnRecorder(clock=lambda: 0.0)
    for event in events:
        recorder.see(event)  # type: ignore[arg-type]
    return recorder.record(base=RecordBase(id="r_1"), error=error, now=NOW)


@pytest.mark.parametrize("said", [[], [Token("")], [Token("  "), Token("\n\n")]])
def test_a_turn_that_said_nothing_is_not_answered(said: list[Token]) -> None:
    record = recorded(RouteChosen("knowledge", 0.9, by="router"), *said)
    assert record.outcome == "error"
    assert record.error == "empty answer: the turn ended without a word for the customer"


def test_a_turn_that_said_something_is_answered() -> None:
    record = recorded(RouteChosen("knowledge", 0.9, by="router"), Token("Refunds take "), Token("five days."))
    assert record.outcome == "answered" and record.error is None


def test_an_error_keeps_its_own_reason_and_a_handover_stays_escalated() -> None:
    assert recorded(error="ProviderError: down").error == "ProviderError: down"
    record = recorded(TicketOpened("T-1", "asked for a person"), Token("A colleague will reply."))
    assert record.outcome == "escalated" and record.error is None


def test_the_model_routing_choice_and_its_reason_land_in_the_record_the_last_one_winning() -> None:
    record = recorded(
        ModelChosen("small", "demo-small", "complexity 0.00 < 0.40 (a short, single question)"),
        ModelChosen("large", "demo-large", "the small model's answer failed the check: it said it could not answer"),
        Token("Here is the answer."),
    )
    assert (record.model_size, record.model_reason) == (
        "large",
        "the small model's answer failed the check: it said it could not answer",
    )
    shown = [(i.size, i.model) for i in record.timeline if i.kind == "model_choice"]
    assert shown == [("small", "demo-small"), ("large", "demo-large")]


def test_a_turn_without_the_cost_switches_records_no_choice_and_nothing_folded() -> None:
    record = recorded(Token("Hi."))
    assert (record.model_size, record.model_reason, record.context_folded) == (None, "", 0)
    assert (record.cache, record.cache_detail, record.cache_similarity) == (None, "", None)


@pytest.mark.parametrize("outcome", ["hit", "miss", "rejected"])
def test_the_cache_lookup_lands_in_the_record_and_the_agent_view(outcome: str) -> None:
    looked = CacheLooked(outcome, "where is order 10057?", f"{outcome} because", 0.93)  # type: ignore[arg-type]
    record = recorded(looked, Token("Order #10057 is on its way."))
    assert (record.cache, record.cache_detail, record.cache_similarity) == (outcome, f"{outcome} because", 0.93)
    (shown,) = [i for i in record.timeline if i.kind == "cache"]
    assert (shown.outcome, shown.detail, shown.similarity) == (outcome, f"{outcome} because", 0.93)
    assert record.outcome == "answered"


def test_the_folded_history_lands_in_the_record_and_the_agent_view() -> None:
    record = recorded(
        ContextTrimmed(folded=6, kept=3, tokens_whole=410, tokens_sent=190, summarised=True), Token("Ok.")
    )
    assert record.context_folded == 6
    [item] = [i for i in record.timeline if i.kind == "context_window"]
    assert (item.folded, item.kept, item.tokens_whole, item.tokens_sent, item.summarised) == (6, 3, 410, 190, True)
