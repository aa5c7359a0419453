"""The start-up heap is set aside from the collector while the app serves, and given back after."""

from __future__ import annotations

import gc

from switchboard.app.heap import settled_heap


def test_the_heap_is_frozen_while_the_app_serves_and_given_back_after() -> None:
    gc.unfreeze()
    kept = [[] for _ in range(1000)]  # tracked containers that exist before start-up ends
    with settled_heap() as settled:
        assert settled.frozen >= len(kept)
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_objects_made_after_start_up_are_still_collected() -> None:
    with settled_heap():
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1


def test_with_the_setting_off_nothing_is_frozen() -> None:
    gc.unfreeze()
    with settled_heap(enabled=False) as settled:
        assert settled.frozen == 0
        assert gc.get_freeze_count() == 0
