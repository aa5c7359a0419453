"""Decline: a message about nothing the shop does gets a polite no, and no model time beyond routing."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.context import TurnContext
from switchboard.agents.events import Step, Token
from switchboard.agents.state import ConversationState


def declined(shop: str) -> str:
    """The polite no, in the name of the customer's storefront."""
    return (
        f"That's outside what I can help with here: I'm {_possessive(shop)} support assistant, so I "
        "can help with your orders, returns, shipping, your account and our gear. Is there something "
        "like that I can do for you?"
    )


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


async def decline(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    text = declined(runtime.context.shop_name)
    runtime.stream_writer(Step("decline", "Out of scope"))
    runtime.stream_writer(Token(text))
    return {"messages": [{"role": "assistant", "content": text}]}
