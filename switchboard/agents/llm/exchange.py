"""One model call attempt as it went over the wire: the exact request and what came back.

The gateway attaches an `Exchange` to every attempt's `CallRecord`, so that the app can keep
it (the call log, app/turns/call_log.py) and replay it later against the same or another model
(seed 004: log the exact prompt, model, parameters and token counts of every call, because
when something breaks you need to replay it).

At the JSON edge a request is `request_json`: everything a provider reads of a `ChatRequest`
except its deadline, a monotonic instant that means nothing once the turn is over. Read back
with `request_from_json`, it gives the same JSON again, byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, cast

from switchboard.agents.llm.types import ChatRequest, Message, ToolCall, ToolSpec, Usage

Finish = Literal["stop", "tool_calls", "error"]


@dataclass(frozen=True)
class Exchange:
    """An attempt's request and answer: text, tool calls (never executed here) and usage."""

    request: ChatRequest
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage | None = None  # None: the provider never reported it (cut off, or failed)
    error: str | None = None  # the ProviderError's kind, when the attempt failed

    @property
    def finish(self) -> Finish:
        if self.error is not None:
            return "error"
        return "tool_calls" if self.tool_calls else "stop"


def request_json(request: ChatRequest) -> dict[str, Any]:
    """The request as stored: messages, tools, JSON schema and parameters (not the deadline)."""
    return {
        "model": request.model,
        "messages": [dict(m) for m in request.messages],
        "tools": [asdict(t) for t in request.tools],
        "json_schema": request.json_schema,
        "max_tokens": request.max_tokens,
    }


def request_from_json(data: dict[str, Any]) -> ChatRequest:
    """A stored request, ready to send again (no deadline: the replay sets its own)."""
    return ChatRequest(
        messages=[cast(Message, dict(m)) for m in data["messages"]],
        model=str(data["model"]),
        tools=tuple(ToolSpec(**t) for t in data.get("tools", [])),
        json_schema=data.get("json_schema"),
        max_tokens=int(data.get("max_tokens", 600)),
    )


def answer_json(exchange: Exchange) -> dict[str, Any]:
    """What came back, as stored."""
    usage = exchange.usage
    return {
        "text": exchange.text,
        "tool_calls": [dict(c) for c in exchange.tool_calls],
        "finish_reason": exchange.finish,
        "error": exchange.error,
        "usage": None if usage is None else {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens},
    }


def canonical(request: ChatRequest) -> bytes:
    """The request's stored JSON as bytes, keys sorted: two requests are the same call if these are equal."""
    return json.dumps(request_json(request), sort_keys=True, ensure_ascii=False).encode()
