"""The call log: every model call attempt of a turn, its exact request and what came back.

A turn's record keeps what each call cost and how it ended (`calls`); this keeps what was sent
and answered, one row per attempt, keyed by the record and the call's index in `calls`, so
that the agent view, a trace span (`switchboard.call_index`) and a replay all name the same
call. Rows are written in the record's own transaction, and masked as it is: with `pii_redaction`
on, what was said keeps the vault's placeholders and any other personal data becomes `[EMAIL]`
(privacy.py). The tools offered, the JSON schema and the parameters are the app's own text and
are kept as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from switchboard.agents.llm.exchange import Exchange, answer_json, request_json
from switchboard.agents.record import CallRecordView, TurnRecord
from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import ModelCall
from switchboard.app.turns.privacy import text_masker
from switchboard.patterns.pii.redaction import mask_value

Mask = Callable[[str], str]


class CallLog:
    def __init__(self, sessions: Sessions, masks: Mask | None = None) -> None:
        """`masks`: the process's shared masker (privacy.text_masker; default: one of its own)."""
        self._sessions = sessions
        # Each call's request repeats its system prompt and the conversation so far, which a
        # scan for personal data reads again every time (ms a call); a text is masked once.
        self._mask: Mask = masks or text_masker()

    def rows(
        self, record: TurnRecord, exchanges: Sequence[Exchange | None], created_at: datetime, masked: bool
    ) -> list[ModelCall]:
        """The record's calls as rows, masked as the record is, for its transaction to write."""
        return call_rows(record, exchanges, created_at, self._mask if masked else None)

    async def get(self, record_id: str, index: int) -> ModelCall | None:
        async with self._sessions() as s:
            return await s.get(ModelCall, (record_id, index))

    async def of_record(self, record_id: str) -> list[ModelCall]:
        async with self._sessions() as s:
            query = select(ModelCall).where(ModelCall.record_id == record_id).order_by(col(ModelCall.call_index))
            return list((await s.exec(query)).all())


def call_rows(
    record: TurnRecord, exchanges: Sequence[Exchange | None], created_at: datetime, masks: Mask | None
) -> list[ModelCall]:
    """One row per call of the record that the gateway reported an exchange for, at its index;
    `masks`: how what was said is masked (None: kept as sent, `pii_redaction` off)."""
    return [
        _row(record, index, call, exchange, created_at, masks)
        for index, (call, exchange) in enumerate(zip(record.calls, exchanges, strict=True))
        if exchange is not None
    ]


def _row(
    record: TurnRecord, index: int, call: CallRecordView, exchange: Exchange, created_at: datetime, masks: Mask | None
) -> ModelCall:
    request, answer = request_json(exchange.request), answer_json(exchange)
    return ModelCall(
        record_id=record.id,
        call_index=index,
        conversation_id=record.conversation_id,
        customer_id=record.customer_id,
        tenant_id=record.tenant_id,
        run_id=record.run_id,
        created_at=created_at,
        purpose=call.purpose,
        model=call.model,
        provider=call.provider,
        masked=masks is not None,
        request=request if masks is None else _masked_request(request, masks),
        answer=answer if masks is None else _masked_answer(answer, masks),
    )


def _masked_request(request: dict[str, Any], masks: Mask) -> dict[str, Any]:
    return {**request, "messages": mask_value(request["messages"], masks)}


def _masked_answer(answer: dict[str, Any], masks: Mask) -> dict[str, Any]:
    masked = {key: mask_value(answer[key], masks) for key in ("text", "tool_calls")}
    return {**answer, **masked}
