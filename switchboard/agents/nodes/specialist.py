"""The loop every specialist runs: ask the model, run the tools it calls, repeat, answer.

MAX_ROUNDS is a plain safety stop, not the loop-guard pattern of chapter 5 (which also
watches tokens, time, money, repeated calls and cycles, and is switchable).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from langgraph.runtime import Runtime

from switchboard.agents.calling import Writer, ask_model
from switchboard.agents.context import TurnContext
from switchboard.agents.events import Retrieved, TicketOpened, ToolUsed
from switchboard.agents.llm.types import ChatRequest, Message, ToolCall
from switchboard.agents.state import ConversationState
from switchboard.agents.tools import Tool, ToolOutcome

MAX_ROUNDS = 6
HISTORY_MESSAGES = 12  # earlier turns a specialist sees; context budgeting is chapter 10's job


def history(state: ConversationState) -> list[Message]:
    return list(state.get("messages", [])[-HISTORY_MESSAGES:])


async def run_specialist(
    name: str,
    state: ConversationState,
    runtime: Runtime[TurnContext],
    tools: Sequence[Tool],
    context: Sequence[Message] = (),
) -> dict[str, Any]:
    ctx = runtime.context
    by_name = {t.spec.name: t for t in tools}
    system: Message = {"role": "system", "content": ctx.prompts.get(name).text}
    messages: list[Message] = [system, *context, *history(state)]
    handoff: str | None = None
    answer = ""
    for _ in range(MAX_ROUNDS):
        request = ChatRequest(messages, ctx.model, tools=[t.spec for t in tools])
        reply = await ask_model(ctx, runtime.stream_writer, request, purpose=name, shows_text=True)
        answer += reply.text
        if not reply.tool_calls:
            break
        messages.append({"role": "assistant", "content": reply.text, "tool_calls": reply.tool_calls})
        for call in reply.tool_calls:
            outcome = await _run_tool(ctx, runtime.stream_writer, by_name, call)
            messages.append(_tool_message(call, outcome))
            handoff = handoff or outcome.handoff_reason
    return _finish(answer, handoff)


def _finish(answer: str, handoff: str | None) -> dict[str, Any]:
    update: dict[str, Any] = {
        "handoff": "escalate" if handoff else None,
        "handoff_reason": handoff or "",
    }
    if answer:
        update["messages"] = [{"role": "assistant", "content": answer}]
    return update


async def _run_tool(ctx: TurnContext, write: Writer, tools: dict[str, Tool], call: ToolCall) -> ToolOutcome:
    started = time.perf_counter()
    tool = tools.get(call["name"])
    if tool is None:
        outcome = ToolOutcome(
            json.dumps({"kind": "error", "error": "unknown_tool", "message": "No such tool."}),
            ok=False,
            error="unknown_tool",
        )
    else:
        outcome = await tool.run(ctx, call["arguments"])
    elapsed = (time.perf_counter() - started) * 1000
    write(ToolUsed(call["name"], call["arguments"], outcome.ok, elapsed, outcome.error, outcome.content))
    if outcome.sources:
        write(Retrieved(str(call["arguments"].get("query", "")), outcome.sources, outcome.passages))
    if outcome.ticket_id:
        write(TicketOpened(outcome.ticket_id, str(call["arguments"].get("summary", ""))))
    return outcome


def _tool_message(call: ToolCall, outcome: ToolOutcome) -> Message:
    return {
        "role": "tool",
        "tool_call_id": call["id"],
        "name": call["name"],
        "content": outcome.content,
    }
