"""A wire-faithful OpenAI chat-completions server for tests, served by uvicorn on loopback.

The request's `model` picks a scenario, so one server covers every case: a streamed answer,
tool-call argument fragments, a 429 with Retry-After, 503/529, a malformed chunk, a
stream cut off without `[DONE]`, `relay`: replies that depend on what was sent, and `slow`: a
long answer written at a model's pace, whose every stream notes whether it was written to its
end or its client hung up first (`SLOW`). It records every request body it received.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.agents.llm.providers.loopback import serve

RECEIVED: list[dict[str, Any]] = []


def _sse(event: dict[str, Any] | str) -> str:
    return f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n"


def _delta(**delta: Any) -> dict[str, Any]:
    return {"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]}


USAGE = {"id": "c1", "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 3}}

SCENARIOS: dict[str, list[dict[str, Any] | str]] = {
    "ok": [_delta(role="assistant", content=""), _delta(content="Hel"), _delta(content="lo!"), USAGE, "[DONE]"],
    "tools": [
        _delta(
            tool_calls=[
                {"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_order", "arguments": ""}}
            ]
        ),
        _delta(tool_calls=[{"index": 0, "function": {"arguments": '{"order_'}}]),
        _delta(tool_calls=[{"index": 0, "function": {"arguments": 'id": "10057"}'}}]),
        USAGE,
        "[DONE]",
    ],
    "malformed": [_delta(content="Hi"), "{not json", "[DONE]"],
    "cut": [_delta(content="Half an ans"), _delta(content="wer")],
    # `slow` as the router: the help centre, surely (its answer calls stream SlowStreams.answer)
    "slow": [_delta(content=json.dumps({"route": "knowledge", "confidence": 0.95})), USAGE, "[DONE]"],
}


def _relay(body: dict[str, Any]) -> list[dict[str, Any] | str]:
    """A model that reads what it is sent: as the router it picks orders, unless told the turn
    came back; as the orders specialist it hands every turn back; elsewhere it answers."""
    if "response_format" in body:
        route = "knowledge" if "handed this message back" in json.dumps(body["messages"]) else "orders"
        return [_delta(content=json.dumps({"route": route, "confidence": 0.9})), USAGE, "[DONE]"]
    if "request_refund" in [t["function"]["name"] for t in body.get("tools", [])]:
        back = {"name": "hand_back", "arguments": json.dumps({"reason": "a how-to question"})}
        call = {"index": 0, "id": "call_h", "type": "function", "function": back}
        return [_delta(tool_calls=[call]), USAGE, "[DONE]"]
    return [_delta(content="Here is how it works."), USAGE, "[DONE]"]


SLOW_WORDS, SLOW_EVERY_S = 400, 0.01  # 4 s of answer: far longer than any test reads it


class SlowStreams:
    """What the `slow` model's answer streams saw: each one's words sent, and hang-ups."""

    def __init__(self) -> None:
        self.sent: list[int] = []  # per answer stream ended, the words it had sent
        self.hung_up = threading.Event()  # an answer stream's client closed before its end

    async def answer(self) -> AsyncIterator[str]:
        sent = 0
        try:
            for _ in range(SLOW_WORDS):
                yield _sse(_delta(content="word "))
                sent += 1
                await asyncio.sleep(SLOW_EVERY_S)  # the model's pace, not a wait for the test
            yield _sse(USAGE)
            yield _sse("[DONE]")
        finally:
            self.sent.append(sent)
            if sent < SLOW_WORDS:
                self.hung_up.set()


SLOW = SlowStreams()


ERRORS = {"429": (429, {"retry-after": "2"}), "503": (503, {}), "529": (529, {}), "400": (400, {})}


async def completions(request: Request) -> Response:
    body = await request.json()
    RECEIVED.append(body)
    model = body["model"]
    if model in ERRORS:
        status, headers = ERRORS[model]
        return JSONResponse({"error": {"message": f"scripted {status}"}}, status_code=status, headers=headers)

    if model == "slow" and "response_format" not in body:  # the router's call is answered at once
        return StreamingResponse(SLOW.answer(), media_type="text/event-stream")

    async def events() -> AsyncIterator[str]:
        for event in _relay(body) if model == "relay" else SCENARIOS[model]:
            yield _sse(event)

    return StreamingResponse(events(), media_type="text/event-stream")


@contextmanager
def serving() -> Iterator[str]:
    """Runs the server on a free loopback port; yields its base URL."""
    with serve(Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])) as url:
        yield url + "/v1"
