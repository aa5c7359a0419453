"""Loads each storefront's demo data (data/tenants/<id>/seed/*.json) into the database, once.

Seed files give ages ("placed 12 days ago") rather than dates, so the shop always looks
current: the dates are fixed when the data is loaded, from the clock passed in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import (
    ApprovalRefund,
    Customer,
    Meta,
    Order,
    OrderItem,
    Product,
    Refund,
    RefundLedger,
    TrackingEvent,
)
from switchboard.app.shop.tenants import Tenant

SEED_KEY = "seeded_at:{tenant}"  # one per tenant, so a storefront added later is seeded at the next start
# Orders and what hangs off them are replaced; customers and products are updated in place,
# because conversations and tickets refer to customers.
ORDER_TABLES: list[type[SQLModel]] = [ApprovalRefund, RefundLedger, Refund, TrackingEvent, OrderItem, Order]
REFERENCE_TABLES: list[type[SQLModel]] = [Customer, Product]


async def seed_if_empty(sessions: Sessions, tenants: Iterable[Tenant], now: datetime) -> list[str]:
    """Load each tenant's seed unless it was loaded before. Returns the tenants it loaded."""
    async with sessions() as session:
        fresh = [t for t in tenants if await session.get(Meta, SEED_KEY.format(tenant=t.id)) is None]
    if fresh:
        async with sessions() as session, session.begin():
            await _add(session, fresh, now)
    return [t.id for t in fresh]


async def load_seed(sessions: Sessions, tenants: Iterable[Tenant], now: datetime) -> None:
    """Put the shop back to the seed: every order as seeded, no refunds made since.

    Conversations, messages, tickets and request records are kept.
    """
    async with sessions() as session, session.begin():
        for table in ORDER_TABLES:
            await session.exec(delete(table))  # type: ignore[call-overload]
        await _add(session, list(tenants), now)


async def _add(session: AsyncSession, tenants: list[Tenant], now: datetime) -> None:
    rows = [row for tenant in tenants for row in build_rows(_read(tenant.seed_dir), now, tenant.id)]
    for row in (r for r in rows if type(r) in REFERENCE_TABLES):
        await session.merge(row)
    await session.flush()
    for table in reversed(ORDER_TABLES):  # parents before children, for foreign keys
        session.add_all([r for r in rows if type(r) is table])
        await session.flush()
    for tenant in tenants:
        await session.merge(Meta(key=SEED_KEY.format(tenant=tenant.id), value=now.isoformat()))


def _read(seed_dir: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: json.loads((seed_dir / f"{name}.json").read_text()) for name in ("customers", "products", "orders")}


def build_rows(seed: dict[str, list[dict[str, Any]]], now: datetime, tenant_id: str) -> list[SQLModel]:
    """One tenant's rows: its customers and products carry its id; orders belong to a customer."""

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    rows: list[SQLModel] = [_customer(c, ago, tenant_id) for c in seed["customers"]]
    prices = {p["sku"]: float(p["price"]) for p in seed["products"]}
    rows += [_product(p, tenant_id) for p in seed["products"]]
    for order in seed["orders"]:
        rows += _order_rows(order, prices, ago)
    return rows


def _customer(c: dict[str, Any], ago: Any, tenant_id: str) -> Customer:
    fields = {k: v for k, v in c.items() if k not in ("joined_days_ago", "tenant_id")}
    return Customer(**fields, tenant_id=tenant_id, joined_at=ago(c["joined_days_ago"]))


def _product(p: dict[str, Any], tenant_id: str) -> Product:
    return Product(**{k: p[k] for k in Product.model_fields if k in p and k != "tenant_id"}, tenant_id=tenant_id)


def _order_rows(o: dict[str, Any], prices: dict[str, float], ago: Any) -> list[SQLModel]:
    rows: list[SQLModel] = [
        Order(
            id=o["id"],
            customer_id=o["customer_id"],
            placed_at=ago(o["placed_days_ago"]),
            status=o["status"],
            shipping_method=o.get("shipping_method") or "standard",
            carrier=o.get("carrier"),
            tracking_number=o.get("tracking_number"),
        )
    ]
    rows += [OrderItem(order_id=o["id"], sku=i["sku"], qty=i["qty"], unit_price=prices[i["sku"]]) for i in o["items"]]
    rows += [
        TrackingEvent(
            order_id=o["id"],
            at=ago(e["days_ago"]),
            status=e["status"],
            location=e.get("location", ""),
            description=e.get("description", ""),
        )
        for e in o.get("events", [])
    ]
    if o.get("refund"):
        rows.append(_refund(o["id"], o["refund"], ago))
    return rows


def _refund(order_id: str, r: dict[str, Any], ago: Any) -> Refund:
    completed = r.get("completed_days_ago")
    return Refund(
        order_id=order_id,
        amount=float(r["amount"]),
        status=r["status"],
        requested_at=ago(r["requested_days_ago"]),
        completed_at=None if completed is None else ago(completed),
    )
