"""How the demo model writes: grounded sentences from passages and tool results, or "I don't know".

Answers are extractive on purpose. Every sentence about the shop's policies is lifted from a
passage the model was given and cited as `[article-id]`; every fact about an order comes from a
tool result. When nothing it was given is close enough to the question, it says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from switchboard.agents.embeddings import Embedder
from switchboard.agents.llm.providers.demo import choosing
from switchboard.agents.llm.providers.demo.reading import Passage
from switchboard.agents.llm.providers.demo.understanding import keyword_overlap

RELEVANCE_FLOOR = 0.42  # below this cosine similarity a passage sentence is not an answer
_WEAK_FLOOR = 0.30  # ...unless it shares most of the question's key words and is this close
_SECOND_SENTENCE = 0.85  # a second sentence joins when it scores within 85% of the best

DONT_KNOW = (
    "I couldn't find anything about that in our help centre, so I'd rather not guess. "
    "Would you like me to pass your question to a member of our team?"
)


def answer_from_passages(embedder: Embedder, question: str, found: Sequence[Passage]) -> str | None:
    """The one or two passage statements that best answer the question, cited; None if none do.

    Statements are scored by `choosing.scores`: meaning, the question's rarer words, the section
    heading and whether the statement holds what is asked for (a duration, an amount, a rule).
    """
    said = choosing.statements(found)
    if not said:
        return None
    scores, own = choosing.scores(embedder, question, said)
    best = int(np.argmax(scores))
    lexical = keyword_overlap(question, [s.text for s in said])[best]
    if own[best] < RELEVANCE_FLOOR and not (own[best] >= _WEAK_FLOOR and lexical >= 0.5):
        return None  # not close enough in meaning, nor close in meaning and sharing the key words
    chosen = [best]
    runner_up = _runner_up(scores, best, [s.passage for s in said])
    if runner_up is not None and scores[runner_up] >= scores[best] * _SECOND_SENTENCE:
        chosen.append(runner_up)
    text = " ".join(said[i].text for i in chosen)  # the best first: it answers the question
    return f"{text} [{said[best].passage.source}]"


def _runner_up(scores: np.ndarray, best: int, owners: Sequence[Passage]) -> int | None:
    """The best other sentence from the same article, so an answer reads as one thought."""
    same = [i for i in range(len(scores)) if i != best and owners[i].source == owners[best].source]
    return max(same, key=lambda i: scores[i]) if same else None


def day(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%a %-d %b") if iso else "unknown"


def money(amount: float) -> str:
    return f"${amount:,.2f}"


def write_tool_result(data: dict[str, Any], asked: str = "") -> str:
    """A tool result in words; an account also gives the details on file the question names."""
    kind = data.get("kind")
    if kind == "account":
        return _account(data, asked)
    writer = _WRITERS.get(str(kind))
    if writer is None:
        return "I looked that up but couldn't make sense of the result."
    return writer(data)


def _order(data: dict[str, Any]) -> str:
    order = data["order"]
    items = ", ".join(f"{i['name']} ×{i['qty']}" for i in order["items"])
    lines = [
        f"Order #{order['id']} (placed {day(order['placed_at'])}: {items}, "
        f"{money(order['total'])}) is {order['status'].replace('_', ' ')}."
    ]
    lines.extend(_order_details(order))
    return " ".join(lines)


def _order_details(order: dict[str, Any]) -> list[str]:
    status = order["status"]
    details = []
    if status == "processing":
        details.append("It hasn't left our warehouse yet, so it can still be cancelled or changed.")
    if status == "shipped":
        details.append(
            f"It's on its way with {order['carrier']} (tracking {order['tracking_number']}) "
            f"and should arrive by {day(order['estimated_delivery'])}."
        )
    if order.get("delivered_at"):
        details.append(f"It was delivered on {day(order['delivered_at'])}.")
        if order.get("return_deadline") and status == "delivered":
            details.append(f"It can be returned until {day(order['return_deadline'])}.")
    refund = order.get("refund")
    if refund:
        details.append(_refund_sentence(refund))
    return details


def _refund_sentence(refund: dict[str, Any]) -> str:
    if refund["status"] == "completed":
        return f"A refund of {money(refund['amount'])} was issued on {day(refund['completed_at'])}."
    return f"A refund of {money(refund['amount'])} is {refund['status']} (requested {day(refund['requested_at'])})."


def _orders(data: dict[str, Any]) -> str:
    orders = data["orders"]
    if not orders:
        return "I can't see any orders on your account."
    listed = "; ".join(
        f"#{o['id']} ({day(o['placed_at'])}, {o['summary']}) — {o['status'].replace('_', ' ')}" for o in orders
    )
    return f"You have {len(orders)} orders: {listed}."


def _tracking(data: dict[str, Any]) -> str:
    events = data["events"]
    if not data.get("tracking_number"):
        return f"Order #{data['order_id']} hasn't shipped yet, so there's no tracking to show."
    head = f"Order #{data['order_id']} is with {data['carrier']}, tracking {data['tracking_number']}."
    latest = events[-1] if events else None
    scan = f" Latest scan: {latest['description']} in {latest['location']} on {day(latest['at'])}." if latest else ""
    if data.get("delivered_at"):
        return f"{head}{scan} It was delivered on {day(data['delivered_at'])}."
    return f"{head}{scan} Expected delivery: {day(data.get('estimated_delivery'))}."


def _refund(data: dict[str, Any]) -> str:
    decision = data["decision"]
    if decision == "approved":
        return (
            f"I've started a return for order #{data['order_id']}: a refund of "
            f"{money(data['amount'])} is approved and will be issued once the parcel reaches "
            f"our warehouse. Your return label reference is {data['return_label']}."
        )
    if decision == "already_refunded":
        return f"Order #{data['order_id']} already has a refund: {data['reason']}"
    return f"I can't refund order #{data['order_id']} myself: {data['reason']}"


# The details on file a question may name; an "email address" names the email, which is always given.
_ON_FILE = (
    ("address", re.compile(r"(?<!email )(?<!e-mail )\baddress", re.I), "The address on file is {}."),
    ("phone", re.compile(r"\bphone\b", re.I), "The phone number on file is {}."),
)


def _account(data: dict[str, Any], asked: str = "") -> str:
    c = data["customer"]
    named = [text.format(c[field]) for field, asks, text in _ON_FILE if asks.search(asked) and c.get(field)]
    return " ".join(
        [
            f"Your account is in the name of {c['name']} ({c['email']}). You're on the "
            f"{c['loyalty_tier'].title()} tier with {c['loyalty_points']:,} Trail Rewards points.",
            *named,
        ]
    )


def _ticket(data: dict[str, Any]) -> str:
    within = data.get("reply_within", "one business day")
    return f"I've opened ticket {data['ticket_id']}; a member of our team will reply within {within}."


def _error(data: dict[str, Any]) -> str:
    return str(data.get("message", "That didn't work."))


def _address(data: dict[str, Any]) -> str:
    if data["decision"] == "updated":
        return f"Done: order #{data['order_id']} will now be delivered to {data['address']}."
    if data["decision"] == "needs_review":
        return f"I can't change the address on order #{data['order_id']} myself: {data['reason']}"
    return f"I can't change the address on order #{data['order_id']}: {data['reason']}"


_WRITERS = {
    "order": _order,
    "orders": _orders,
    "tracking": _tracking,
    "refund": _refund,
    "address": _address,
    "ticket": _ticket,
    "error": _error,
}
