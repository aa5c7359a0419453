"""The input scan in parallel mode (chapter 6): run it beside the turn instead of before it.

Blocking mode makes every turn wait for the verdict. Parallel mode starts the model at once and
scans in a worker thread alongside; the turn is cut off when a `block` arrives. The price is
what already happened by then: text the customer has seen, tools that have run. The record
says how much, so the trade-off is measured, not assumed. (With Switchboard's sub-millisecond
scanner there is little to win; a model-based scanner is where parallel mode pays.)

The answer cache is the exception: a stored answer goes out whole, at once, so nothing would be
left to cut. `VerdictGate` holds a hit until the verdict is in, and serves it only to a message
the scan allowed, as blocking mode would (a flagged message is not answered from the cache).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from switchboard.agents.context import AnswerMemory, InputScanner
from switchboard.agents.events import CacheLooked
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


class VerdictGate:
    """The answer cache, looked up beside the scan; a hit waits for the scan's verdict."""

    def __init__(self, answers: AnswerMemory, scan: ParallelScan) -> None:
        self._answers = answers
        self._scan = scan

    async def lookup(
        self,
        question: str,
        *,
        tenant: str,
        customer: str,
        models: Sequence[str],
        run_id: str | None = None,
        prompts: str | None = None,
    ) -> CacheLooked:
        looked = await self._answers.lookup(
            question, tenant=tenant, customer=customer, models=models, run_id=run_id, prompts=prompts
        )
        if looked.outcome != "hit":
            return looked
        verdict = await self._scan.verdict()
        if verdict.action == "allow":
            return looked
        return CacheLooked("miss", question, f"not served: the input scan (in parallel) said {verdict.action}")
