from __future__ import annotations

import pytest

from switchboard.patterns.frustration import frustrated, measure


@pytest.mark.parametrize(
    "text",
    [
        "This is the third time I'm asking, where is my tent??",
        "Your service is useless.",
        "I'm fed up, get me a manager",
        "WHERE IS MY ORDER, IT WAS DUE LAST WEEK",
    ],
)
def test_fed_up_customers_are_noticed(text: str) -> None:
    assert frustrated(text), measure(text)


@pytest.mark.parametrize(
    "text",
    [
        "where is my order?",
        "Can I order the stove again in blue?",
        "how do I return a tent?",
        "Thanks! That's great!",
        "is the UK PLUG OK",
    ],
)
def test_ordinary_messages_are_not(text: str) -> None:
    assert not frustrated(text), measure(text)


def test_signals_add_up_as_independent_evidence() -> None:
    one = measure("this happened again")
    two = measure("this happened again?!")
    assert one.signals == ("again",) and two.score == pytest.approx(1 - (1 - 0.35) * (1 - 0.3))
