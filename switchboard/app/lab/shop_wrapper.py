"""A shop that passes every call through to another: the base of the lab's wrappers.

The lab changes what the agents see of the shop for a purpose — chaos makes its systems fail
(faulty_shop.py), an indirect-injection case plants text in a tool's result (plants.py) — and
each wrapper overrides only the calls it changes; the rest reach the real shop untouched.
"""

from __future__ import annotations

from switchboard.agents.context import Shop
from switchboard.agents.shop_views import (
    AccountView,
    AddressResult,
    ApprovedRefund,
    OrderSummary,
    OrderView,
    RefundResult,
    TrackingView,
)


class ShopWrapper:
    """Every `Shop` call, passed through to `shop` unchanged."""

    def __init__(self, shop: Shop) -> None:
        self._shop = shop

    async def order(self, owner: str | None, order_id: str) -> OrderView | None:
        return await self._shop.order(owner, order_id)

    async def orders(self, customer_id: str) -> list[OrderSummary]:
        return await self._shop.orders(customer_id)

    async def tracking(self, owner: str | None, order_id: str) -> TrackingView | None:
        return await self._shop.tracking(owner, order_id)

    async def request_refund(
        self, owner: str | None, order_id: str, reason: str, idempotency_key: str | None = None
    ) -> RefundResult:
        return await self._shop.request_refund(owner, order_id, reason, idempotency_key)

    async def update_address(self, owner: str | None, order_id: str, address: str) -> AddressResult:
        return await self._shop.update_address(owner, order_id, address)

    async def redirect_shipment(self, customer_id: str, order_id: str, address: str, approver: str) -> AddressResult:
        return await self._shop.redirect_shipment(customer_id, order_id, address, approver)

    async def approve_refund(
        self, customer_id: str, order_id: str, amount: float, approver: str, approval_id: str
    ) -> ApprovedRefund:
        return await self._shop.approve_refund(customer_id, order_id, amount, approver, approval_id)

    async def account(self, customer_id: str) -> AccountView | None:
        return await self._shop.account(customer_id)

    async def open_ticket(self, customer_id: str, conversation_id: str, reason: str) -> str:
        return await self._shop.open_ticket(customer_id, conversation_id, reason)
