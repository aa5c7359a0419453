"""The audit log's store: entries on an injected clock, newest first, paged, and write-once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from switchboard.app.shop.audit import AGENT_CHARS, Actor, AuditLog, changes
from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema

START = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
OPERATOR = Actor.of("admin_token", "10.0.0.7", "curl/8.5")


class Ticking:
    """A clock that moves a second each time it is read."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> datetime:
        self.reads += 1
        return START + timedelta(seconds=self.reads)


@pytest.fixture
async def log(tmp_path: Path) -> AuditLog:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    await upgrade_schema(engine)
    return AuditLog(make_sessions(engine), Ticking())


async def test_an_entry_keeps_when_who_where_what_and_the_change(log: AuditLog) -> None:
    entry = await log.record(OPERATOR, "flags.set", {"rag": True}, {"rag": False}, note="quiet, please")
    (stored,) = await log.newest()
    assert stored == entry
    assert stored.at == START + timedelta(seconds=1)
    assert (stored.action, stored.sign_in, stored.address, stored.user_agent) == (
        "flags.set",
        "admin_token",
        "10.0.0.7",
        "curl/8.5",
    )
    assert (stored.before, stored.after, stored.note) == ({"rag": True}, {"rag": False}, "quiet, please")


async def test_entries_come_newest_first_filtered_and_paged(log: AuditLog) -> None:
    for n in range(5):
        await log.record(OPERATOR, "flags.set" if n % 2 else "chaos.preset", None, {"n": n})
    assert [e.after for e in await log.newest()] == [{"n": n} for n in (4, 3, 2, 1, 0)]
    assert [e.after for e in await log.newest("flags.set")] == [{"n": 3}, {"n": 1}]
    first = await log.newest(limit=2)
    rest = await log.newest(before_id=first[-1].id, limit=10)
    assert [e.after for e in rest] == [{"n": 2}, {"n": 1}, {"n": 0}]


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET note = 'rewritten'", "DELETE FROM audit_log"])
async def test_the_table_refuses_to_rewrite_history(log: AuditLog, tmp_path: Path, statement: str) -> None:
    await log.record(OPERATOR, "budgets.change", {"a": 1}, {"a": 2})
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    with pytest.raises(DBAPIError, match="write-once"):
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    await engine.dispose()
    assert [e.after for e in await log.newest()] == [{"a": 2}]


def test_a_client_chosen_user_agent_is_cut_short() -> None:
    actor = Actor.of("admin_cookie", "x" * 500, "A" * 5000)
    assert len(actor.user_agent) == AGENT_CHARS and len(actor.address) < 500


def test_changes_keep_only_what_differs_one_level_down() -> None:
    before = {"rag": True, "router": True, "demo-a": {"error_rate": 0.0, "outage": False}}
    after = {"rag": True, "router": False, "demo-a": {"error_rate": 0.5, "outage": False}}
    assert changes(before, after) == (
        {"router": True, "demo-a": {"error_rate": 0.0}},
        {"router": False, "demo-a": {"error_rate": 0.5}},
    )
    assert changes(before, before) == ({}, {})


async def test_postgres_refuses_to_rewrite_history_too(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    await upgrade_schema(engine)
    log = AuditLog(make_sessions(engine), Ticking())
    entry = await log.record(OPERATOR, "budgets.change", {"a": 1}, {"a": 2})
    for statement in ("UPDATE audit_log SET note = 'rewritten'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="write-once"):
            async with engine.begin() as connection:
                await connection.execute(text(statement))
    assert (await log.newest(limit=1))[0] == entry
    await engine.dispose()
