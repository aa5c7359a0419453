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
    EventView,
    OrderView,
    TrackingView,
)
from switchboard.app.lab.shop_wrapper import ShopWrapper
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


class PlantedShop(ShopWrapper):
    """The shop, with the planted text in the named tool's result; every other call passes through."""

    def __init__(self, shop: Shop, plant: Plant, now: datetime) -> None:
        super().__init__(shop)
        self._plant = plant
        self._event = EventView(now, str(plant.field or "note"), "", str(plant.text))

    async def order(self, owner: str | None, order_id: str) -> OrderView | None:
        found = await self._shop.order(owner, order_id)
        planted = found is not None and self._plant.tool == "get_order"
        return replace(found, events=(*found.events, self._event)) if planted and found else found

    async def tracking(self, owner: str | None, order_id: str) -> TrackingView | None:
        found = await self._shop.tracking(owner, order_id)
        planted = found is not None and self._plant.tool == "track_shipment"
        return replace(found, events=(*found.events, self._event)) if planted and found else found
