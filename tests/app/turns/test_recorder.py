"""The record says plainly how a turn ended, from the events it saw."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from switchboard.agents.events import RouteChosen, TicketOpened, Token
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
