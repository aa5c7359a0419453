"""OpenAI-compatible chat completions over httpx: OpenAI, Ollama, vLLM, llama.cpp server, LM Studio.

Streams `chat/completions` with `stream: true`, turns text deltas into `TextDelta`s, assembles
tool-call argument fragments into whole `ToolCallChunk`s, and reads the final usage chunk
(`stream_options.include_usage`). Failures become `ProviderError`s that say what happened —
a 429 with its Retry-After, a 503, a timeout, a stream cut off part-way — and leave the
deciding to the gateway's policies.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from switchboard.agents.llm.providers.http_errors import status_error
from switchboard.agents.llm.types import (
    ChatRequest,
    Chunk,
    ErrorKind,
    Message,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    Usage,
)


class OpenAICompatProvider:
    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str = "", name: str = "openai") -> None:
        self.name = name
        self._client = client
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        reader = _StreamReader(self.name)
        try:
            async with self._client.stream(
                "POST", self._url, json=wire_body(request), headers=self._headers
            ) as response:
                if response.status_code >= 400:
                    raise await status_error(self.name, response)
                async for line in response.aiter_lines():
                    for chunk in reader.read_line(line):
                        yield chunk
        except httpx.TimeoutException as exc:
            raise ProviderError("timeout", str(exc) or "timed out", self.name, stream_started=reader.started) from exc
        except httpx.TransportError as exc:
            raise ProviderError("server_error", f"connection: {exc}", self.name, stream_started=reader.started) from exc
        for chunk in reader.finish():
            yield chunk


class _StreamReader:
    """Turns `data:` lines into chunks; remembers tool-call fragments and usage until the end."""

    def __init__(self, provider: str) -> None:
        self._provider = provider
        self.started = False
        self._done = False
        self._tools: dict[int, dict[str, str]] = {}
        self._usage = Usage(0, 0)

    def read_line(self, line: str) -> list[Chunk]:
        if not line.startswith("data:"):
            return []
        data = line[5:].strip()
        if data == "[DONE]":
            self._done = True
            return []
        try:
            event = json.loads(data)
        except ValueError as exc:
            raise self._error("malformed_output", f"unreadable stream chunk: {data[:80]!r}") from exc
        return self._read_event(event)

    def _read_event(self, event: dict[str, Any]) -> list[Chunk]:
        if event.get("usage"):
            usage = event["usage"]
            self._usage = Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)))
        chunks: list[Chunk] = []
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("content"):
                self.started = True
                chunks.append(TextDelta(delta["content"]))
            for part in delta.get("tool_calls") or []:
                self._add_tool_part(part)
        return chunks

    def _add_tool_part(self, part: dict[str, Any]) -> None:
        slot = self._tools.setdefault(int(part.get("index", 0)), {"id": "", "name": "", "arguments": ""})
        function = part.get("function") or {}
        slot["id"] = part.get("id") or slot["id"]
        slot["name"] = function.get("name") or slot["name"]
        slot["arguments"] += function.get("arguments") or ""

    def finish(self) -> list[Chunk]:
        if not self._done:
            raise self._error("server_error", "the stream ended before [DONE]")
        calls: list[Chunk] = [ToolCallChunk(self._tool_call(i, slot)) for i, slot in sorted(self._tools.items())]
        return [*calls, self._usage]

    def _tool_call(self, index: int, slot: dict[str, str]) -> ToolCall:
        try:
            arguments = json.loads(slot["arguments"] or "{}")
        except ValueError as exc:
            raise self._error("malformed_output", f"tool call {slot['name']!r} has unreadable arguments") from exc
        return {"id": slot["id"] or f"call_{index}", "name": slot["name"], "arguments": arguments}

    def _error(self, kind: ErrorKind, message: str) -> ProviderError:
        return ProviderError(kind, message, self._provider, stream_started=self.started)


def wire_body(request: ChatRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": request.model,
        "messages": [_wire_message(m) for m in request.messages],
        "max_tokens": request.max_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if request.tools:
        body["tools"] = [
            {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
            for t in request.tools
        ]
    if request.json_schema is not None:
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "reply", "schema": request.json_schema},
        }
    return body


def _wire_message(message: Message) -> dict[str, Any]:
    wired: dict[str, Any] = {"role": message["role"], "content": message.get("content", "")}
    if message.get("tool_calls"):
        wired["tool_calls"] = [
            {
                "id": c["id"],
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
            }
            for c in message["tool_calls"]
        ]
    if message.get("tool_call_id"):
        wired["tool_call_id"] = message["tool_call_id"]
    return wired
