"""A wire-faithful Anthropic Messages server for tests, on loopback; `model` picks the scenario."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.agents.llm.providers.loopback import serve

RECEIVED: list[dict[str, Any]] = []
START = {"type": "message_start", "message": {"id": "m1", "usage": {"input_tokens": 21, "output_tokens": 1}}}
DELTA_USAGE = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 4}}
STOP = {"type": "message_stop"}


def text(index: int, piece: str) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}}


SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "ok": [
        START,
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        text(0, "Hel"),
        text(0, "lo!"),
        {"type": "content_block_stop", "index": 0},
        DELTA_USAGE,
        STOP,
    ],
    "tools": [
        START,
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_order", "input": {}},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": '{"order_id"'},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": ': "10057"}'},
        },
        {"type": "content_block_stop", "index": 0},
        DELTA_USAGE,
        STOP,
    ],
    "overloaded-mid-stream": [
        START,
        text(0, "Half"),
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    ],
}
ERRORS = {"429": (429, {"retry-after": "3"}, "rate_limit_error"), "529": (529, {}, "overloaded_error")}


async def messages(request: Request) -> Response:
    body = await request.json()
    RECEIVED.append({"body": body, "headers": dict(request.headers)})
    model = body["model"]
    if model in ERRORS:
        status, headers, kind = ERRORS[model]
        return JSONResponse(
            {"type": "error", "error": {"type": kind, "message": kind}}, status_code=status, headers=headers
        )

    async def events() -> AsyncIterator[str]:
        for event in SCENARIOS[model]:
            yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


@contextmanager
def serving() -> Iterator[str]:
    """Runs the server on a free loopback port; yields its base URL."""
    with serve(Starlette(routes=[Route("/v1/messages", messages, methods=["POST"])])) as url:
        yield url
