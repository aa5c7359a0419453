"""Anthropic Messages over httpx, streaming: text, tool use and usage.

System messages become the `system` field, tool calls and results become `tool_use` and
`tool_result` blocks, and a JSON schema is asked for in the system prompt (the Messages API
has no response-format switch). Streamed events are turned into the same chunks every
provider yields; an `error` event mid-stream (say `overloaded_error`) becomes a
`ProviderError` that says the stream had started.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from switchboard.agents.llm.providers.http_errors import stream_lines
from switchboard.agents.llm.types import (
    ChatRequest,
    Chunk,
    ErrorKind,
    Message,
    ProviderError,
    TextDelta,
    ToolCallChunk,
    Usage,
)

API_VERSION = "2023-06-01"
_ERROR_TYPES: Mapping[str, ErrorKind] = {
    "overloaded_error": "overloaded",
    "rate_limit_error": "rate_limited",
    "api_error": "server_error",
    "invalid_request_error": "bad_request",
    "authentication_error": "auth",
    "permission_error": "auth",
}


class AnthropicProvider:
    def __init__(
        self,
        client: httpx.AsyncClient,
        api_key: str,
        base_url: str = "https://api.anthropic.com",
        name: str = "anthropic",
    ) -> None:
        self.name = name
        self._client = client
        self._url = base_url.rstrip("/") + "/v1/messages"
        self._headers = {"x-api-key": api_key, "anthropic-version": API_VERSION}

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        reader = _EventReader(self.name)
        body = wire_body(request)
        async for chunk in stream_lines(self._client, self._url, body, self._headers, self.name, reader):
            yield chunk


class _EventReader:
    def __init__(self, provider: str) -> None:
        self._provider = provider
        self.started = False
        self._stopped = False
        self._blocks: dict[int, dict[str, Any]] = {}
        self._input_tokens = 0
        self._output_tokens = 0

    def read_line(self, line: str) -> list[Chunk]:
        if not line.startswith("data:"):
            return []
        try:
            event = json.loads(line[5:].strip())
        except ValueError as exc:
            raise self._error("malformed_output", f"unreadable event: {line[:80]!r}") from exc
        return self._read(event)

    def _read(self, event: dict[str, Any]) -> list[Chunk]:
        kind = event.get("type")
        if kind == "error":
            error = event.get("error") or {}
            raise self._error(_ERROR_TYPES.get(error.get("type", ""), "server_error"), error.get("message", "error"))
        if kind == "message_start":
            self._input_tokens = int(event["message"].get("usage", {}).get("input_tokens", 0))
        elif kind == "content_block_start":
            self._blocks[int(event["index"])] = {**event["content_block"], "partial": ""}
        elif kind == "content_block_delta":
            return self._delta(int(event["index"]), event["delta"])
        elif kind == "message_delta":
            self._output_tokens = int(event.get("usage", {}).get("output_tokens", 0))
        elif kind == "message_stop":
            self._stopped = True
        return []

    def _delta(self, index: int, delta: dict[str, Any]) -> list[Chunk]:
        if delta.get("type") == "text_delta":
            self.started = True
            return [TextDelta(delta["text"])]
        if delta.get("type") == "input_json_delta":
            self._blocks[index]["partial"] += delta.get("partial_json", "")
        return []

    def finish(self) -> list[Chunk]:
        if not self._stopped:
            raise self._error("server_error", "the stream ended before message_stop")
        calls: list[Chunk] = []
        for block in (b for _, b in sorted(self._blocks.items()) if b.get("type") == "tool_use"):
            try:
                arguments = json.loads(block["partial"] or "{}")
            except ValueError as exc:
                raise self._error("malformed_output", f"tool {block['name']!r} has unreadable input") from exc
            calls.append(ToolCallChunk({"id": block["id"], "name": block["name"], "arguments": arguments}))
        return [*calls, Usage(self._input_tokens, self._output_tokens)]

    def _error(self, kind: ErrorKind, message: str) -> ProviderError:
        return ProviderError(kind, message, self._provider, stream_started=self.started)


def wire_body(request: ChatRequest) -> dict[str, Any]:
    system = "\n\n".join(m.get("content", "") for m in request.messages if m.get("role") == "system")
    if request.json_schema is not None:
        system += f"\n\nReply with only a JSON object matching this schema:\n{json.dumps(request.json_schema)}"
    body: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "stream": True,
        "messages": _turns([m for m in request.messages if m.get("role") != "system"]),
    }
    if system.strip():
        body["system"] = system.strip()
    if request.tools:
        body["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in request.tools
        ]
    return body


def _turns(messages: list[Message]) -> list[dict[str, Any]]:
    """Anthropic wants alternating user/assistant turns; tool results ride in a user turn."""
    turns: list[dict[str, Any]] = []
    for message in messages:
        role = "user" if message.get("role") in ("user", "tool") else "assistant"
        blocks = _blocks(message)
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return turns


def _blocks(message: Message) -> list[dict[str, Any]]:
    if message.get("role") == "tool":
        return [
            {
                "type": "tool_result",
                "tool_use_id": message.get("tool_call_id", ""),
                "content": message.get("content", ""),
            }
        ]
    blocks: list[dict[str, Any]] = [{"type": "text", "text": message["content"]}] if message.get("content") else []
    for call in message.get("tool_calls", []):
        blocks.append({"type": "tool_use", "id": call["id"], "name": call["name"], "input": call["arguments"]})
    return blocks
