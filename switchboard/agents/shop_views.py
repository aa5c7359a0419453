"""What the agents' `Shop` protocol returns: frozen views, datetimes kept as datetimes until
the edge.

`as_dict()` is what a tool hands the model: its keys, their order and the ISO strings are the
contract, so that the text a model reads stays the same (demo policies parse it, eval snapshots
compare it). A result's optional field is absent from its dict when None, never `null`: each
decision carried only the keys it has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _present(view: object) -> dict[str, Any]:
    """A result's fields, leaving out the optional ones this decision does not carry."""
    return {name: value for name, value in view.__dict__.items() if value is not None}


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
class TrackingView:
    """Where an order is, as the tracking tool reports it."""

    order_id: str
    status: str
    carrier: str | None
    tracking_number: str | None
    estimated_delivery: datetime | None
    delivered_at: datetime | None
    events: tuple[EventView, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "estimated_delivery": iso(self.estimated_delivery),
            "delivered_at": iso(self.delivered_at),
            "events": [e.as_dict() for e in self.events],
        }


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

    def tracking(self) -> TrackingView:
        return TrackingView(
            self.id,
            self.status,
            self.carrier,
            self.tracking_number,
            self.estimated_delivery,
            self.delivered_at,
            self.events,
        )


@dataclass(frozen=True)
class OrderSummary:
    """One line of a customer's order list: what was in it, as one phrase, and its total."""

    id: str
    status: str
    placed_at: datetime
    summary: str
    total: float

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "placed_at": iso(self.placed_at)}


@dataclass(frozen=True)
class AccountView:
    """A customer's own details, as the account tool reads them out."""

    id: str
    name: str
    email: str
    phone: str
    address: str
    loyalty_tier: str
    loyalty_points: int

    def as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in ACCOUNT_KEYS}


# The order the account tool has always sent them in (the stored row's, not the fields'): kept,
# so the text a model reads is unchanged.
ACCOUNT_KEYS = ("name", "id", "phone", "loyalty_tier", "address", "email", "loyalty_points")


@dataclass(frozen=True)
class RefundResult:
    """A refund asked for by the assistant: not_found carries only the order and the decision;
    a decision, its amount and reason; an approved one, its return label too."""

    order_id: str
    decision: str
    amount: float | None = None
    reason: str | None = None
    return_label: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return _present(self)


@dataclass(frozen=True)
class ApprovedRefund:
    """A refund a person approved: approved (`amount`, what was paid), too_much (`left`, what
    may still be refunded) or not_found. Read by the approval graph, never shown to a model."""

    order_id: str
    decision: str
    amount: float = 0.0
    left: float = 0.0


@dataclass(frozen=True, kw_only=True)
class AddressResult:
    """An address change: its decision and, unless the order was not found, the address (and,
    when the assistant asked, why). Keyword-only: the fields keep the order the tool sends them in."""

    order_id: str
    address: str | None = None
    decision: str
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return _present(self)
