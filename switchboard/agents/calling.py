"""One model call from inside a node: stream the answer text out, report the call.

With `backpressure` on, each streamed token first waits for room in the turn's window to the
client (patterns/backpressure.py): a client that stops reading pauses the model's stream here.

With `canary` on, an answer is watched for the turn's canary as it streams: text that may be the
canary's start is held back until it is clearly not (or, after 10 ms, its first character alone
goes out: stream_watch.EarlyRelease), so a canary split across chunks never
reaches the customer, and an answer that carries it — the system prompt leaking — is cut off and
withheld.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import aclosing
from dataclasses import replace
from typing import Any

from switchboard.agents.context import TurnContext
from switchboard.agents.events import GuardPassed, GuardTripped, ModelCalled, Token
from switchboard.agents.llm.gateway import CallListener, CallRecord
from switchboard.agents.llm.resilience import Resilience
from switchboard.agents.llm.types import (
    ChatRequest,
    Completion,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    Usage,
)
from switchboard.agents.spending import charge, within_budget
from switchboard.patterns.citations import CitationFilter
from switchboard.patterns.injection.canary import Canary, squashed
from switchboard.patterns.stream_watch import EarlyRelease, StreamWatch, WatchedStrings
from switchboard.patterns.ticks import Tick, ticked

Writer = Callable[[Any], None]
WITHHELD = "I'm sorry, I can't share that. Is there something about your order or our gear I can help with?"


async def ask_model(
    ctx: TurnContext,
    write: Writer,
    request: ChatRequest,
    *,
    purpose: str,
    shows_text: bool,
    citations: CitationFilter | None = None,
) -> Completion:
    """Call the model through the gateway, within the turn's budgets (spending.py).

    When `shows_text` is set, the reply is the customer's answer: with the `streaming` flag on
    each delta goes out as it arrives; with it off, the whole text goes out once it is done.
    With `citations` (`citation_validation` on) the answer's text goes through that filter on
    its way out, and the completion's text is the filtered one: what the customer saw.
    """
    ctx.check_deadline(f"the {purpose} model call")
    budgeted = await within_budget(ctx, write, replace(request, deadline=ctx.deadline))
    attempts: list[CallRecord] = []

    def called(record: CallRecord) -> None:
        attempts.append(record)
        write(ModelCalled(record))
        ctx.on_call(record)  # heard even when the customer left and the graph's stream is not read

    try:
        return await _answer(ctx, write, budgeted.request, purpose, shows_text, called, citations)
    finally:
        charge(ctx, attempts, budgeted.hold)  # however the call ended: answered, failed, or the customer left


async def _answer(
    ctx: TurnContext,
    write: Writer,
    request: ChatRequest,
    purpose: str,
    shows_text: bool,
    called: CallListener,
    citations: CitationFilter | None = None,
) -> Completion:
    streaming = shows_text and ctx.on("streaming")
    text: list[str] = []
    calls: list[ToolCall] = []
    usage = Usage(0, 0)
    costs: list[float] = []
    resilience = resilience_under(ctx.flags)

    def priced(record: CallRecord) -> None:
        costs.append(record.cost_usd)
        called(record)

    watch = canary_watch(ctx.canary) if shows_text and ctx.canary is not None and ctx.on("canary") else None
    check = citations if shows_text else None
    said: list[str] = []  # the text as the customer sees it, citations checked
    stream = ctx.gateway.stream(request, purpose=purpose, on_call=priced, resilience=resilience, trace=ctx.trace)
    # With the watch holding text, its bound in time is kept between chunks too (a tick); closed
    # first, so that a read it has in flight is done before the stream itself is closed.
    async with aclosing(stream), aclosing(ticked(stream, watch.due) if watch else stream) as chunks:
        async for chunk in chunks:
            if isinstance(chunk, TextDelta | Tick):
                if isinstance(chunk, TextDelta):
                    text.append(chunk.text)
                shown = _through(watch, chunk)
                if watch is not None and watch.hit:
                    break
                shown = check.feed(shown) if check else shown
                said.append(shown)
                if streaming and shown:
                    if ctx.window is not None:  # `backpressure`: wait while the client is behind
                        await ctx.window.put()
                    write(Token(shown))
            elif isinstance(chunk, ToolCallChunk):
                calls.append(chunk.call)
            else:
                usage = chunk
    if watch is not None and watch.hit:
        write(GuardTripped("canary", "block", "the answer carried the system prompt's canary: withheld"))
        write(Token(WITHHELD))
        return Completion(WITHHELD, [], usage, sum(costs))
    if watch is not None:
        write(GuardPassed("canary", "the answer carried no trace of the system prompt's canary"))
    tail = watch.flush() if watch else ""
    tail = check.feed(tail) + check.flush() if check else tail
    said.append(tail)
    if streaming and tail:
        write(Token(tail))
    answer = "".join(said) if check else "".join(text)
    if shows_text and not streaming and answer:
        write(Token(answer))
    return Completion(answer, calls, usage, sum(costs))


def _through(watch: StreamWatch | None, chunk: TextDelta | Tick) -> str:
    """What of the model's text may show now: a delta through the watch, or what its bound in time lets out."""
    if isinstance(chunk, Tick):
        return watch.tick() if watch else ""
    return watch.feed(chunk.text) if watch else chunk.text


def resilience_under(flags: Mapping[str, bool]) -> Resilience:
    """Chapter 9's switches for a model call (and chapter 12's model quotas), from a flag
    snapshot: a turn's, or the one a background grade of that turn inherits."""
    return Resilience(
        retry=flags.get("retry_budget", False),
        breaker=flags.get("circuit_breaker", False),
        failover=flags.get("failover", False),
        quota=flags.get("model_quota", False),
    )


def canary_watch(canary: Canary, clock: Callable[[], float] = time.monotonic) -> StreamWatch:
    """Watches for the canary's hex part (its leak counts with or without the prefix) and the marker
    line leading into it (`Canary.watched`), read as `Canary.leaked` reads text; one leak may spread
    over four canary lengths of raw text, since a leaked canary may come spread out with separators.

    A hold is bounded in time (`EarlyRelease`: after 10 ms, one character of the match): the most
    a leak can show is the hex's first character, 4 of its 48 random bits, of a canary made for
    this turn alone — the other 44 are still caught, and the answer withheld, as they complete."""
    return StreamWatch(WatchedStrings.of(canary.watched), squashed, 4 * len(canary.token), EarlyRelease(), clock)
