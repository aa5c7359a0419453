"""The record store's spend reads: live turns or one run's, per tenant, from a moment on, newest
first, filtered in the database and holding only the fields a spend report reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from switchboard.agents.record import CallRecordView, StepItem, TurnRecord
from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema
from switchboard.app.turns.records import RecordScope, RecordStore, record_row

START = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[RecordStore]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    await upgrade_schema(engine)
    records = RecordStore(make_sessions(engine))
    # r0 … r5, an hour apart: live turns of two tenants, and two turns a run played
    for i, (run_id, tenant) in enumerate([(None, "tidewater"), ("run_a", "tidewater"), (None, "peakline")] * 2):
        at = START + timedelta(hours=i)
        await records.add(record_row(_record(f"r{i}", run_id, tenant, at), at))
    yield records
    await engine.dispose()


def _record(record_id: str, run_id: str | None, tenant: str, at: datetime) -> TurnRecord:
    return TurnRecord(
        id=record_id,
        customer_id="C1001",
        tenant_id=tenant,
        run_id=run_id,
        created_at=at.isoformat(timespec="seconds"),
        outcome="answered",
        cost_usd=0.002,
        calls=[CallRecordView(purpose="answer", model="demo-large", provider="demo", cost_usd=0.002)],
        timeline=[StepItem(node="router")],
        evidence=["a long passage the report never reads"],
    )


async def test_live_turns_by_default_and_a_runs_turns_when_asked(store: RecordStore) -> None:
    assert [r.id for r in await store.for_spend(RecordScope(), 100)] == ["r5", "r3", "r2", "r0"]
    assert [r.id for r in await store.for_spend(RecordScope(run_id="run_a"), 100)] == ["r4", "r1"]
    assert await store.for_spend(RecordScope(run_id="run_other"), 100) == []


async def test_tenant_and_since_narrow_the_scope_and_limit_keeps_the_newest(store: RecordStore) -> None:
    assert [r.id for r in await store.for_spend(RecordScope(tenant_id="peakline"), 100)] == ["r5", "r2"]
    since = RecordScope(since=START + timedelta(hours=3))
    assert [r.id for r in await store.for_spend(since, 100)] == ["r5", "r3"]
    assert [r.id for r in await store.for_spend(RecordScope(), 2)] == ["r5", "r3"]


async def test_a_spend_read_carries_what_reports_sum_and_leaves_the_rest(store: RecordStore) -> None:
    (newest, *_) = await store.for_spend(RecordScope(), 1)
    assert (newest.tenant_id, newest.outcome, newest.cost_usd) == ("peakline", "answered", 0.002)
    assert [c.model for c in newest.calls] == ["demo-large"] and newest.created_at.startswith("2026-12-01T14")
    assert newest.timeline == [] and newest.evidence == []  # the bulk of a row stays in the database
