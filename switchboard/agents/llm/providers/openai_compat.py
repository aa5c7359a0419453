"""OpenAI-compatible chat completions over httpx: OpenAI, Ollama, vLLM, llama.cpp server, LM Studio.

Streams `chat/completions` with `stream: true`, turns text deltas into `TextDelta`s, assembles
tool-call argument fragments into whole `ToolCallChunk`s, and reads the final usage chunk
(`stream_options.include_usage`). Failures become `ProviderError`s that say what happened —
a 429 with its Retry-After, a 503, a timeout, a stream cut off part-way — and leave the
deciding to the gateway's policies.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal

import httpx

from switchboard.agents.llm.providers.http_errors import stream_lines
from switchboard.agents.llm.tokens import count_tokens
from switchboard.agents.llm.types import (
    ChatRequest,
    Chunk,
    ErrorKind,
    Message,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolCallChunk,
    ToolSpec,
    Usage,
)

JsonMode = Literal["json_schema", "json_object"]


class OpenAICompatProvider:
    """`json_mode` says how the server takes a JSON schema: OpenAI, vLLM and Ollama take
    `json_schema`; llama-cpp-python's server takes `json_object` with a `schema` beside it.
    `temperature`, when given, is sent with every request (0: greedy decoding, the same answer
    to the same prompt); None leaves the server's default."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        api_key: str = "",
        name: str = "openai",
        json_mode: JsonMode = "json_schema",
        temperature: float | None = None,
    ) -> None:
        self.name = name
        self._temperature = temperature
        self._client = client
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._json_mode = json_mode

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        prompt = " ".join(m.get("content", "") for m in request.messages)
        reader = ChunkReader(self.name, prompt_tokens=count_tokens(prompt))
        body = wire_body(request, self._json_mode, self._temperature)
        async for chunk in stream_lines(self._client, self._url, body, self._headers, self.name, reader):
            yield chunk


class ChunkReader:
    """Turns chat-completion chunks into `Chunk`s; remembers tool-call fragments and usage until the end.

    Reads `data:` lines off the wire, or chunk dicts handed over directly (llama-cpp-python
    yields the same shape in process). A stream that reports no usage (llama-cpp-python's
    does not) is counted instead: one token per chunk that carried some, and `prompt_tokens`.
    """

    def __init__(self, provider: str, prompt_tokens: int = 0) -> None:
        self._provider = provider
        self.started = False
        self._done = False
        self._tools: dict[int, dict[str, str]] = {}
        self._usage: Usage | None = None
        self._counted = Usage(prompt_tokens, 0)

    def read_line(self, line: str) -> list[Chunk]:
        if not line.startswith("data:"):
            return []
        data = line[5:].strip()
        if data == "[DONE]":
            self.end()
            return []
        try:
            event = json.loads(data)
        except ValueError as exc:
            raise self._error("malformed_output", f"unreadable stream chunk: {data[:80]!r}") from exc
        return self.read_event(event)

    def read_event(self, event: dict[str, Any]) -> list[Chunk]:
        if event.get("usage"):
            usage = event["usage"]
            self._usage = Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)))
        chunks: list[Chunk] = []
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("content") or delta.get("tool_calls"):
                self._counted = Usage(self._counted.input_tokens, self._counted.output_tokens + 1)
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

    def end(self) -> None:
        """The stream is complete (an in-process stream has no `[DONE]` line to say so)."""
        self._done = True

    def finish(self) -> list[Chunk]:
        if not self._done:
            raise self._error("server_error", "the stream ended before [DONE]")
        calls: list[Chunk] = [ToolCallChunk(self._tool_call(i, slot)) for i, slot in sorted(self._tools.items())]
        return [*calls, self._usage or self._counted]

    def _tool_call(self, index: int, slot: dict[str, str]) -> ToolCall:
        try:
            arguments = json.loads(slot["arguments"] or "{}")
        except ValueError as exc:
            raise self._error("malformed_output", f"tool call {slot['name']!r} has unreadable arguments") from exc
        return {"id": slot["id"] or f"call_{index}", "name": slot["name"], "arguments": arguments}

    def _error(self, kind: ErrorKind, message: str) -> ProviderError:
        return ProviderError(kind, message, self._provider, stream_started=self.started)


def wire_body(
    request: ChatRequest, json_mode: JsonMode = "json_schema", temperature: float | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": request.model,
        "messages": [wire_message(m) for m in request.messages],
        "max_tokens": request.max_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if request.tools:
        body["tools"] = wire_tools(request.tools)
    if request.json_schema is not None:
        body["response_format"] = response_format(request.json_schema, json_mode)
    if temperature is not None:
        body["temperature"] = temperature
    return body


def wire_tools(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    return [
        {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
        for t in tools
    ]


def response_format(schema: dict[str, Any], json_mode: JsonMode) -> dict[str, Any]:
    if json_mode == "json_object":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}}


def wire_message(message: Message) -> dict[str, Any]:
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
