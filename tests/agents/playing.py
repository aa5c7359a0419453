"""Fakes for the agents' tests that play turns through the real graph on the demo models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from switchboard.agents.context import TurnContext
from switchboard.agents.llm.types import ChatRequest, Chunk, Provider
from switchboard.agents.state import ConversationState
from switchboard.app.services import Services


class Listening:
    """A provider that passes every request on and keeps it, so a test can read what a model was sent."""

    def __init__(self, inner: Provider) -> None:
        self.name = inner.name
        self._inner = inner
        self.requests: list[ChatRequest] = []

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        self.requests.append(request)
        async for chunk in self._inner.stream(request):
            yield chunk


def turn_context(services: Services, conversation_id: str, **overrides: Any) -> TurnContext:
    """A turn's context on the services' real parts, under the board's switches (`flags` overrides
    some), with any other field replaced."""
    flags = {**services.flags.snapshot(), **overrides.pop("flags", {})}
    parts: dict[str, Any] = {
        "customer_id": "C1001",
        "conversation_id": conversation_id,
        "flags": flags,
        "gateway": services.gateway,
        "shop": services.shop,
        "knowledge": services.knowledge,
        "prompts": services.prompts,
        "model": services.settings.model,
        "small_model": services.settings.router_model,
        "router_model": services.settings.router_model,
    }
    return TurnContext(**{**parts, **overrides})


async def play(services: Services, ctx: TurnContext, text: str) -> list[object]:
    """One turn through the graph, in `ctx.conversation_id`'s thread: the events it wrote."""
    turn: ConversationState = {"messages": [{"role": "user", "content": text}], "handoff": None, "handoffs": []}
    config: Any = {"configurable": {"thread_id": ctx.conversation_id}}
    return [event async for event in services.graph.astream(turn, config, context=ctx, stream_mode="custom")]
