"""The tools the specialists may call.

Each tool is a `ToolSpec` (what the model sees) and a function that runs it. Every function
takes the customer id from the `TurnContext` — the signed-in session — and never from the
model's arguments, so no wording can make a tool read or change another customer's data.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from switchboard.agents.context import Passage, TurnContext
from switchboard.agents.llm.types import ToolSpec

ORDER_ID = {"type": "string", "description": "The order number, e.g. 10042."}


@dataclass(frozen=True)
class ToolOutcome:
    content: str  # what the model reads
    ok: bool = True
    error: str | None = None
    sources: list[str] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)  # retrieved text, when the tool searched
    handoff_reason: str | None = None  # set when only a person can finish the job
    ticket_id: str | None = None


Runner = Callable[[TurnContext, dict[str, Any]], Awaitable[ToolOutcome]]


@dataclass(frozen=True)
class Tool:
    spec: ToolSpec
    run: Runner


def _data(payload: dict[str, Any]) -> ToolOutcome:
    return ToolOutcome(json.dumps(payload, default=str))


def _failure(code: str, message: str, **detail: str) -> ToolOutcome:
    payload = {"kind": "error", "error": code, "message": message, **detail}
    return ToolOutcome(json.dumps(payload), ok=False, error=code)


def _order_id(arguments: dict[str, Any]) -> str | None:
    value = arguments.get("order_id")
    return str(value).lstrip("#").strip() if value else None


def _no_such_order(order_id: str) -> ToolOutcome:
    return _failure(
        "not_found",
        f"I couldn't find order #{order_id} on your account. Could you check the number?",
        order_id=order_id,
    )


async def get_order(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    order_id = _order_id(arguments)
    if not order_id:
        return _failure("missing_argument", "get_order needs an order_id.")
    order = await ctx.shop.order(ctx.customer_id, order_id)
    return _data({"kind": "order", "order": order}) if order else _no_such_order(order_id)


async def list_orders(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    return _data({"kind": "orders", "orders": await ctx.shop.orders(ctx.customer_id)})


async def track_shipment(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    order_id = _order_id(arguments)
    if not order_id:
        return _failure("missing_argument", "track_shipment needs an order_id.")
    tracking = await ctx.shop.tracking(ctx.customer_id, order_id)
    return _data({"kind": "tracking", **tracking}) if tracking else _no_such_order(order_id)


async def request_refund(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    order_id = _order_id(arguments)
    if not order_id:
        return _failure("missing_argument", "request_refund needs an order_id.")
    result = await ctx.shop.request_refund(ctx.customer_id, order_id, str(arguments.get("reason", "")))
    if result.get("decision") == "not_found":
        return _no_such_order(order_id)
    outcome = _data({"kind": "refund", **result})
    if result.get("decision") == "needs_review":
        return ToolOutcome(outcome.content, handoff_reason=f"refund review: {result['reason']}")
    return outcome


async def get_account(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    account = await ctx.shop.account(ctx.customer_id)
    if account is None:
        return _failure("not_found", "I couldn't find your account.")
    return _data({"kind": "account", "customer": account})


async def search_kb(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    query = str(arguments.get("query", "")).strip()
    if not query:
        return _failure("missing_argument", "search_kb needs a query.")
    found = await ctx.knowledge.search(query, k=4, hybrid=ctx.on("hybrid_search"))
    return ToolOutcome(format_passages(found), sources=[p.source for p in found], passages=[p.text for p in found])


async def create_ticket(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    reason = str(arguments.get("summary", "")).strip() or "customer asked for a person"
    ticket_id = await ctx.shop.open_ticket(ctx.customer_id, ctx.conversation_id, reason)
    return ToolOutcome(
        json.dumps({"kind": "ticket", "ticket_id": ticket_id, "status": "open"}),
        ticket_id=ticket_id,
    )


def format_passages(found: Sequence[Passage]) -> str:
    """Passages as delimited blocks, so they read as quoted data rather than instructions."""
    if not found:
        return "No help-centre passages matched."
    return "\n".join(f'<passage id="{p.id}" source="{p.source}" title="{p.title}">{p.text}</passage>' for p in found)


def _spec(name: str, description: str, properties: dict[str, Any] | None = None) -> ToolSpec:
    props = properties or {}
    return ToolSpec(
        name=name,
        description=description,
        parameters={"type": "object", "properties": props, "required": list(props)},
    )


TOOLS: dict[str, Tool] = {
    t.spec.name: t
    for t in [
        Tool(
            _spec(
                "get_order",
                "Look up one of my orders: what I bought, its status, price, when it was placed or delivered.",
                {"order_id": ORDER_ID},
            ),
            get_order,
        ),
        Tool(
            _spec(
                "list_orders",
                "List all my orders and purchases: what did I order, recent orders, order history.",
            ),
            list_orders,
        ),
        Tool(
            _spec(
                "track_shipment",
                "Where is my order or package? Track a parcel: carrier, tracking number, latest "
                "scan, and when it will arrive or be delivered.",
                {"order_id": ORDER_ID},
            ),
            track_shipment,
        ),
        Tool(
            _spec(
                "request_refund",
                "I want a refund: start a return and get my money back for an order I bought. "
                "Applies the returns policy.",
                {"order_id": ORDER_ID, "reason": {"type": "string"}},
            ),
            request_refund,
        ),
        Tool(
            _spec(
                "get_account",
                "My account: my name, the email and address on file, my loyalty tier, and how "
                "many reward points I have.",
            ),
            get_account,
        ),
        Tool(
            _spec(
                "search_kb",
                "Search the help centre: how shipping, returns, refunds, exchanges, warranty, "
                "payments and loyalty work, and how to care for or fix gear.",
                {"query": {"type": "string"}},
            ),
            search_kb,
        ),
        Tool(
            _spec(
                "create_ticket",
                "Talk to a human: open a ticket so a person from the support team follows up.",
                {"summary": {"type": "string"}},
            ),
            create_ticket,
        ),
    ]
}


def toolset(*names: str) -> list[Tool]:
    return [TOOLS[name] for name in names]
