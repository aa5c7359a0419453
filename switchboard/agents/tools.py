"""The tools the specialists may call.

Each tool is a pydantic model of its arguments (whose JSON schema is what the model sees) and a
function that runs it. Every function takes the customer from the `TurnContext` — the signed-in
session — and never from the model's arguments, so no wording can make a tool read or change
another customer's data. Only with the `session_authorisation` switch off (to show the damage)
do order lookups ignore whose order it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from switchboard.agents.context import Passage, TurnContext
from switchboard.agents.llm.types import HAND_BACK, ToolSpec
from switchboard.patterns.idempotent_retry import idempotency_key
from switchboard.patterns.order_numbers import ARGUMENT_PATTERN

OrderId = Annotated[str, Field(pattern=ARGUMENT_PATTERN, description="The order number: five digits, e.g. 10042.")]


class Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderArguments(Arguments):
    order_id: OrderId


class RefundArguments(Arguments):
    order_id: OrderId
    reason: str = Field(max_length=500, description="Why the customer wants the refund, in their words.")


class AddressArguments(Arguments):
    order_id: OrderId
    address: str = Field(min_length=8, max_length=200, description="The full new delivery address.")


class SearchArguments(Arguments):
    query: str = Field(min_length=2, max_length=500, description="What to look up in the help centre.")


class HandBackArguments(Arguments):
    reason: str = Field(min_length=1, max_length=300, description="Why another specialist should take it.")


class TicketArguments(Arguments):
    summary: str = Field(min_length=1, max_length=1000, description="What the person should follow up on.")


@dataclass(frozen=True)
class ToolOutcome:
    content: str  # what the model reads
    ok: bool = True
    error: str | None = None
    sources: list[str] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)  # retrieved text, when the tool searched
    scores: list[float] = field(default_factory=list)  # each passage's similarity
    handoff_reason: str | None = None  # set when only a person can finish the job
    ticket_id: str | None = None
    attempts: int = 1
    approval: dict[str, Any] | None = None  # a refund waiting for a person (human_approval on)
    hand_back: str | None = None  # why the specialist gives the turn back to the router


Runner = Callable[[TurnContext, dict[str, Any]], Awaitable[ToolOutcome]]


@dataclass(frozen=True)
class Tool:
    spec: ToolSpec
    run: Runner
    arguments: type[Arguments] = Arguments
    writes: bool = False  # changes the shop: withheld from suspicious turns (least privilege)


def _data(payload: dict[str, Any]) -> ToolOutcome:
    return ToolOutcome(json.dumps(payload, default=str))


def _failure(code: str, message: str, **detail: str) -> ToolOutcome:
    payload = {"kind": "error", "error": code, "message": message, **detail}
    return ToolOutcome(json.dumps(payload), ok=False, error=code)


def _order_id(arguments: dict[str, Any]) -> str | None:
    value = arguments.get("order_id")
    return str(value).lstrip("#").strip() if value else None


def _owner(ctx: TurnContext) -> str | None:
    """Whose orders a lookup may see: the session's customer's — or, switch off, anyone's."""
    return ctx.customer_id if ctx.on("session_authorisation") else None


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
    order = await ctx.shop.order(_owner(ctx), order_id)
    return _data({"kind": "order", "order": order.as_dict()}) if order else _no_such_order(order_id)


async def list_orders(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    orders = await ctx.shop.orders(ctx.customer_id)
    return _data({"kind": "orders", "orders": [o.as_dict() for o in orders]})


async def track_shipment(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    order_id = _order_id(arguments)
    if not order_id:
        return _failure("missing_argument", "track_shipment needs an order_id.")
    tracking = await ctx.shop.tracking(_owner(ctx), order_id)
    return _data({"kind": "tracking", **tracking.as_dict()}) if tracking else _no_such_order(order_id)


async def request_refund(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    order_id = _order_id(arguments)
    if not order_id:
        return _failure("missing_argument", "request_refund needs an order_id.")
    reason = str(arguments.get("reason", ""))
    # One key for every attempt of this call: a retried refund is refunded once.
    key = idempotency_key(f"{ctx.conversation_id}/{ctx.turn_id}", "request_refund", {"order_id": order_id})
    result = await ctx.shop.request_refund(_owner(ctx), order_id, reason, key)
    if result.decision == "not_found":
        return _no_such_order(order_id)
    outcome = _data({"kind": "refund", **result.as_dict()})
    if result.decision != "needs_review":
        return outcome
    if ctx.on("human_approval"):
        wanted = {"order_id": order_id, "amount": result.amount, "reason": result.reason}
        return ToolOutcome(outcome.content, approval=wanted)
    return ToolOutcome(outcome.content, handoff_reason=f"refund review: {result.reason}")


async def update_address(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    order_id = _order_id(arguments)
    address = str(arguments.get("address", "")).strip()
    if not order_id or not address:
        return _failure("missing_argument", "update_address needs an order_id and the new address.")
    result = await ctx.shop.update_address(_owner(ctx), order_id, address)
    if result.decision == "not_found":
        return _no_such_order(order_id)
    outcome = _data({"kind": "address", **result.as_dict()})
    if result.decision != "needs_review":
        return outcome
    if ctx.on("human_approval"):
        wanted = {"kind": "address", "order_id": order_id, "address": address, "reason": result.reason}
        return ToolOutcome(outcome.content, approval=wanted)
    return ToolOutcome(outcome.content, handoff_reason=f"address change after shipping: {order_id}")


async def get_account(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    account = await ctx.shop.account(ctx.customer_id)
    if account is None:
        return _failure("not_found", "I couldn't find your account.")
    return _data({"kind": "account", "customer": account.as_dict()})


async def search_kb(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    query = str(arguments.get("query", "")).strip()
    if not query:
        return _failure("missing_argument", "search_kb needs a query.")
    found = await ctx.search(query, k=4)
    sources, texts, scores = [p.source for p in found], [p.text for p in found], [p.score for p in found]
    return ToolOutcome(format_passages(found), sources=sources, passages=texts, scores=scores)


async def create_ticket(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    reason = str(arguments.get("summary", "")).strip() or "customer asked for a person"
    ticket_id = await ctx.shop.open_ticket(ctx.customer_id, ctx.conversation_id, reason)
    return ToolOutcome(
        json.dumps({"kind": "ticket", "ticket_id": ticket_id, "status": "open", "reply_within": ctx.reply_within}),
        ticket_id=ticket_id,
    )


async def hand_back(ctx: TurnContext, arguments: dict[str, Any]) -> ToolOutcome:
    reason = str(arguments.get("reason", "")).strip() or "not my kind of question"
    return ToolOutcome(json.dumps({"kind": "handed_back", "reason": reason}), hand_back=reason)


def format_passages(found: Sequence[Passage]) -> str:
    """Passages as delimited blocks, so they read as quoted data rather than instructions."""
    if not found:
        return "No help-centre passages matched."
    return "\n".join(f'<passage id="{p.id}" source="{p.source}" title="{p.title}">{p.text}</passage>' for p in found)


def _tool(
    name: str, description: str, run: Runner, arguments: type[Arguments] = Arguments, writes: bool = False
) -> Tool:
    return Tool(ToolSpec(name, description, json_schema(arguments)), run, arguments, writes)


def json_schema(arguments: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema, without pydantic's titles (noise in every prompt)."""
    schema = arguments.model_json_schema()
    properties = {k: {f: v for f, v in p.items() if f != "title"} for k, p in schema.get("properties", {}).items()}
    return {"type": "object", "properties": properties, "required": schema.get("required", [])}


TOOLS: dict[str, Tool] = {
    t.spec.name: t
    for t in [
        _tool(
            "get_order",
            "Look up one of my orders: what I bought, its status, price, when it was placed or delivered.",
            get_order,
            OrderArguments,
        ),
        _tool(
            "list_orders",
            "List all my orders and purchases: what did I order, recent orders, order history.",
            list_orders,
        ),
        _tool(
            "track_shipment",
            "Where is my order or package? Track a parcel: carrier, tracking number, latest "
            "scan, and when it will arrive or be delivered.",
            track_shipment,
            OrderArguments,
        ),
        _tool(
            "request_refund",
            "I want a refund: start a return and get my money back for an order I bought. Applies the returns policy.",
            request_refund,
            RefundArguments,
            writes=True,
        ),
        _tool(
            "update_address",
            "Change the delivery address of one of my orders: ship it to a different address instead.",
            update_address,
            AddressArguments,
            writes=True,
        ),
        _tool(
            "get_account",
            "My account: my name, the email and address on file, my loyalty tier, and how many reward points I have.",
            get_account,
        ),
        _tool(
            "search_kb",
            "Search the help centre: how shipping, returns, refunds, exchanges, warranty, "
            "payments and loyalty work, and how to care for or fix gear.",
            search_kb,
            SearchArguments,
        ),
        _tool(
            "create_ticket",
            "Talk to a human: open a ticket so a person from the support team follows up.",
            create_ticket,
            TicketArguments,
        ),
    ]
}


# Not in TOOLS: only a specialist behind the router has someone to hand a turn back to.
HAND_BACK_TOOL = _tool(
    HAND_BACK,
    "Not a question for me: give it back to the router, which passes it to another specialist. Say why.",
    hand_back,
    HandBackArguments,
)


def toolset(*names: str) -> list[Tool]:
    return [TOOLS[name] for name in names]


def specialist_toolset(*names: str) -> list[Tool]:
    """A specialist's tools: the ones named, and a way to hand the turn back to the router."""
    return [*toolset(*names), HAND_BACK_TOOL]


def tool_schema_version(tools: Sequence[Tool] | None = None) -> str:
    """The tools as a model sees them (names, descriptions, argument schemas) as one short hash:
    the version matrix's third axis, beside prompt and model versions. A changed description is
    a changed prompt in all but name, so it makes a new version too."""
    every = [*TOOLS.values(), HAND_BACK_TOOL] if tools is None else tools
    specs = sorted(([t.spec.name, t.spec.description, t.spec.parameters] for t in every), key=lambda s: str(s[0]))
    return hashlib.sha256(json.dumps(specs, sort_keys=True).encode()).hexdigest()[:12]
