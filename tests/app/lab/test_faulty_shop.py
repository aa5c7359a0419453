"""A refund whose reply is lost: retried with its idempotency key, it is refunded once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from switchboard.app.lab.chaos import AgentFaults
from switchboard.app.lab.faulty_shop import FaultyShop
from switchboard.app.settings import REPO
from switchboard.app.shop.db import Sessions, make_engine, make_sessions, upgrade_schema
from switchboard.app.shop.models import Refund
from switchboard.app.shop.seed import load_seed
from switchboard.app.shop.store import ShopStore
from switchboard.app.shop.tenants import load_tenants
from switchboard.patterns.idempotent_retry import ToolRetry, TransientToolError

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


class FirstCallFails:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> AgentFaults:
        self.calls += 1
        return AgentFaults(tool_fault_rate=1.0 if self.calls == 1 else 0.0)


async def no_wait(seconds: float) -> None:
    pass


POLICIES = {t.id: t.policy for t in load_tenants(REPO / "data" / "tenants")}


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[Sessions]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    await upgrade_schema(engine)
    made = make_sessions(engine)
    await load_seed(made, load_tenants(REPO / "data" / "tenants"), NOW)
    yield made
    await engine.dispose()


async def refunds(sessions: Sessions, order_id: str) -> int:
    async with sessions() as s:
        return len((await s.exec(select(Refund).where(Refund.order_id == order_id))).all())


@pytest.mark.parametrize(("key", "second_answer"), [("k-1", "approved"), (None, "already_refunded")])
async def test_a_retry_after_a_lost_reply(sessions: Sessions, key: str | None, second_answer: str) -> None:
    shop = FaultyShop(ShopStore(sessions, lambda: NOW, POLICIES), FirstCallFails())
    retry = ToolRetry(attempts=2, sleep=no_wait)
    result, attempts = await retry.run(lambda: shop.request_refund("C1010", "10042", "too small", key))
    assert attempts == 2 and result.decision == second_answer
    assert await refunds(sessions, "10042") == 1  # the first attempt's refund, whatever the reply said


async def test_reads_fail_before_reading(sessions: Sessions) -> None:
    shop = FaultyShop(ShopStore(sessions, lambda: NOW, POLICIES), lambda: AgentFaults(tool_fault_rate=1.0))
    with pytest.raises(TransientToolError, match="order system"):
        await shop.order("C1001", "10057")
