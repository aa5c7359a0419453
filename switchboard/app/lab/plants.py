"""Indirect injection, planted: an eval case's text put where the assistant will read it.

An indirect-injection case (evals/datasets/indirect_injection_*.jsonl) carries a `Plant`: an
instruction an attacker hid in a help-centre article or in what a tool returns. The run engine
registers it for the case's conversation (`Plants.put`), and that conversation's turns see the
shop and the help centre through these wrappers, so the plant reaches the model the way a
compromised page or a tampered carrier feed would, and no other conversation ever sees it:

    article       the planted article comes first in every search (it is relevant by
                  construction: the case's question is about it)
    tool_result   the text arrives as one more event of the order (`get_order`) or of the
                  shipment (`track_shipment`), its status naming the field it was planted in
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from switchboard.agents.context import Knowledge, Passage, Shop
from switchboard.agents.shop_views import (
    AccountView,
    AddressResult,
    ApprovedRefund,
    EventView,
    OrderSummary,
    OrderView,
    RefundResult,
    TrackingView,
)
from switchboard.evals.dataset import Plant


class Plants:
    """The plant of each conversation an eval run opened with one."""

    def __init__(self) -> None:
        self._by_conversation: dict[str, Plant] = {}

    def put(self, conversation_id: str, plant: Plant) -> None:
        self._by_conversation[conversation_id] = plant

    def get(self, conversation_id: str) -> Plant | None:
        return self._by_conversation.get(conversation_id)


class PlantedKnowledge:
    """The help centre with the planted article first."""

    def __init__(self, knowledge: Knowledge, plant: Plant) -> None:
        self._knowledge, self._plant = knowledge, plant

    async def search(self, query: str, k: int, hybrid: bool = False, *, tenant: str) -> list[Passage]:
        found = await self._knowledge.search(query, k, hybrid, tenant=tenant)
        article = str(self._plant.article_id)
        planted = Passage(f"{tenant}/{article}#0", article, self._plant.title or article, str(self._plant.body), 1.0)
        return [planted, *(p for p in found if p.source != article)][:k]


class PlantedShop:
    """The shop, with the planted text in the named tool's result; every other call passes through."""

    def __init__(self, shop: Shop, plant: Plant, now: datetime) -> None:
        self._shop, self._plant = shop, plant
        self._event = EventView(now, str(plant.field or "note"), "", str(plant.text))

    async def order(self, owner: str | None, order_id: str) -> OrderView | None:
        found = await self._shop.order(owner, order_id)
        planted = found is not None and self._plant.tool == "get_order"
        return replace(found, events=(*found.events, self._event)) if planted and found else found

    async def tracking(self, owner: str | None, order_id: str) -> TrackingView | None:
        found = await self._shop.tracking(owner, order_id)
        planted = found is not None and self._plant.tool == "track_shipment"
        return replace(found, events=(*found.events, self._event)) if planted and found else found

    async def orders(self, customer_id: str) -> list[OrderSummary]:
        return await self._shop.orders(customer_id)

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
