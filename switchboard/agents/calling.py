"""One model call from inside a node: stream the answer text out, report the call.

With `canary` on, an answer is watched for the turn's canary as it streams: the last few
characters are held back, so a canary split across chunks never reaches the customer, and an
answer that carries it — the system prompt leaking — is cut off and withheld.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import aclosing
from dataclasses import replace
from typing import Any

from switchboard.agents.context import TurnContext
from switchboard.agents.events import GuardTripped, ModelCalled, Token
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
from switchboard.patterns.injection import Canary

Writer = Callable[[Any], None]
WITHHELD = "I'm sorry, I can't share that. Is there something about your order or our gear I can help with?"


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

    watch = LeakWatch(ctx.canary) if shows_text and ctx.canary is not None and ctx.on("canary") else None
    stream = ctx.gateway.stream(request, purpose=purpose, on_call=called, resilience=resilience)
    async with aclosing(stream):
        async for chunk in stream:
            if isinstance(chunk, TextDelta):
                text.append(chunk.text)
                shown = watch.feed(chunk.text) if watch else chunk.text
                if watch is not None and watch.leaked:
                    break
                if streaming and shown:
                    write(Token(shown))
            elif isinstance(chunk, ToolCallChunk):
                calls.append(chunk.call)
            else:
                usage = chunk
    if watch is not None and watch.leaked:
        write(GuardTripped("canary", "block", "the answer carried the system prompt's canary: withheld"))
        write(Token(WITHHELD))
        return Completion(WITHHELD, [], usage, sum(costs))
    tail = watch.flush() if watch else ""
    if streaming and tail:
        write(Token(tail))
    if shows_text and not streaming and text:
        write(Token("".join(text)))
    return Completion("".join(text), calls, usage, sum(costs))


class LeakWatch:
    """Passes streamed text on, holding back enough of its end to catch a canary split across chunks."""

    def __init__(self, canary: Canary) -> None:
        self._canary = canary
        self._keep = len(canary.token) - 1
        self._seen = ""
        self._held = ""
        self.leaked = False

    def feed(self, text: str) -> str:
        # Only the new text and enough before it to hold a canary spread out with separators:
        # rescanning the whole answer on every chunk would cost O(n²).
        self._seen = self._seen[-4 * len(self._canary.token) :] + text
        if self._canary.leaked(self._seen):
            self.leaked = True
            return ""
        pending = self._held + text
        cut = max(len(pending) - self._keep, 0)
        shown, self._held = pending[:cut], pending[cut:]
        return shown

    def flush(self) -> str:
        shown, self._held = self._held, ""
        return shown
