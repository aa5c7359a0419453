"""Decline: a message about nothing the shop does gets a polite no, and no model time beyond routing."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.context import TurnContext
from switchboard.agents.events import Step, Token
from switchboard.agents.state import ConversationState

DECLINED = (
    "That's outside what I can help with here: I'm Tidewater Outfitters' support assistant, so I "
    "can help with your orders, returns, shipping, your account and our gear. Is there something "
    "like that I can do for you?"
)


async def decline(state: ConversationState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    runtime.stream_writer(Step("decline", "Out of scope"))
    runtime.stream_writer(Token(DECLINED))
    return {"messages": [{"role": "assistant", "content": DECLINED}]}
