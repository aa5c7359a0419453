"""The in-process GGUF provider, on a fake llama.cpp — and on the real one where it is installed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from switchboard.agents.llm.providers.local_gguf import LocalGGUFProvider, LocalModelUnavailable, gguf_file
from switchboard.agents.llm.types import ChatRequest, Chunk, ProviderError, TextDelta, ToolCallChunk, ToolSpec, Usage
from tests.agents.llm.providers.fake_llama import FakeLlama
from tests.agents.llm.providers.real_llama import require_real_llama

QUESTION = ChatRequest([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "How long?"}], "local")


async def collect(provider: LocalGGUFProvider, request: ChatRequest = QUESTION) -> list[Chunk]:
    return [chunk async for chunk in provider.stream(request)]


async def test_streams_each_token_then_counted_usage() -> None:
    fake = FakeLlama(["Five", " business", " days."])
    chunks = await collect(LocalGGUFProvider(lambda: fake))
    assert [c.text for c in chunks if isinstance(c, TextDelta)] == ["Five", " business", " days."]
    assert chunks[-1] == Usage(input_tokens=4, output_tokens=3)  # the fake counts a token per word
    assert fake.calls[0]["stream"] is True
    assert fake.calls[0]["messages"][0] == {"role": "system", "content": "Be brief."}


async def test_tools_are_offered_and_a_tool_call_comes_back_whole() -> None:
    call = {"index": 0, "id": "call_1", "function": {"name": "get_order", "arguments": '{"order_id": "10057"}'}}
    fake = FakeLlama([], tool_call=call)
    tool = ToolSpec("get_order", "Look up an order", {"type": "object", "properties": {"order_id": {"type": "string"}}})
    chunks = await collect(LocalGGUFProvider(lambda: fake), ChatRequest(QUESTION.messages, "local", tools=[tool]))
    assert [c.call for c in chunks if isinstance(c, ToolCallChunk)] == [
        {"id": "call_1", "name": "get_order", "arguments": {"order_id": "10057"}}
    ]
    assert fake.calls[0]["tools"][0]["function"]["name"] == "get_order"


async def test_a_json_schema_becomes_a_grammar_constraint() -> None:
    fake = FakeLlama(["{}"])
    request = ChatRequest(QUESTION.messages, "local", json_schema={"type": "object"})
    await collect(LocalGGUFProvider(lambda: fake), request)
    assert fake.calls[0]["response_format"] == {"type": "json_object", "schema": {"type": "object"}}


async def test_a_prompt_too_long_is_a_bad_request() -> None:
    fake = FakeLlama(["Hi", "there"], fail=ValueError("Requested tokens (5000) exceed context window of 4096"))
    with pytest.raises(ProviderError) as caught:
        await collect(LocalGGUFProvider(lambda: fake))
    assert caught.value.kind == "bad_request" and not caught.value.retryable
    assert caught.value.provider == "local"


async def test_the_model_loads_once_on_first_use() -> None:
    loads: list[FakeLlama] = []

    def load() -> FakeLlama:
        loads.append(FakeLlama(["ok"]))
        return loads[-1]

    provider = LocalGGUFProvider(load)
    assert loads == []
    await collect(provider)
    await collect(provider)
    assert len(loads) == 1


async def test_a_listener_that_leaves_stops_the_generation() -> None:
    fake = FakeLlama([f"w{i} " for i in range(10)])
    fake.gate.clear()  # the worker pauses after each token until the gate opens
    stream = LocalGGUFProvider(lambda: fake).stream(QUESTION)
    assert await anext(stream) == TextDelta("w0 ")
    closing = asyncio.create_task(stream.aclose())  # type: ignore[attr-defined]
    await asyncio.sleep(0)  # one turn of the loop: aclose sets the stop flag and waits for the worker
    fake.gate.set()
    await closing
    assert fake.yielded == 2  # the token in flight when the listener left, and no more


async def test_concurrent_calls_take_turns_on_the_one_context() -> None:
    fake = FakeLlama(["a", "b", "c"])
    provider = LocalGGUFProvider(lambda: fake)
    first, second = await asyncio.gather(collect(provider), collect(provider))
    assert [c for c in first if isinstance(c, TextDelta)] == [c for c in second if isinstance(c, TextDelta)]
    assert len(fake.calls) == 2


def test_a_missing_gguf_file_is_one_clear_message_at_start_up(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -e '.[local]'")
    with pytest.raises(LocalModelUnavailable, match="no GGUF file at"):
        gguf_file(str(tmp_path / "missing.gguf"))


async def test_the_real_smollm2_file_streams_and_keeps_to_a_schema() -> None:
    require_real_llama()
    from switchboard.agents.llm.providers.local_gguf import load_llama

    provider = LocalGGUFProvider(lambda: load_llama(gguf_file("smollm2"), n_ctx=2048, n_threads=2))
    request = ChatRequest(QUESTION.messages, "local", max_tokens=12)
    chunks = await collect(provider, request)
    usage = chunks[-1]
    assert isinstance(usage, Usage) and usage.input_tokens > 0 and 0 < usage.output_tokens <= 12
    schema = {"type": "object", "properties": {"route": {"enum": ["orders", "knowledge"]}}, "required": ["route"]}
    routed = await collect(provider, ChatRequest(QUESTION.messages, "local", json_schema=schema, max_tokens=20))
    decision = json.loads("".join(c.text for c in routed if isinstance(c, TextDelta)))
    assert decision["route"] in {"orders", "knowledge"}
