"""The store judges each order by the rules of the storefront its customer shops at."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from switchboard.app.settings import REPO
from switchboard.app.shop.db import Sessions, make_engine, make_sessions, upgrade_schema
from switchboard.app.shop.seed import load_seed
from switchboard.app.shop.store import ShopStore
from switchboard.app.shop.tenants import load_tenants

SEEDED = datetime(2026, 6, 1, 12, tzinfo=UTC)
TENANTS = load_tenants(REPO / "data" / "tenants")
POLICIES = {t.id: t.policy for t in TENANTS}


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[Sessions]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    await upgrade_schema(engine)
    made = make_sessions(engine)
    await load_seed(made, TENANTS, SEEDED)
    yield made
    await engine.dispose()


def store_at(sessions: Sessions, now: datetime) -> ShopStore:
    return ShopStore(sessions, lambda: now, POLICIES)


async def test_each_shop_takes_its_own_label_fee(sessions: Sessions) -> None:
    store = store_at(sessions, SEEDED)
    summit = await store.request_refund("S2007", "18021", "changed my mind")  # $85, delivered 10 days ago
    tidewater = await store.request_refund("C1010", "10042", "too small")  # $49, delivered 13 days ago
    assert (summit.decision, summit.amount) == ("approved", 75.05)  # less Summit's $9.95
    assert (tidewater.decision, tidewater.amount) == ("approved", 42.05)  # less Tidewater's $6.95


async def test_day_35_is_too_late_at_summit_and_in_time_at_tidewater(sessions: Sessions) -> None:
    summit = await store_at(sessions, SEEDED).request_refund("S2009", "18016", "too big")  # delivered 35 days ago
    assert summit.decision == "not_eligible" and "30 days" in (summit.reason or "")
    tidewater_day_35 = SEEDED + timedelta(days=35 - 13.3)  # 10042 was delivered 13.3 days before the seed
    tidewater = await store_at(sessions, tidewater_day_35).request_refund("C1010", "10042", "too small")
    assert tidewater.decision == "approved"


async def test_an_orders_return_deadline_follows_its_shops_window(sessions: Sessions) -> None:
    store = store_at(sessions, SEEDED)
    summit, tidewater = await store.order("S2007", "18021"), await store.order("C1010", "10042")
    assert summit is not None and summit.delivered_at and summit.return_deadline
    assert tidewater is not None and tidewater.delivered_at and tidewater.return_deadline
    assert summit.return_deadline - summit.delivered_at == timedelta(days=30)
    assert tidewater.return_deadline - tidewater.delivered_at == timedelta(days=45)


async def test_a_bike_is_refunded_less_summits_freight_pickup(sessions: Sessions) -> None:
    bike = await store_at(sessions, SEEDED).order("S2008", "18001")  # a $3,199 bike, delivered long ago
    assert bike is not None and bike.delivered_at is not None
    ten_days_on = await store_at(sessions, bike.delivered_at + timedelta(days=10)).request_refund("S2008", "18001", "")
    assert (ten_days_on.decision, ten_days_on.amount) == ("needs_review", 3140.0)  # $3,199 less $59


async def test_a_customers_tenant_is_read_once_and_an_unknown_customer_asked_again(sessions: Sessions) -> None:
    store, asked = store_at(sessions, SEEDED), []
    read = store.customer

    async def counting(customer_id: str) -> object:
        asked.append(customer_id)
        return await read(customer_id)

    store.customer = counting  # type: ignore[method-assign,assignment]
    assert [await store.tenant_of("C1001"), await store.tenant_of("C1001")] == ["tidewater", "tidewater"]
    for _ in range(2):
        with pytest.raises(LookupError):
            await store.tenant_of("C9999")
    assert asked == ["C1001", "C9999", "C9999"]
