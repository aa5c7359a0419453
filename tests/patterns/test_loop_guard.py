from __future__ import annotations

from switchboard.agents.nodes.specialist import MAX_ROUNDS
from switchboard.patterns.loop_guard import Caps, LoopGuard, repeating_period
from tests.fakes import Clock


def test_the_same_call_a_third_time_halts_as_a_repeat() -> None:
    guard = LoopGuard(Caps(max_repeats=2))
    assert guard.check_tool("get_order", {"order_id": "10057"}) is None
    assert guard.check_tool("get_order", {"order_id": "10049"}) is None
    assert guard.check_tool("get_order", {"order_id": "10057"}) is None
    halt = guard.check_tool("get_order", {"order_id": "10057"})
    assert halt is not None and halt.kind == "repeat" and "3 times" in halt.detail


def test_a_block_of_calls_done_twice_is_a_cycle() -> None:
    guard = LoopGuard(Caps(max_repeats=5))
    for name in ("get_order", "track_shipment", "get_order"):
        assert guard.check_tool(name, {"order_id": "1"}) is None
    halt = guard.check_tool("track_shipment", {"order_id": "1"})
    assert halt is not None and halt.kind == "cycle" and "track_shipment" in halt.detail


def test_caps_on_steps_tokens_money_and_time() -> None:
    clock = Clock()
    guard = LoopGuard(Caps(steps=2, tokens=1000, dollars=0.01, seconds=10), clock)
    assert guard.check_step(100, 0.001) is None
    assert guard.check_step(100, 0.001) is None
    assert (halt := guard.check_step(100, 0.001)) is not None and halt.kind == "steps"
    assert (halt := LoopGuard(Caps(tokens=150), clock).check_step(200, 0)) is not None and halt.kind == "tokens"
    assert (halt := LoopGuard(Caps(dollars=0.01), clock).check_step(1, 0.02)) is not None and halt.kind == "dollars"
    slow = LoopGuard(Caps(seconds=10), clock)
    clock.now += 11
    assert (halt := slow.check_step(1, 0)) is not None and halt.kind == "seconds"


def test_a_round_at_the_step_cap_that_still_asks_for_tools_is_halted() -> None:
    guard = LoopGuard(Caps(steps=2))
    assert guard.check_step(10, 0, wants_tools=True) is None
    assert (halt := guard.check_step(10, 0, wants_tools=True)) is not None and halt.kind == "steps"
    answered = LoopGuard(Caps(steps=2))
    answered.check_step(10, 0, wants_tools=True)
    assert answered.check_step(10, 0, wants_tools=False) is None  # the last round answered: no halt


def test_with_default_caps_the_guard_halts_before_the_specialist_loop_gives_up_silently() -> None:
    guard = LoopGuard()  # a model that asks for a different tool every round: no repeat, no cycle
    halts = [guard.check_step(10, 0, wants_tools=True) for _ in range(MAX_ROUNDS)]
    assert halts[-1] is not None and halts[-1].kind == "steps"


def test_handing_the_turn_back_and_forth_is_ping_pong() -> None:
    guard = LoopGuard(Caps(max_handoffs=2))
    assert guard.check_handoff("router", "orders") is None
    assert guard.check_handoff("orders", "router") is None
    halt = guard.check_handoff("router", "orders")
    assert halt is not None and halt.kind == "ping_pong"


def test_repeating_period() -> None:
    assert repeating_period(["a", "b", "a", "b"]) == 2
    assert repeating_period(["a", "a"]) == 1
    assert repeating_period(["a", "b", "c"]) is None
    assert repeating_period([]) is None
