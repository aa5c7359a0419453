"""The shop's systems, failing on purpose: chaos for tools, as the fault injector is for models.

At the chaos board's `tool_fault_rate`, a call raises `TransientToolError`. Reads fail before
they read. A refund fails *after* it was made — the reply lost on the way back — which is the
case idempotency keys exist for: retried without one, the customer is told it was refunded
already; retried with one, they get the first answer and nothing is refunded twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from switchboard.agents.context import Shop
from switchboard.agents.shop_views import (
    AccountView,
    AddressResult,
    OrderSummary,
    OrderView,
    RefundResult,
    TrackingView,
)
from switchboard.app.lab.chaos import AgentFaults
from switchboard.app.lab.shop_wrapper import ShopWrapper
from switchboard.patterns.idempotent_retry import TransientToolError


class FaultyShop(ShopWrapper):
    """The shop, its reads and writes failing at the chaos board's rate; approvals and tickets pass through."""

    def __init__(self, shop: Shop, faults: Callable[[], AgentFaults], seed: int = 0) -> None:
        super().__init__(shop)
        self._faults = faults
        self._rng = random.Random(seed)

    def _roll(self, what: str) -> None:
        if self._rng.random() < self._faults().tool_fault_rate:
            raise TransientToolError(f"chaos: {what} did not answer")

    async def order(self, owner: str | None, order_id: str) -> OrderView | None:
        self._roll("the order system")
        return await self._shop.order(owner, order_id)

    async def orders(self, customer_id: str) -> list[OrderSummary]:
        self._roll("the order system")
        return await self._shop.orders(customer_id)

    async def tracking(self, owner: str | None, order_id: str) -> TrackingView | None:
        self._roll("the carrier")
        return await self._shop.tracking(owner, order_id)

    async def request_refund(
        self, owner: str | None, order_id: str, reason: str, idempotency_key: str | None = None
    ) -> RefundResult:
        result = await self._shop.request_refund(owner, order_id, reason, idempotency_key)
        self._roll("the payment system's reply")
        return result

    async def update_address(self, owner: str | None, order_id: str, address: str) -> AddressResult:
        self._roll("the order system")
        return await self._shop.update_address(owner, order_id, address)

    async def account(self, customer_id: str) -> AccountView | None:
        self._roll("the account system")
        return await self._shop.account(customer_id)
