"""Where each turn's request record is kept, and read back by the pages, metrics and runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
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

    async def for_spend(self, scope: RecordScope, limit: int) -> list[TurnRecord]:
        """The newest `limit` records in scope, holding only SPEND_FIELDS (the rest at defaults).
        The filters run in the database: JSON paths that SQLite and Postgres both evaluate."""
        fields = [RequestRecord.data[name].label(name) for name in SPEND_FIELDS]
        newest = col(RequestRecord.created_at).desc()
        query = sa.select(*fields).where(*scope.conditions()).order_by(newest).limit(limit)
        async with self._sessions() as s:
            rows = await (await s.connection()).execute(query)  # a core select: many columns, untyped
            return [_slim_record(row._mapping) for row in rows]

    async def recent(self, limit: int = 5000) -> list[RequestRecord]:
        async with self._sessions() as s:
            query = select(RequestRecord).order_by(col(RequestRecord.created_at).desc()).limit(limit)
            return list((await s.exec(query)).all())


# What spend reports read of a record: not its timeline, retrieved text or checks, which are most
# of a stored row. Each is one JSON path, so the database sends only these.
SPEND_FIELDS = (
    *("id", "customer_id", "tenant_id", "flags", "flags_key", "run_id", "created_at"),
    *("outcome", "cost_usd", "cache", "calls"),
)


@dataclass(frozen=True)
class RecordScope:
    """Which turns a report covers: a run's (or live ones, run_id None), of one tenant or all,
    from a moment on."""

    run_id: str | None = None
    tenant_id: str | None = None
    since: datetime | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        data = RequestRecord.data
        run = data["run_id"].as_string()
        found = [run.is_(None) if self.run_id is None else run == self.run_id]
        if self.tenant_id is not None:
            found.append(data["tenant_id"].as_string() == self.tenant_id)
        if self.since is not None:
            found.append(col(RequestRecord.created_at) >= self.since)
        return found


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


def _slim_record(fields: Any) -> TurnRecord:
    return TurnRecord.model_validate({name: fields[name] for name in SPEND_FIELDS if fields[name] is not None})
