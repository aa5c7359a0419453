"""The shop's queries: `ShopStore` satisfies the agents' `Shop` protocol — customers, orders,
tracking, refunds, address changes and tickets."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from switchboard.agents.shop_views import (
    AccountView,
    AddressResult,
    ApprovedRefund,
    EventView,
    ItemView,
    OrderSummary,
    OrderView,
    RefundResult,
    RefundView,
    TrackingView,
)
from switchboard.app.shop import policy as shop_policy
from switchboard.app.shop import refund_ledger
from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import (
    AddressChange,
    ApprovalRefund,
    Customer,
    IdempotentResult,
    Order,
    OrderItem,
    Product,
    Refund,
    Ticket,
    TrackingEvent,
)

Clock = Callable[[], datetime]


class ShopStore:
    """Orders, accounts and tickets — every query scoped to the customer it is asked for.
    `policies`: each tenant's rules by tenant id; an order is judged by its customer's tenant's."""

    def __init__(self, sessions: Sessions, now: Clock, policies: Mapping[str, shop_policy.ShopPolicy]) -> None:
        self._sessions = sessions
        self._now = now
        self._policies = policies
        # A customer's storefront never changes once seeded: asked of every turn, it is read once.
        self._tenants: dict[str, str] = {}

    async def customers(self) -> list[Customer]:
        async with self._sessions() as s:
            return list((await s.exec(select(Customer).order_by(Customer.id))).all())

    async def catalogue(self) -> list[tuple[str, str]]:
        """Every tenant's products as (name, category): what the answer cache's entity check
        tells questions apart by (app/cost/vocabulary.py)."""
        async with self._sessions() as s:
            return [(p.name, p.category) for p in (await s.exec(select(Product))).all()]

    async def customer(self, customer_id: str) -> Customer | None:
        async with self._sessions() as s:
            return await s.get(Customer, customer_id)

    async def tenant_of(self, customer_id: str) -> str:
        """The storefront a customer belongs to. Raises LookupError for a customer there is none of
        (asked again next time: only a found customer's tenant is kept)."""
        if customer_id not in self._tenants:
            customer = await self.customer(customer_id)
            if customer is None:
                raise LookupError(f"no customer {customer_id!r}")
            self._tenants[customer_id] = customer.tenant_id
        return self._tenants[customer_id]

    async def tenants_of(self, customer_ids: Sequence[str]) -> dict[str, str]:
        """Each known customer's storefront, by customer id, in one query (unknown ids are left out)."""
        async with self._sessions() as s:
            query = select(Customer.id, Customer.tenant_id).where(col(Customer.id).in_(set(customer_ids)))
            return dict((await s.exec(query)).all())

    async def account(self, customer_id: str) -> AccountView | None:
        c = await self.customer(customer_id)
        if c is None:
            return None
        return AccountView(c.id, c.name, c.email, c.phone, c.address, c.loyalty_tier, c.loyalty_points)

    async def orders(self, customer_id: str) -> list[OrderSummary]:
        async with self._sessions() as s:
            query = select(Order).where(Order.customer_id == customer_id).order_by(col(Order.placed_at).desc())
            orders = (await s.exec(query)).all()
            return [await self._summary(s, o) for o in orders]

    async def order_view(self, owner: str | None, order_id: str) -> OrderView | None:
        async with self._sessions() as s:
            order = await _owned_order(s, owner, order_id)
            return None if order is None else await self._view(s, order)

    async def order(self, owner: str | None, order_id: str) -> OrderView | None:
        return await self.order_view(owner, order_id)

    async def tracking(self, owner: str | None, order_id: str) -> TrackingView | None:
        view = await self.order_view(owner, order_id)
        return None if view is None else view.tracking()

    async def request_refund(
        self, owner: str | None, order_id: str, reason: str, idempotency_key: str | None = None
    ) -> RefundResult:
        """Decide (and, when approved, record) a refund — once per idempotency key."""
        async with self._sessions() as s, s.begin():
            done = await s.get(IdempotentResult, idempotency_key) if idempotency_key else None
            if done is not None:
                return RefundResult(**done.result)
            result = await self._refund(s, owner, order_id, reason)
            if idempotency_key:
                s.add(IdempotentResult(key=idempotency_key, result=result.as_dict(), created_at=self._now()))
            return result

    async def _refund(self, s: AsyncSession, owner: str | None, order_id: str, reason: str) -> RefundResult:
        order = await _owned_order(s, owner, order_id)
        if order is None:
            return RefundResult(order_id, "not_found")
        view = await self._view(s, order)
        policy = await self._policy_of(s, order)
        categories = frozenset(p.category for _, p in await _items(s, order.id))
        decide = functools.partial(_refund_decision, policy, view, categories=categories, now=self._now())
        decision = decide(refunded=view.refund is not None)
        if decision.decision == "approved" and not await refund_ledger.take(s, order_id, decision.amount):
            decision = decide(refunded=True)  # a refund racing this one paid first
        if decision.decision != "approved":
            return RefundResult(order_id, decision.decision, decision.amount, decision.reason)
        s.add(
            Refund(
                order_id=order_id, amount=decision.amount, status="approved", requested_at=self._now(), reason=reason
            )
        )
        label = f"RL-{order_id}-{self._now():%m%d}"
        return RefundResult(order_id, decision.decision, decision.amount, decision.reason, label)

    async def _policy_of(self, s: AsyncSession, order: Order) -> shop_policy.ShopPolicy:
        """The rules of the storefront the order's customer shops at."""
        customer = await s.get(Customer, order.customer_id)
        if customer is None:
            raise LookupError(f"order {order.id!r} has no customer {order.customer_id!r}")
        return self._policies[customer.tenant_id]

    async def update_address(self, owner: str | None, order_id: str, address: str) -> AddressResult:
        """Change where an order goes — by itself only before it ships (chapter 7's rule)."""
        async with self._sessions() as s, s.begin():
            order = await _owned_order(s, owner, order_id)
            if order is None:
                return AddressResult(order_id=order_id, decision="not_found")
            decision = shop_policy.address_change(order.status)
            if decision.decision == "updated":
                s.add(AddressChange(order_id=order_id, address=address, changed_at=self._now()))
            return AddressResult(order_id=order_id, address=address, decision=decision.decision, reason=decision.reason)

    async def redirect_shipment(self, customer_id: str, order_id: str, address: str, approver: str) -> AddressResult:
        """An address change a person approved after shipping (they ask the carrier to redirect)."""
        async with self._sessions() as s, s.begin():
            order = await _owned_order(s, customer_id, order_id)
            if order is None or order.status != "shipped":
                return AddressResult(order_id=order_id, decision="not_possible")
            s.add(AddressChange(order_id=order_id, address=address, changed_at=self._now(), by=approver))
            return AddressResult(order_id=order_id, address=address, decision="updated")

    async def approve_refund(
        self, customer_id: str, order_id: str, amount: float, approver: str, approval_id: str
    ) -> ApprovedRefund:
        """Record a refund a person approved: on the customer's own order, within what is left to
        refund on it, and once per approval — asked again, it answers as the first time did."""
        async with self._sessions() as s, s.begin():
            if await _owned_order(s, customer_id, order_id) is None:
                return ApprovedRefund(order_id, "not_found")
            paid = await _paid_for(s, approval_id)
            if paid is not None:
                return ApprovedRefund(order_id, "approved", amount=paid.amount)
            if not await refund_ledger.take(s, order_id, amount):
                return ApprovedRefund(order_id, "too_much", left=await refund_ledger.left(s, order_id))
            refund = Refund(
                order_id=order_id, amount=amount, status="approved", requested_at=self._now(), reason=approver
            )
            s.add(refund)
            await s.flush()  # the refund's id, for the approval's row
            assert refund.id is not None
            s.add(ApprovalRefund(approval_id=approval_id, refund_id=refund.id))
            return ApprovedRefund(order_id, "approved", amount=amount)

    async def left_to_refund(self, customer_id: str, order_id: str) -> float | None:
        """What may still be refunded on the customer's order; None if it is not theirs."""
        async with self._sessions() as s:
            if await _owned_order(s, customer_id, order_id) is None:
                return None
            return await refund_ledger.left(s, order_id)

    async def open_ticket(self, customer_id: str, conversation_id: str, reason: str) -> str:
        ticket = Ticket(
            id=f"T-{uuid.uuid4().hex[:6].upper()}",
            customer_id=customer_id,
            conversation_id=conversation_id,
            reason=reason,
            created_at=self._now(),
        )
        async with self._sessions() as s, s.begin():
            s.add(ticket)
        return ticket.id

    async def _summary(self, s: AsyncSession, order: Order) -> OrderSummary:
        items = await _items(s, order.id)
        summary = ", ".join(f"{p.name}" + (f" ×{i.qty}" if i.qty > 1 else "") for i, p in items)
        total = round(sum(i.unit_price * i.qty for i, _ in items), 2)
        return OrderSummary(order.id, order.status, order.placed_at, summary, total)

    async def _view(self, s: AsyncSession, order: Order) -> OrderView:
        items = await _items(s, order.id)
        events = await _events(s, order.id)
        refund = (await s.exec(select(Refund).where(Refund.order_id == order.id))).first()
        shipped = next((e.at for e in events if e.status == "shipped"), None)
        delivered = next((e.at for e in events if e.status == "delivered"), None)
        policy = await self._policy_of(s, order)
        return OrderView(
            id=order.id,
            status=order.status,
            placed_at=order.placed_at,
            items=tuple(_item(i, p) for i, p in items),
            total=round(sum(i.unit_price * i.qty for i, _ in items), 2),
            shipping_method=order.shipping_method,
            ship_to=await _ship_to(s, order),
            carrier=order.carrier,
            tracking_number=order.tracking_number,
            shipped_at=shipped,
            estimated_delivery=shop_policy.estimated_delivery(policy, shipped, order.shipping_method)
            if shipped and not delivered
            else None,
            delivered_at=delivered,
            return_deadline=shop_policy.return_deadline(policy, delivered),
            events=tuple(EventView(e.at, e.status, e.location, e.description) for e in events),
            refund=None if refund is None else _refund_view(refund),
        )


def _refund_decision(
    policy: shop_policy.ShopPolicy, view: OrderView, *, categories: frozenset[str], refunded: bool, now: datetime
) -> shop_policy.RefundDecision:
    return shop_policy.refund_decision(
        policy,
        status=view.status,
        delivered_at=view.delivered_at,
        total=view.total,
        has_final_sale=view.has_final_sale,
        refunded=refunded,
        now=now,
        categories=categories,
    )


def _item(item: OrderItem, product: Product) -> ItemView:
    return ItemView(product.sku, product.name, item.qty, item.unit_price, product.final_sale, product.warranty_months)


def _refund_view(refund: Refund) -> RefundView:
    return RefundView(refund.amount, refund.status, refund.requested_at, refund.completed_at)


async def _events(s: AsyncSession, order_id: str) -> list[TrackingEvent]:
    query = select(TrackingEvent).where(TrackingEvent.order_id == order_id).order_by(col(TrackingEvent.at))
    return list((await s.exec(query)).all())


async def _paid_for(s: AsyncSession, approval_id: str) -> Refund | None:
    query = select(Refund).join(ApprovalRefund).where(ApprovalRefund.approval_id == approval_id)
    return (await s.exec(query)).first()


async def _ship_to(s: AsyncSession, order: Order) -> str:
    """The latest address change, else the customer's address on file."""
    query = select(AddressChange).where(AddressChange.order_id == order.id).order_by(col(AddressChange.id).desc())
    changed = (await s.exec(query)).first()
    if changed is not None:
        return changed.address
    customer = await s.get(Customer, order.customer_id)
    return customer.address if customer else ""


async def _owned_order(s: AsyncSession, owner: str | None, order_id: str) -> Order | None:
    """The order, only if it belongs to `owner`: another customer's order does not exist.
    (An owner of None — authorisation switched off — sees every order.)"""
    order = await s.get(Order, order_id)
    return order if order is not None and owner in (None, order.customer_id) else None


async def _items(s: AsyncSession, order_id: str) -> Sequence[tuple[OrderItem, Product]]:
    query = select(OrderItem, Product).join(Product).where(OrderItem.order_id == order_id).order_by(col(OrderItem.id))
    return list((await s.exec(query)).all())
