"""Typed views of an order, as the store reads it: datetimes stay datetimes until the edge.

`as_dict()` is what the agents' tools see (their `Shop` protocol speaks plain JSON data): its
keys, their order and the ISO strings are the contract, so that the text a model reads stays
the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


@dataclass(frozen=True)
class ItemView:
    sku: str
    name: str
    qty: int
    unit_price: float
    final_sale: bool
    warranty_months: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class EventView:
    """One step of an order's tracking."""

    at: datetime
    status: str
    location: str
    description: str

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "at": iso(self.at)}


@dataclass(frozen=True)
class RefundView:
    amount: float
    status: str
    requested_at: datetime
    completed_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "requested_at": iso(self.requested_at), "completed_at": iso(self.completed_at)}


@dataclass(frozen=True)
class OrderView:
    """An order with its items, where it goes, its tracking and its refund."""

    id: str
    status: str
    placed_at: datetime
    items: tuple[ItemView, ...]
    total: float
    shipping_method: str
    ship_to: str
    carrier: str | None
    tracking_number: str | None
    shipped_at: datetime | None
    estimated_delivery: datetime | None
    delivered_at: datetime | None
    return_deadline: datetime | None
    events: tuple[EventView, ...]
    refund: RefundView | None

    @property
    def has_final_sale(self) -> bool:
        return any(item.final_sale for item in self.items)

    def as_dict(self) -> dict[str, Any]:
        dates = ("placed_at", "shipped_at", "estimated_delivery", "delivered_at", "return_deadline")
        return {
            **self.__dict__,
            **{name: iso(getattr(self, name)) for name in dates},
            "items": [i.as_dict() for i in self.items],
            "events": [e.as_dict() for e in self.events],
            "refund": None if self.refund is None else self.refund.as_dict(),
        }

    def tracking(self) -> dict[str, Any]:
        """Where the order is, as the tracking tool reports it."""
        view = self.as_dict()
        keys = ("status", "carrier", "tracking_number", "estimated_delivery", "delivered_at", "events")
        return {"order_id": self.id, **{k: view[k] for k in keys}}
