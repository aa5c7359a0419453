"""Admission: a limit on turns at once, a bounded line, and a slot always given back."""

from __future__ import annotations

import asyncio

import pytest

from switchboard.patterns.admission import Admission


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
