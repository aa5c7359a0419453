"""Running one tool call the model asked for, under chapter 3's switches.

- An unknown tool name is refused, always.
- `tool_validation`: the arguments are checked against the tool's pydantic model first; a bad
  call gets a structured error back that the model can repair from.
- `pii_redaction` (chapter 11): placeholders in the arguments are restored for the tool, and
  personal data in its result is replaced by placeholders before the model reads it.
- `tool_retries`: a transient failure (or a tool that hangs past its timeout) is retried; a
  write carries an idempotency key, so a retried refund is refunded once.
Without them a tool runs on whatever the model sent, and one blip fails the call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from switchboard.agents.calling import Writer
from switchboard.agents.context import TurnContext
from switchboard.agents.events import GuardPassed, GuardTripped, Retrieved, TicketOpened, ToolUsed
from switchboard.agents.llm.types import ToolCall
from switchboard.agents.tools import Tool, ToolOutcome
from switchboard.patterns.idempotent_retry import ToolRetry, TransientToolError
from switchboard.patterns.tool_arguments import InvalidArguments, validate

RETRY = ToolRetry(attempts=3, timeout_s=5.0)


@dataclass(frozen=True)
class Refused:
    """A call that never ran, and what the model is told instead."""

    error: str
    content: str


async def run_tool_call(ctx: TurnContext, write: Writer, tools: Mapping[str, Tool], call: ToolCall) -> ToolOutcome:
    """One tool call, as an `execute_tool` span (GenAI conventions) under the current one."""
    attributes = {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": call["name"],
        "switchboard.tool.arguments": json.dumps(ctx.trace.quoted(call["arguments"]), sort_keys=True, default=str),
    }
    with ctx.trace.tracer.start_as_current_span(f"execute_tool {call['name']}", attributes=attributes) as span:
        outcome = await _run_tool_call(ctx, write, tools, call)
        span.set_attributes({"switchboard.tool.ok": outcome.ok, "switchboard.tool.error": outcome.error or ""})
        return outcome


async def _run_tool_call(ctx: TurnContext, write: Writer, tools: Mapping[str, Tool], call: ToolCall) -> ToolOutcome:
    ctx.check_deadline(f"tool {call['name']}")
    started = time.perf_counter()
    refused = check_call(ctx, tools, call)
    if isinstance(refused, InvalidArguments):
        write(GuardTripped("tool_validation", "repair", "; ".join(refused.problems)))
        outcome = ToolOutcome(refused.for_model(), ok=False, error="invalid_arguments")
    elif isinstance(refused, Refused):
        outcome = ToolOutcome(refused.content, ok=False, error=refused.error)
    else:
        if ctx.on("tool_validation"):
            write(GuardPassed("tool_validation", f"{call['name']}: arguments match its schema"))
        outcome = await _execute(ctx, tools[call["name"]], _restored(ctx, call["arguments"]))
    if ctx.vault is not None:  # personal data in results reaches the model as placeholders
        outcome = replace(outcome, content=ctx.vault.redact(outcome.content))
    _report(write, call, outcome, (time.perf_counter() - started) * 1000)
    return outcome


def check_call(ctx: TurnContext, tools: Mapping[str, Tool], call: ToolCall) -> Refused | InvalidArguments | None:
    tool = tools.get(call["name"])
    if tool is None:
        offered = ", ".join(tools) or "none"
        return Refused("unknown_tool", _error("unknown_tool", f"No tool {call['name']!r}; offered: {offered}."))
    if ctx.on("tool_validation"):
        checked = validate(tool.spec.name, tool.arguments, call["arguments"])
        if isinstance(checked, InvalidArguments):
            return checked
    return None


async def _execute(ctx: TurnContext, tool: Tool, arguments: dict[str, Any]) -> ToolOutcome:
    try:
        if ctx.on("tool_retries"):
            outcome, attempts = await RETRY.run(lambda: tool.run(ctx, arguments))
            return replace(outcome, attempts=attempts)
        return await tool.run(ctx, arguments)
    except (TransientToolError, TimeoutError) as exc:
        message = f"{tool.spec.name} is not answering right now ({exc or 'timed out'}); try again later."
        return ToolOutcome(_error("tool_unavailable", message), ok=False, error="tool_unavailable")


def _restored(ctx: TurnContext, arguments: dict[str, Any]) -> dict[str, Any]:
    """The model works with placeholders; the tool needs the real values (the record is masked)."""
    if ctx.vault is None:
        return arguments
    vault = ctx.vault
    return {k: vault.restore(v) if isinstance(v, str) else v for k, v in arguments.items()}


def _report(write: Writer, call: ToolCall, outcome: ToolOutcome, elapsed_ms: float) -> None:
    arguments = call["arguments"]
    write(ToolUsed(call["name"], arguments, outcome.ok, elapsed_ms, outcome.error, outcome.content, outcome.attempts))
    if outcome.sources:
        write(Retrieved(str(arguments.get("query", "")), outcome.sources, outcome.passages, outcome.scores))
    if outcome.ticket_id:
        write(TicketOpened(outcome.ticket_id, str(arguments.get("summary", ""))))


def _error(code: str, message: str) -> str:
    return json.dumps({"kind": "error", "error": code, "message": message})
