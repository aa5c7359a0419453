"""The process's heap once start-up is over: set aside from the garbage collector.

Start-up builds a large, long-lived heap (the embedding model, the knowledge base's index, the
graph, the pydantic schemas). CPython's full collections walk every tracked object, so with that
heap each one stalled the event loop for hundreds of milliseconds — every open stream at once
(issue 15: up to 469 ms with 515 open). `gc.freeze()` moves what exists now into a permanent
generation no collection walks; objects made later (turns, events) are collected as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Settled:
    """What was set aside: the objects frozen, and the collector's thresholds after."""

    frozen: int
    thresholds: tuple[int, int, int]


def settle_heap(collector: ModuleType = gc) -> Settled:
    """Freeze every object tracked now. Called at the end of start-up, once; no collection first
    (a full one is the stall this avoids; start-up's few cycles are freed at `unfreeze`).
    `collector` is the gc module, injectable for tests."""
    collector.freeze()
    return Settled(collector.get_freeze_count(), collector.get_threshold())


@contextmanager
def settled_heap(enabled: bool = True, collector: ModuleType = gc) -> Iterator[Settled]:
    """The heap settled while the app serves (`enabled`: SWITCHBOARD_GC_FREEZE); given back to the
    collector when it stops, so that a process that builds many apps (the tests) can still free
    the earlier ones."""
    if not enabled:
        yield Settled(0, collector.get_threshold())
        return
    settled = settle_heap(collector)
    try:
        yield settled
    finally:
        collector.unfreeze()
