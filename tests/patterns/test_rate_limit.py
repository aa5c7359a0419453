"""Per-customer limits on the `limits` library: messages in a moving window, tokens in a fixed one.

`limits` reads time.time(); time-machine moves it, so no test waits for a window to pass.
"""

from __future__ import annotations

import pytest
import time_machine

from switchboard.patterns.rate_limit import CustomerLimits, Refusal, refusal

START = 1_800_000_000.0  # any instant: the windows are relative to the first message


@pytest.mark.parametrize(("reset", "expected"), [(0.2, 1), (0.99, 1), (1.0, 2), (59.1, 60), (-3.0, 1)])
def test_retry_after_is_the_first_whole_second_past_the_room_and_never_zero(reset: float, expected: int) -> None:
    assert refusal("messages", START + reset, START) == Refusal("messages", expected)


async def test_the_message_past_the_limit_is_refused_until_the_oldest_leaves_the_window() -> None:
    with time_machine.travel(START, tick=False) as clock:
        limits = CustomerLimits(messages_per_minute=3, tokens_per_minute=0)
        for _ in range(3):
            assert await limits.admit("t", "C1") is None
            clock.shift(10)
        assert await limits.admit("t", "C1") == Refusal("messages", 31)  # the first leaves at 60 s
        clock.shift(29.5)
        assert await limits.admit("t", "C1") == Refusal("messages", 1)  # refusals are not counted
        clock.shift(1)  # as told
        assert await limits.admit("t", "C1") is None
        assert await limits.admit("t", "C1") == Refusal("messages", 10)  # now the second is the oldest


async def test_each_key_has_its_own_window() -> None:
    limits = CustomerLimits(messages_per_minute=1, tokens_per_minute=0)
    assert await limits.admit("tidewater", "C1") is None
    assert await limits.admit("tidewater", "C1") is not None
    assert await limits.admit("tidewater", "C2") is None
    assert await limits.admit("summit", "C1") is None  # the same id at another shop is someone else


async def test_tokens_are_charged_after_a_turn_and_refuse_the_next_until_the_window_closes() -> None:
    with time_machine.travel(START, tick=False) as clock:
        limits = CustomerLimits(messages_per_minute=0, tokens_per_minute=1000)
        assert await limits.admit("t", "C1") is None
        await limits.charge(600, "t", "C1")
        clock.shift(5)
        assert await limits.admit("t", "C1") is None  # 600 < 1000: room for one more turn
        await limits.charge(2500, "t", "C1")  # a long turn is counted whole, past the limit
        clock.shift(15)
        assert await limits.admit("t", "C1") == Refusal("tokens", 41)  # the window opened at 0 s
        assert await limits.admit("t", "C2") is None
        clock.shift(41)
        assert await limits.admit("t", "C1") is None


async def test_zero_turns_a_limit_off() -> None:
    limits = CustomerLimits(messages_per_minute=0, tokens_per_minute=0)
    for _ in range(100):
        await limits.charge(10_000, "t", "C1")
        assert await limits.admit("t", "C1") is None


def test_a_negative_limit_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="positive"):
        CustomerLimits(messages_per_minute=-1, tokens_per_minute=0)
