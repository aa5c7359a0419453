"""Every attempt's exact request and answer ride on its CallRecord, and a stored request reads back
as the same request, byte for byte."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from switchboard.agents.llm.exchange import canonical, request_from_json, request_json
from switchboard.agents.llm.gateway import CallRecord, Gateway
from switchboard.agents.llm.types import (
    ChatRequest,
    Chunk,
    ProviderError,
    TextDelta,
    ToolCallChunk,
    ToolSpec,
    Usage,
)

LOOKUP = ToolSpec(
    "order_status", "Where an order is.", {"type": "object", "properties": {"order_id": {"type": "string"}}}
)
REQUEST = ChatRequest(
    [
        {"role": "system", "content": "You are Tidewater's assistant. «quotes» and ünïcode"},
        {"role": "user", "content": "where is order 10049?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"id": "t1", "name": "order_status", "arguments": {"order_id": "10049"}}],
        },
        {"role": "tool", "content": "shipped", "tool_call_id": "t1", "name": "order_status"},
    ],
    "demo-large",
    tools=(LOOKUP,),
    json_schema={"type": "object", "properties": {"answer": {"type": "string"}}},
    max_tokens=321,
)


class Scripted:
    name = "scripted"

    def __init__(self, chunks: list[Chunk], fail: bool = False) -> None:
        self.chunks, self.fail, self.seen = chunks, fail, list[ChatRequest]()

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        self.seen.append(request)
        for chunk in self.chunks:
            yield chunk
        if self.fail:
            raise ProviderError("server_error", "boom", self.name, stream_started=True)


async def test_the_record_carries_the_request_sent_and_what_came_back() -> None:
    call = {"id": "c1", "name": "order_status", "arguments": {"order_id": "10049"}}
    provider = Scripted([TextDelta("On "), TextDelta("its way"), ToolCallChunk(call), Usage(40, 7)])
    calls: list[CallRecord] = []
    await Gateway({"demo-large": provider}).complete(REQUEST, purpose="answer", on_call=calls.append)
    (record,) = calls
    exchange = record.exchange
    assert exchange is not None and exchange.request is provider.seen[0]
    assert (exchange.text, exchange.tool_calls, exchange.usage) == ("On its way", [call], Usage(40, 7))
    assert exchange.finish == "tool_calls" and exchange.error is None
    assert "exchange" not in record.summary() and record.summary()["input_tokens"] == 40


async def test_a_failed_attempt_keeps_what_it_wrote_and_its_error() -> None:
    provider = Scripted([TextDelta("half an ans")], fail=True)
    calls: list[CallRecord] = []
    with pytest.raises(ProviderError):
        await Gateway({"demo-large": provider}).complete(REQUEST, purpose="answer", on_call=calls.append)
    exchange = calls[0].exchange
    assert exchange is not None and (exchange.text, exchange.error, exchange.finish) == (
        "half an ans",
        "server_error",
        "error",
    )
    assert exchange.usage is None  # the provider never said: the record's tokens are the gateway's estimate


def test_a_stored_request_reads_back_the_same_byte_for_byte_but_its_deadline() -> None:
    sent = replace(REQUEST, deadline=123.0)  # an instant on the turn's monotonic clock: meaningless later
    stored = request_json(sent)
    assert "deadline" not in stored
    again = request_from_json(stored)
    assert canonical(again) == canonical(sent)
    assert (again.tools, again.json_schema, again.max_tokens, again.deadline) == (
        (LOOKUP,),
        REQUEST.json_schema,
        321,
        None,
    )


def test_requests_that_differ_anywhere_have_different_bytes() -> None:
    assert canonical(replace(REQUEST, max_tokens=320)) != canonical(REQUEST)
    assert canonical(replace(REQUEST, tools=())) != canonical(REQUEST)
