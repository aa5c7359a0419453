"""The input scan in parallel mode (chapter 6): run it beside the turn instead of before it.

Blocking mode makes every turn wait for the verdict. Parallel mode starts the model at once and
scans in a worker thread alongside; the turn is cut off when a `block` arrives. The price is
what already happened by then: text the customer has seen, tools that have run. The record
says how much, so the trade-off is measured, not assumed. (With Switchboard's sub-millisecond
scanner there is little to win; a model-based scanner is where parallel mode pays.)
"""

from __future__ import annotations

import asyncio

from switchboard.agents.context import InputScanner
from switchboard.patterns.injection.scanner import Verdict


class ParallelScan:
    def __init__(self, scanner: InputScanner, text: str) -> None:
        self._task = asyncio.create_task(asyncio.to_thread(scanner.scan, text))

    def blocked_now(self) -> bool:
        """Has a `block` already landed? (Never waits.)"""
        return self._task.done() and not self._task.cancelled() and self._task.result().action == "block"

    async def verdict(self) -> Verdict:
        return await self._task

    def cancel(self) -> None:
        self._task.cancel()
