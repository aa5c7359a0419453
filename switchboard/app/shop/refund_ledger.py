"""The refund ledger: the database, not Python, keeps an order's refunds within its total.

    left(order) = refundable_cents - refunded_cents
    take(order, amount) pays  <=>  refunded_cents + cents(amount) <= refundable_cents

`take` is one conditional UPDATE, and its row count says whether it paid. Reading what is left
and then writing a refund would let two refunds that both read "$364 left" both pay; the UPDATE
is applied atomically by every database, so of two refunds racing for the same money one wins.
Each function runs inside the caller's transaction, so the refund row it guards commits with it.
"""

from __future__ import annotations

from sqlalchemy import Integer, cast, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from switchboard.app.shop.models import OrderItem, Refund, RefundLedger


def cents(amount: float) -> int:
    return round(amount * 100)


async def take(s: AsyncSession, order_id: str, amount: float) -> bool:
    """Record `amount` as refunded on the order if that much is left; False (nothing written) if not."""
    await _open(s, order_id)
    paying = cents(amount)
    taken = await s.exec(
        update(RefundLedger)
        .where(col(RefundLedger.order_id) == order_id)
        .where(col(RefundLedger.refunded_cents) + paying <= col(RefundLedger.refundable_cents))
        .values(refunded_cents=col(RefundLedger.refunded_cents) + paying)
    )
    return taken.rowcount == 1


async def left(s: AsyncSession, order_id: str) -> float:
    """What may still be refunded on the order, in dollars."""
    row = await s.get(RefundLedger, order_id)
    if row is not None:
        return (row.refundable_cents - row.refunded_cents) / 100
    return (await _total_cents(s, order_id) - await _refunded_cents(s, order_id)) / 100


async def _open(s: AsyncSession, order_id: str) -> None:
    """Make the order's row if it has none, counting refunds recorded before the ledger existed.
    Insert-if-absent, so that two first refunds racing both find one row."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    refunded = select(func.coalesce(func.sum(Refund.amount), 0.0)).where(Refund.order_id == order_id)
    row = {
        "order_id": order_id,
        "refundable_cents": await _total_cents(s, order_id),
        "refunded_cents": cast(func.round(refunded.scalar_subquery() * 100), Integer),
    }
    await s.exec(insert(RefundLedger).values(row).on_conflict_do_nothing(index_elements=["order_id"]))


async def _total_cents(s: AsyncSession, order_id: str) -> int:
    total = select(func.sum(OrderItem.unit_price * OrderItem.qty)).where(OrderItem.order_id == order_id)
    return cents((await s.exec(total)).one() or 0.0)


async def _refunded_cents(s: AsyncSession, order_id: str) -> int:
    refunded = select(func.sum(Refund.amount)).where(Refund.order_id == order_id)
    return cents((await s.exec(refunded)).one() or 0.0)
