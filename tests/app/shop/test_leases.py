"""A process lease's arithmetic and its life: taken, renewed, forgotten when lapsed, retaken."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema
from switchboard.app.shop.leases import LeaseTerms, ProcessLeases
from tests.fakes import CalendarClock

TERMS = LeaseTerms(timedelta(seconds=15))
AT = datetime(2026, 12, 7, 9, tzinfo=UTC)


def test_a_lease_expires_only_once_now_is_past_its_renewal_plus_the_ttl() -> None:
    assert not TERMS.expired(AT, AT + timedelta(seconds=15))
    assert TERMS.expired(AT, AT + timedelta(seconds=15, microseconds=1))
    assert TERMS.expired(AT.replace(tzinfo=None), AT + timedelta(seconds=16))  # as SQLite reads it back
    assert TERMS.renew_every_s == 5.0


async def test_a_lease_lives_while_renewed_and_a_lapsed_one_is_forgotten_then_retaken(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade_schema(engine)
    clock, sessions = CalendarClock(AT), make_sessions(engine)
    mine, other = ProcessLeases(sessions, clock, TERMS, "p_mine"), ProcessLeases(sessions, clock, TERMS, "p_other")
    await mine.take()
    await other.take()
    assert mine.identity.pid == os.getpid()
    clock.now += timedelta(seconds=10)
    await mine.renew()
    clock.now += timedelta(seconds=10)  # 20 s since the other's lease, 10 since mine
    assert [lease.id for lease in await mine.live()] == ["p_mine"]
    assert await mine.forget_lapsed() == 1
    clock.now += timedelta(seconds=20)
    assert await other.forget_lapsed() == 1  # mine lapsed too, while this process stalled
    await mine.renew()  # finds it gone and takes it again
    assert [lease.id for lease in await other.live()] == ["p_mine"]
    await mine.drop()
    assert await other.live() == []
    await engine.dispose()
