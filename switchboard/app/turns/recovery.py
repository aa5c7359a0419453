"""After a crash: the answers the server died in the middle of are closed, and say so.

An answer streaming when the process was killed has its text saved up to the last draft and no
request record. At start-up each one gets a record whose error says it was interrupted, and its
message is marked incomplete — so the conversation continues, and nothing reads as answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from switchboard.agents.record import RecordBase, TurnRecord
from switchboard.app.shop.models import Message
from switchboard.app.turns.conversations import ConversationStore, new_id
from switchboard.app.turns.recorder import TurnRecorder
from switchboard.app.turns.records import record_row

log = logging.getLogger(__name__)
INTERRUPTED = "interrupted: the server stopped mid-answer"


async def recover_interrupted(
    conversations: ConversationStore, now: Callable[[], datetime], clock: Callable[[], float]
) -> int:
    """Closes every answer left mid-stream, keeping its partial text; returns how many."""
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
