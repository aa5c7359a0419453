"""The Anthropic provider against a wire-faithful Messages server over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from switchboard.agents.llm.providers.anthropic import AnthropicProvider
from switchboard.agents.llm.types import (
    ChatRequest,
    Chunk,
    Message,
    ProviderError,
    TextDelta,
    ToolCallChunk,
    ToolSpec,
    Usage,
)
from tests.agents.llm.providers import anthropic_wire


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with anthropic_wire.serving() as url:
        yield url


@pytest.fixture
async def provider(base_url: str) -> AsyncIterator[AnthropicProvider]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield AnthropicProvider(client, "sk-ant-test", base_url, name="wire")


async def collect(
    provider: AnthropicProvider, model: str, messages: list[Message] | None = None, **kw: object
) -> list[Chunk]:
    request = ChatRequest(messages or [{"role": "user", "content": "hi"}], model, **kw)  # type: ignore[arg-type]
    return [chunk async for chunk in provider.stream(request)]


async def test_streams_text_and_usage_and_sends_the_system_prompt_apart(provider: AnthropicProvider) -> None:
    conversation: list[Message] = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "where is order 10057?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"id": "t1", "name": "get_order", "arguments": {"order_id": "10057"}}],
        },
        {"role": "tool", "tool_call_id": "t1", "name": "get_order", "content": '{"status": "shipped"}'},
    ]
    chunks = await collect(provider, "ok", conversation, json_schema={"type": "object"})
    assert [c.text for c in chunks if isinstance(c, TextDelta)] == ["Hel", "lo!"]
    assert chunks[-1] == Usage(21, 4)
    sent = anthropic_wire.RECEIVED[-1]
    assert sent["headers"]["x-api-key"] == "sk-ant-test" and sent["headers"]["anthropic-version"] == "2023-06-01"
    body = sent["body"]
    assert body["system"].startswith("Be brief.") and '"type": "object"' in body["system"]
    assert [t["role"] for t in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][1]["content"][0]["type"] == "tool_use"
    assert body["messages"][2]["content"][0] == {
        "type": "tool_result",
        "tool_use_id": "t1",
        "content": '{"status": "shipped"}',
    }


async def test_assembles_tool_use_input(provider: AnthropicProvider) -> None:
    tool = ToolSpec("get_order", "Look up an order", {"type": "object"})
    chunks = await collect(provider, "tools", tools=[tool])
    assert [c.call for c in chunks if isinstance(c, ToolCallChunk)] == [
        {"id": "toolu_1", "name": "get_order", "arguments": {"order_id": "10057"}}
    ]
    assert anthropic_wire.RECEIVED[-1]["body"]["tools"][0]["input_schema"] == {"type": "object"}


@pytest.mark.parametrize(("model", "kind", "retry_after"), [("429", "rate_limited", 3.0), ("529", "overloaded", None)])
async def test_http_errors_become_typed_advice(
    provider: AnthropicProvider, model: str, kind: str, retry_after: float | None
) -> None:
    with pytest.raises(ProviderError) as raised:
        await collect(provider, model)
    assert (raised.value.kind, raised.value.retry_after, raised.value.retryable) == (kind, retry_after, True)


async def test_an_error_event_mid_stream_says_the_stream_had_started(provider: AnthropicProvider) -> None:
    seen: list[str] = []
    with pytest.raises(ProviderError) as raised:
        async for chunk in provider.stream(ChatRequest([{"role": "user", "content": "hi"}], "overloaded-mid-stream")):
            if isinstance(chunk, TextDelta):
                seen.append(chunk.text)
    assert seen == ["Half"] and raised.value.kind == "overloaded" and raised.value.stream_started
