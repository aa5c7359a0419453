"""Admission: a limit on turns at once, a bounded line, and a slot always given back."""

from __future__ import annotations

import asyncio

import pytest

from switchboard.patterns.admission import SMOOTHING, Admission, Load, Verdict, verdict


async def test_up_to_the_limit_runs_at_once_and_the_slot_comes_back_however_a_turn_ends() -> None:
    gate = Admission(2, queue=0)
    async with gate.slot(None) as first, gate.slot(None) as second:
        assert first and second
        async with gate.slot(None) as third:
            assert not third  # full, and no room to wait
    with pytest.raises(RuntimeError):
        async with gate.slot(None) as admitted:
            assert admitted
            raise RuntimeError("the turn failed")
    async with gate.slot(None) as again, gate.slot(None) as and_again:
        assert again and and_again  # both slots were given back


async def test_a_turn_waits_for_a_slot_no_longer_than_its_budget_allows() -> None:
    gate = Admission(1, queue=5)
    async with gate.slot(None), gate.slot(0) as late:
        assert not late and gate.waiting == 0


async def test_a_waiting_turn_gets_the_slot_a_finished_one_gives_back() -> None:
    gate = Admission(1, queue=1)
    release = asyncio.Event()

    async def first() -> None:
        async with gate.slot(None):
            await release.wait()

    holder = asyncio.create_task(first())
    await asyncio.sleep(0)  # let it take the slot

    async def second() -> bool:
        async with gate.slot(None) as admitted:
            return admitted

    waiter = asyncio.create_task(second())
    await asyncio.sleep(0)
    assert gate.waiting == 1
    async with gate.slot(None) as third:
        assert not third  # the line is full: turned away at once
    release.set()
    assert await waiter and await holder is None


async def test_running_counts_the_turns_holding_a_slot_not_those_turned_away() -> None:
    gate = Admission(1, queue=0)
    assert gate.running == 0
    async with gate.slot(None):
        assert gate.running == 1
        async with gate.slot(None) as refused:
            assert not refused and gate.running == 1
    with pytest.raises(RuntimeError):
        async with gate.slot(None):
            raise RuntimeError("the turn failed")
    assert gate.running == 0


def test_a_gate_that_lets_nobody_in_is_refused() -> None:
    with pytest.raises(ValueError):
        Admission(0)


def load(running: int, waiting: int, turn_s: float | None = 2.0, limit: int = 4, queue: int = 4) -> Load:
    return Load(limit=limit, running=running, waiting=waiting, queue=queue, turn_s=turn_s)


def test_a_free_slot_admits_whatever_the_line_and_turn_time() -> None:
    assert verdict(load(running=3, waiting=9, turn_s=100.0), max_wait_s=1.0) == Verdict(None, 0.0)


def test_all_slots_taken_the_expected_wait_is_the_place_in_line_times_a_slots_share_of_turn_time() -> None:
    # 4 slots of 2 s turns free one every 0.5 s: third in line (2 waiting) waits 1.5 s
    admitted = verdict(load(running=4, waiting=2), max_wait_s=1.5)
    assert admitted.shed is None and admitted.expected_wait_s == pytest.approx(1.5)
    shed = verdict(load(running=4, waiting=2), max_wait_s=1.4)
    assert shed.shed == "wait_too_long" and shed.retry_after_s == 2  # ⌈1.5⌉


def test_a_full_line_sheds_even_when_the_wait_would_be_short() -> None:
    full = verdict(load(running=4, waiting=4, turn_s=0.1), max_wait_s=60.0)
    assert full.shed == "queue_full" and full.retry_after_s == 1  # never told to retry in 0 s
    assert verdict(load(running=4, waiting=3, turn_s=0.1), max_wait_s=60.0).shed is None


def test_retry_after_is_the_expected_wait_rounded_up_to_a_whole_second() -> None:
    shed = verdict(load(running=4, waiting=4, turn_s=9.0), max_wait_s=60.0)  # 5 × 9 / 4 = 11.25 s
    assert shed.shed == "queue_full" and shed.retry_after_s == 12


def test_before_any_turn_ended_only_a_full_line_sheds() -> None:
    assert verdict(load(running=4, waiting=3, turn_s=None), max_wait_s=0.001).shed is None
    assert verdict(load(running=4, waiting=4, turn_s=None), max_wait_s=0.001).retry_after_s == 1


async def test_the_recent_turn_time_is_an_average_of_slot_hold_times_by_the_given_clock() -> None:
    now = [0.0]
    gate = Admission(1, queue=1, max_wait_s=3.0, clock=lambda: now[0])
    assert gate.turn_s is None
    for held in (10.0, 0.0):
        async with gate.slot(None):
            now[0] += held
    assert gate.turn_s == pytest.approx(10.0 + SMOOTHING * (0.0 - 10.0))  # 8 s


async def test_the_door_reads_the_admissions_numbers_now() -> None:
    now = [0.0]
    gate = Admission(1, queue=1, max_wait_s=3.0, clock=lambda: now[0])
    async with gate.slot(None):
        now[0] += 4.0
    release = asyncio.Event()

    async def hold() -> None:
        async with gate.slot(None):
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)  # let it take the slot
    assert gate.load() == Load(limit=1, running=1, waiting=0, queue=1, turn_s=4.0)
    assert gate.door() == Verdict("wait_too_long", 4.0)  # first in line behind one 4 s turn
    release.set()
    await holder
    assert gate.door() == Verdict(None, 0.0)


@pytest.mark.parametrize("steps", range(6))
async def test_a_turn_cancelled_while_it_waits_never_runs_whatever_step_the_slot_frees_in(steps: int) -> None:
    # asyncio.wait_for (3.11) returns the result if its inner wait finished in the step the
    # outer task was cancelled in: the turn would run with its cancellation lost.
    gate = Admission(1, queue=1)
    holder = gate.slot(None)
    await holder.__aenter__()
    ran_after_cancel: list[bool] = []
    cancelled = False

    async def waiting_turn() -> None:
        async with gate.slot(30.0):  # a budget: a wait with no timeout never had the race
            ran_after_cancel.append(cancelled)

    waiter = asyncio.create_task(waiting_turn())
    await asyncio.sleep(0)
    await holder.__aexit__(None, None, None)
    for _ in range(steps):
        await asyncio.sleep(0)
    waiter.cancel()
    cancelled = True
    await asyncio.gather(waiter, return_exceptions=True)
    assert ran_after_cancel in ([], [False])  # it ran before the cancel, or never
    assert gate.running == 0 and gate.waiting == 0
    async with gate.slot(None) as again:
        assert again  # the slot came back (a lost one would hang here)
