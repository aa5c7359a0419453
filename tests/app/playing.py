"""Playing turns in tests through the real path, under the board's switches with some changed."""

from __future__ import annotations

from typing import Any

from switchboard.app.services import Services

BIG_REFUND = "I want a refund for order 10049"  # C1001's $364 order: over the $250 the assistant may approve


async def play(
    services: Services, conversation_id: str, customer: str, text: str, **switches: bool
) -> tuple[str, dict[str, Any]]:
    """The answer as the customer saw it, and the turn's record."""
    flags = {**services.flags.snapshot(), **switches}
    events = [e async for e in services.turns.play(conversation_id, customer, text, flags=flags)]
    return "".join(e.data["text"] for e in events if e.kind == "token"), events[-1].data


async def turn(services: Services, customer: str, text: str, **switches: bool) -> tuple[str, dict[str, Any]]:
    """One turn in a new conversation."""
    conversation = await services.conversations.create(customer)
    return await play(services, conversation.id, customer, text, **switches)
