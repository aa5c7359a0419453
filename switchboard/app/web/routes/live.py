"""One event stream per conversation: what the Human console posts into it reaches the
customer's open chat while it is open, without a reload (ui/static/live.js listens).

Events: `held` first (whether a person answers the conversation now), then one `message` per
message posted outside the customer's own turn (a decision, a person's reply) and one `held`
per take-over or hand-back; `resync` when the stream fell behind and was cut, so the page
reloads the conversation. Comment lines every PING_S keep proxies from closing an idle stream;
a server shutting down ends the stream (sse-starlette watches uvicorn's exit signal).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from sse_starlette import EventSourceResponse

from switchboard.app.services import Services
from switchboard.app.turns.feed import FeedEvent, held_changed
from switchboard.app.web.deps import OwnConversationDep, ServicesDep
from switchboard.app.web.errors import error_responses

router = APIRouter(tags=["chat"])
PING_S = 15.0

STREAMED: dict[int | str, dict[str, Any]] = {
    200: {"description": "A stream of `held`, `message` and `resync` events.", "content": {"text/event-stream": {}}},
    **error_responses(401, 404, 422),
}


@router.get("/api/conversations/{conversation_id}/events", response_class=EventSourceResponse, responses=STREAMED)
async def conversation_events(conversation: OwnConversationDep, services: ServicesDep) -> EventSourceResponse:
    """What others post into the signed-in customer's conversation, as it happens."""
    return EventSourceResponse(_events(services, conversation.id), ping=PING_S)


async def _events(services: Services, conversation_id: str) -> AsyncIterator[dict[str, str]]:
    """Subscribed before the state is read, so nothing between the two is missed; unsubscribed
    however the stream ends (the client gone, the server stopping, the subscriber lagging)."""
    subscription = services.feed.subscribe(conversation_id)
    try:
        await services.feed.joined(subscription)  # with Redis: once its SUBSCRIBE is in place
        held = await services.conversations.taken_over(conversation_id) is not None
        yield _sse(held_changed(held))
        async for event in subscription:
            yield _sse(event)
        if subscription.lagged:
            yield {"event": "resync", "data": "{}"}
    finally:
        services.feed.unsubscribe(subscription)


def _sse(event: FeedEvent) -> dict[str, str]:
    return {"event": event.kind, "data": event.model_dump_json(exclude_none=True, exclude={"kind"})}
