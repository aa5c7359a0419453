"""The OpenAI-compatible provider against a wire-faithful server over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from switchboard.agents.llm.providers.openai_compat import OpenAICompatProvider
from switchboard.agents.llm.types import ChatRequest, Chunk, ProviderError, TextDelta, ToolCallChunk, ToolSpec, Usage
from tests.agents.llm.providers import openai_wire


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with openai_wire.serving() as url:
        yield url


@pytest.fixture
async def provider(base_url: str) -> AsyncIterator[OpenAICompatProvider]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield OpenAICompatProvider(client, base_url, api_key="sk-test", name="wire")


async def collect(provider: OpenAICompatProvider, model: str, **kwargs: object) -> list[Chunk]:
    request = ChatRequest([{"role": "user", "content": "hi"}], model, **kwargs)  # type: ignore[arg-type]
    return [chunk async for chunk in provider.stream(request)]


async def test_streams_text_then_usage(provider: OpenAICompatProvider) -> None:
    chunks = await collect(provider, "ok")
    assert [c.text for c in chunks if isinstance(c, TextDelta)] == ["Hel", "lo!"]
    assert chunks[-1] == Usage(12, 3)
    sent = openai_wire.RECEIVED[-1]
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert "temperature" not in sent  # the server's default unless one is set


async def test_a_set_temperature_goes_with_every_request(base_url: str) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        greedy = OpenAICompatProvider(client, base_url, name="wire", temperature=0)
        await collect(greedy, "ok")
    assert openai_wire.RECEIVED[-1]["temperature"] == 0


async def test_assembles_tool_call_fragments_and_sends_tools_and_schema(provider: OpenAICompatProvider) -> None:
    tool = ToolSpec("get_order", "Look up an order", {"type": "object", "properties": {"order_id": {"type": "string"}}})
    chunks = await collect(provider, "tools", tools=[tool], json_schema={"type": "object"})
    calls = [c.call for c in chunks if isinstance(c, ToolCallChunk)]
    assert calls == [{"id": "call_a", "name": "get_order", "arguments": {"order_id": "10057"}}]
    sent = openai_wire.RECEIVED[-1]
    assert sent["tools"][0]["function"]["name"] == "get_order"
    assert sent["response_format"]["json_schema"]["schema"] == {"type": "object"}


@pytest.mark.parametrize(
    ("model", "kind", "retryable", "retry_after"),
    [
        ("429", "rate_limited", True, 2.0),
        ("503", "overloaded", True, None),
        ("529", "overloaded", True, None),
        ("400", "bad_request", False, None),
    ],
)
async def test_http_errors_become_typed_advice(
    provider: OpenAICompatProvider, model: str, kind: str, retryable: bool, retry_after: float | None
) -> None:
    with pytest.raises(ProviderError) as raised:
        await collect(provider, model)
    error = raised.value
    assert (error.kind, error.retryable, error.retry_after, error.stream_started) == (
        kind,
        retryable,
        retry_after,
        False,
    )
    assert error.status == int(model) and error.provider == "wire"


async def test_a_malformed_chunk_and_a_cut_stream_say_the_stream_had_started(provider: OpenAICompatProvider) -> None:
    with pytest.raises(ProviderError) as malformed:
        await collect(provider, "malformed")
    assert malformed.value.kind == "malformed_output" and malformed.value.stream_started
    with pytest.raises(ProviderError) as cut:
        await collect(provider, "cut")
    assert cut.value.kind == "server_error" and cut.value.stream_started


async def test_a_refused_connection_is_a_retryable_error(base_url: str) -> None:
    async with httpx.AsyncClient(timeout=2) as client:
        dead = OpenAICompatProvider(client, "http://127.0.0.1:9/v1", name="dead")
        with pytest.raises(ProviderError) as raised:
            await collect(dead, "ok")
    assert raised.value.kind == "server_error" and raised.value.retryable and not raised.value.stream_started
