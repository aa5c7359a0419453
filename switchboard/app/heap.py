"""The process's heap once start-up is over: set aside from the garbage collector.

Start-up builds a large, long-lived heap (the embedding model, the knowledge base's index, the
graph, the pydantic schemas). CPython's full collections walk every tracked object, so with that
heap each one stalled the event loop for hundreds of milliseconds — every open stream at once
(issue 15: up to 469 ms with 515 open). `gc.freeze()` moves what exists now into a permanent
generation no collection walks; objects made later (turns, events) are collected as before.
A turn's own garbage is nearly all freed by reference counting, so gen-0 passes, which CPython
starts every 2,000 allocations, are also made 25 times rarer while the heap is settled.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType

GC_THRESHOLDS = (50_000, 20, 100)  # gen-0 allocations before a pass (CPython's default: 2,000)


@dataclass(frozen=True)
class Settled:
    """What was set aside: the objects frozen, and the collector's thresholds after."""

    frozen: int
    thresholds: tuple[int, int, int]


def settle_heap(collector: ModuleType = gc) -> Settled:
    """Free start-up's own garbage, then freeze every object still tracked and raise the gen-0
    threshold. Called at the end of start-up, once, before anything is served (so that one full
    collection stalls nobody). `collector` is the gc module, injectable for tests."""
    collector.collect()
    collector.freeze()
    collector.set_threshold(*GC_THRESHOLDS)
    return Settled(collector.get_freeze_count(), collector.get_threshold())


@contextmanager
def settled_heap(enabled: bool = True, collector: ModuleType = gc) -> Iterator[Settled]:
    """The heap settled while the app serves (`enabled`: SWITCHBOARD_GC_FREEZE); given back to the
    collector when it stops, so that a process that builds many apps (the tests) can still free
    the earlier ones."""
    if not enabled:
        yield Settled(0, collector.get_threshold())
        return
    thresholds = collector.get_threshold()
    settled = settle_heap(collector)
    try:
        yield settled
    finally:
        collector.unfreeze()
        collector.set_threshold(*thresholds)
