"""After a crash: the answers the server died in the middle of are closed, and say so.

An answer streaming when the process was killed has its text saved up to the last draft and no
request record. Each one gets a record whose error says it was interrupted, and its message is
marked incomplete — so the conversation continues, and nothing reads as answered. With several
processes on one database, only the answers of a process whose lease has lapsed are closed
(app/shop/leases.py), at start-up and on every `LeaseKeeper` tick: a replica killed with -9 has
its cut-off turns closed by a survivor, without anyone restarting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from switchboard.agents.record import RecordBase, TurnRecord
from switchboard.app.shop.leases import ProcessLeases
from switchboard.app.shop.models import Message
from switchboard.app.turns.conversations import ConversationStore, new_id
from switchboard.app.turns.recorder import TurnRecorder
from switchboard.app.turns.records import record_row

log = logging.getLogger(__name__)
INTERRUPTED = "interrupted: the server stopped mid-answer"


async def recover_interrupted(
    conversations: ConversationStore, now: Callable[[], datetime], clock: Callable[[], float]
) -> int:
    """Closes every answer left mid-stream by a process no longer alive, keeping its partial
    text; returns how many."""
    cut = await conversations.interrupted()
    for message, customer_id, run_id in cut:
        at = now()
        record = interrupted_record(message, customer_id, run_id, at, clock)
        await conversations.finish_answer(message.id, message.content, complete=False, record=record_row(record, at))
    if cut:
        log.warning("%d answers were cut off when the server stopped; marked interrupted", len(cut))
    return len(cut)


def interrupted_record(
    message: Message, customer_id: str, run_id: str | None, at: datetime, clock: Callable[[], float]
) -> TurnRecord:
    recorder = TurnRecorder(clock)
    recorder.answer = message.content  # what was saved of it, for the record's figures
    base = RecordBase(
        id=new_id("r_"),
        conversation_id=message.conversation_id,
        customer_id=customer_id,
        message_id=message.id,
        flags={},  # not known: the snapshot is written with the record, at the turn's end
        flags_key="unknown (interrupted)",
        streamed=None,
        run_id=run_id,
    )
    return recorder.record(base=base, error=INTERRUPTED, now=at)


Sweep = Callable[[], Awaitable[int]]


class LeaseKeeper:
    """This process's lease kept alive, and dead processes' work closed, every `renew_every_s`
    (ttl/3): renew, run each sweep (claims released, answers closed), forget lapsed leases.

    A process killed with -9 stops renewing; once `now > renewed_at + ttl`, the next tick of any
    survivor closes its work: within ttl + ttl/3 of its last renewal.
    """

    def __init__(self, leases: ProcessLeases, sweeps: Sequence[Sweep]) -> None:
        self._leases, self._sweeps = leases, sweeps
        self.task: asyncio.Task[None] | None = None  # the timer, while started

    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name="lease keeper")

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    async def tick(self) -> int:
        """One round; returns how many pieces of dead processes' work it closed."""
        await self._leases.renew()
        closed = 0
        for sweep in self._sweeps:
            closed += await sweep()
        await self._leases.forget_lapsed()
        return closed

    async def run(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Ticks until cancelled; a failed tick (the database away a moment) is logged, not fatal."""
        while True:
            await sleep(self._leases.terms.renew_every_s)
            try:
                await self.tick()
            except Exception:
                log.exception("lease keeping failed; trying again in %.1fs", self._leases.terms.renew_every_s)
