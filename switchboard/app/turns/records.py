"""Where each turn's request record is kept, and read back by the pages, metrics and runs."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from switchboard.agents.record import TurnRecord
from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import RequestRecord


class RecordStore:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def add(self, record: RequestRecord) -> None:
        async with self._sessions() as s, s.begin():
            s.add(record)

    async def get(self, record_id: str) -> RequestRecord | None:
        async with self._sessions() as s:
            return await s.get(RequestRecord, record_id)

    async def many(self, record_ids: list[str]) -> dict[str, RequestRecord]:
        if not record_ids:
            return {}
        async with self._sessions() as s:
            query = select(RequestRecord).where(col(RequestRecord.id).in_(record_ids))
            return {r.id: r for r in (await s.exec(query)).all()}

    async def live(self, limit: int = 5000) -> list[TurnRecord]:
        """Recent records of live turns — those that no eval run played."""
        records = [turn_record(r) for r in await self.recent(limit)]
        return [r for r in records if not r.run_id]

    async def recent(self, limit: int = 5000) -> list[RequestRecord]:
        async with self._sessions() as s:
            query = select(RequestRecord).order_by(col(RequestRecord.created_at).desc()).limit(limit)
            return list((await s.exec(query)).all())


def record_row(record: TurnRecord, created_at: datetime) -> RequestRecord:
    """A turn's request record as the row that stores it (its whole self, as JSON, in `data`)."""
    return RequestRecord(
        id=record.id,
        conversation_id=record.conversation_id,
        created_at=created_at,
        flags_key=record.flags_key,
        outcome=record.outcome,
        data=record.as_json(),
    )


def turn_record(row: RequestRecord) -> TurnRecord:
    """A stored row's record as the model (rows older than a field get its default)."""
    return TurnRecord.model_validate(row.data)
