"""The spend ledger: concurrent turns both count, and a reopened database still knows the spend."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from switchboard.app.cost.spend_ledger import SpendLedger
from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema
from switchboard.patterns.spend_budget import Spend

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
