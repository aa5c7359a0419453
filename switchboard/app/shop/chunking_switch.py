"""The panel's live choice of chunking strategy (patterns/chunking.py).

A choice starts one background build (`KnowledgeBase.rechunk`): every folder the index was fed
from is cut again the new way while the old index serves every search, then swapped in whole.
Only once the swap is done is the choice stored (the database's key-value table, `Meta`, as the
kill switch and the budgets' edits are kept), so a restart opens what was last built; a restart
in the middle of a build opens the old strategy, and the build is lost. A second choice while a
build is under way is refused (`SwitchBusy`, a 409 on the API), not queued: the operator sees
the build in the index health and chooses again once it is done.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from switchboard.app.shop.db import Sessions
from switchboard.app.shop.knowledge import Folders, KnowledgeBase
from switchboard.app.shop.models import Meta
from switchboard.patterns.chunking import STRATEGIES

STORED_KEY = "knowledge.chunking"  # the Meta row holding the strategy last swapped in
log = logging.getLogger(__name__)


class SwitchBusy(RuntimeError):
    """A build is under way; one at a time."""


@dataclass(frozen=True)
class SwitchState:
    serving: str  # the strategy every search is served with now
    building: str | None  # the strategy being built, until it is swapped in
    failure: str | None  # why the last build failed, until one succeeds


async def stored_chunking(sessions: Sessions) -> str | None:
    """The strategy last swapped in from the panel, if any (it wins over the setting)."""
    async with sessions() as s:
        stored = await s.get(Meta, STORED_KEY)
    return None if stored is None or stored.value not in STRATEGIES else stored.value


def unknown_strategy(strategy: str) -> str | None:
    """What is wrong with a requested strategy, for a 4xx; None if it is one of ours."""
    return None if strategy in STRATEGIES else f"unknown chunking strategy {strategy!r}: one of {', '.join(STRATEGIES)}"


class ChunkingSwitch:
    def __init__(self, knowledge: KnowledgeBase, sessions: Sessions, shipped: Folders) -> None:
        """`shipped`: tenant → source → folder of the articles start-up ingests (indexes built
        before chunks recorded their folder know them only this way)."""
        self._knowledge, self._sessions, self._shipped = knowledge, sessions, shipped
        self._task: asyncio.Task[None] | None = None
        self._building: str | None = None
        self._failure: str | None = None

    def state(self) -> SwitchState:
        return SwitchState(self._knowledge.chunking, self._building, self._failure)

    def choose(self, strategy: str) -> bool:
        """Start building `strategy`: True if a build started, False if it serves already.
        ValueError for an unknown strategy, SwitchBusy while another build runs."""
        if (problem := unknown_strategy(strategy)) is not None:
            raise ValueError(problem)
        if self._building is not None:
            raise SwitchBusy(f"chunking strategy {self._building!r} is being built; choose again once it serves")
        if strategy == self._knowledge.chunking:
            return False
        self._building = strategy
        self._task = asyncio.get_running_loop().create_task(self._build(strategy))
        return True

    async def _build(self, strategy: str) -> None:
        try:
            await asyncio.to_thread(self._knowledge.rechunk, strategy, self._shipped)
            await self._store(strategy)
            self._failure = None
        except Exception as error:  # the old index goes on serving; the panel shows why
            log.exception("rebuilding the knowledge base with %r chunks failed", strategy)
            self._failure = f"{strategy}: {error}"
        finally:
            self._building = None

    async def _store(self, strategy: str) -> None:
        async with self._sessions() as s:
            await s.merge(Meta(key=STORED_KEY, value=strategy))
            await s.commit()

    async def settled(self) -> None:
        """Wait for a build under way (tests; a clean stop)."""
        if self._task is not None:
            await asyncio.shield(self._task)
