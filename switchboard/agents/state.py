"""The graph's state: what a conversation remembers between turns (checkpointed per thread)."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from switchboard.agents.llm.types import Message


class ContextSummary(TypedDict):
    """`context_window`'s running summary: the text standing for the oldest `folded` messages.
    Kept in the checkpointed state, so it survives a restart and is never made twice."""

    folded: int
    text: str


class ConversationState(TypedDict, total=False):
    # The customer's messages and the assistant's final answers; tool traffic stays inside
    # the node that made it.
    messages: Annotated[list[Message], operator.add]
    route: str
    handoff: str | None  # a specialist sets "escalate" to pass the turn to a person, "router" to give it back
    handoffs: list[tuple[str, str]]  # this turn's passes between agents (source, target): ping-pong shows here
    handoff_reason: str
    suspicious: bool  # the input scan flagged this turn: with least_privilege on, no write tools
    blocked: bool  # the input scan blocked this turn: it ends with a refusal
    context_summary: ContextSummary
    cached: bool  # semantic_cache answered this turn: no model runs
