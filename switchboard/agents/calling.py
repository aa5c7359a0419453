"""One model call from inside a node: stream the answer text out, report the call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from switchboard.agents.context import TurnContext
from switchboard.agents.events import ModelCalled, Token
from switchboard.agents.llm.gateway import CallRecord
from switchboard.agents.llm.resilience import Resilience
from switchboard.agents.llm.types import (
    ChatRequest,
    Completion,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    Usage,
)

Writer = Callable[[Any], None]


async def ask_model(
    ctx: TurnContext, write: Writer, request: ChatRequest, *, purpose: str, shows_text: bool
) -> Completion:
    """Call the model through the gateway.

    When `shows_text` is set, the reply is the customer's answer: with the `streaming` flag on
    each delta goes out as it arrives; with it off, the whole text goes out once it is done.
    """
    request = replace(request, deadline=ctx.deadline)
    streaming = shows_text and ctx.on("streaming")
    text: list[str] = []
    calls: list[ToolCall] = []
    usage = Usage(0, 0)
    costs: list[float] = []
    resilience = Resilience(
        retry=ctx.on("retry_budget"), breaker=ctx.on("circuit_breaker"), failover=ctx.on("failover")
    )

    def called(record: CallRecord) -> None:
        costs.append(record.cost_usd)
        write(ModelCalled(record))

    stream = ctx.gateway.stream(request, purpose=purpose, on_call=called, resilience=resilience)
    async for chunk in stream:
        if isinstance(chunk, TextDelta):
            text.append(chunk.text)
            if streaming:
                write(Token(chunk.text))
        elif isinstance(chunk, ToolCallChunk):
            calls.append(chunk.call)
        else:
            usage = chunk
    if shows_text and not streaming and text:
        write(Token("".join(text)))
    return Completion("".join(text), calls, usage, sum(costs))
