"""The spend ledger: concurrent turns both count, and a reopened database still knows the spend."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from switchboard.app.cost.spend_ledger import Hold, SpendLedger
from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema
from switchboard.patterns.spend_budget import BudgetVerdict, Spend
from tests.app.statements import counted

DAY = "customer:C1001:2026-12-03"
MONTH = "tenant:tidewater:2026-12"


async def _ledger(path: Path) -> tuple[SpendLedger, AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{path / 'shop.db'}")
    await upgrade_schema(engine)
    return SpendLedger(make_sessions(engine)), engine


async def test_spend_adds_up_across_windows_and_calls(tmp_path: Path) -> None:
    ledger, _ = await _ledger(tmp_path)
    await ledger.add([DAY, MONTH], Spend(120, 0.000_35))
    await ledger.add([DAY], Spend(80, 0.000_15))
    assert await ledger.spent([DAY, MONTH, "customer:C1002:2026-12-03"]) == {
        DAY: Spend(200, 0.0005),
        MONTH: Spend(120, 0.00035),
    }


async def test_turns_finishing_at_once_all_count(tmp_path: Path) -> None:
    ledger, _ = await _ledger(tmp_path)
    await asyncio.gather(*(ledger.add([DAY], Spend(10, 0.000_001)) for _ in range(50)))
    assert await ledger.spent([DAY]) == {DAY: Spend(500, 0.00005)}


async def test_spend_survives_reopening_the_database(tmp_path: Path) -> None:
    ledger, engine = await _ledger(tmp_path)
    await ledger.add([DAY], Spend(999, 0.5))
    await engine.dispose()
    reopened, engine = await _ledger(tmp_path)
    assert await reopened.spent([DAY]) == {DAY: Spend(999, 0.5)}
    await engine.dispose()


async def test_a_reservation_and_its_settlement_are_one_transaction_of_few_statements(tmp_path: Path) -> None:
    ledger, engine = await _ledger(tmp_path)
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    await ledger.add([DAY], Spend(50, 0.000_1))  # charged before: the read must see it
    hold = Hold("h1", (DAY, MONTH, "request:r1"), Spend(100, 0.000_2), now, now + timedelta(seconds=60))
    seen: list[dict[str, Spend]] = []

    def decide(spent: Mapping[str, Spend]) -> BudgetVerdict:
        seen.append(dict(spent))
        return BudgetVerdict("allow")

    with counted(engine) as reserving:
        await ledger.reserve(hold, decide)
    # every window's lock in one upsert, charged and reserved read together, the hold's rows
    assert reserving == {"commits": 1, "INSERT": 2, "SELECT": 1}
    assert seen == [{DAY: Spend(50, 0.000_1), MONTH: Spend(), "request:r1": Spend()}]
    assert await ledger.reserved([DAY, MONTH], now) == {DAY: Spend(100, 0.000_2), MONTH: Spend(100, 0.000_2)}
    with counted(engine) as settling:
        await ledger.settle("h1", hold.keys, Spend(70, 0.000_15))
    assert settling == {"commits": 1, "INSERT": 1, "DELETE": 1}
    assert await ledger.spent([DAY, MONTH]) == {DAY: Spend(120, 0.000_25), MONTH: Spend(70, 0.000_15)}
    assert await ledger.reserved([DAY, MONTH], now) == {}
    await engine.dispose()
