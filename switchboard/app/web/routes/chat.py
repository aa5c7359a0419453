"""Conversations and messages: the chat API the browser and scripts use, for the signed-in
customer only (auth.py): the customer is whoever the session names, never a field of the body."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from fastapi import APIRouter, Depends, Request
from sse_starlette import EventSourceResponse
from sse_starlette.sse import SendTimeoutError
from starlette.types import Receive, Scope, Send

from switchboard.app.services import Services
from switchboard.app.shop.models import Conversation, Customer
from switchboard.app.turns.outgoing import TurnEvent
from switchboard.app.web.arrival import arrived
from switchboard.app.web.auth import CustomerDep
from switchboard.app.web.deps import OwnConversationDep, ServicesDep
from switchboard.app.web.errors import Overloaded, RateLimited, error_responses
from switchboard.app.web.responses import ConversationCreated, MessageView, TurnResult
from switchboard.app.web.schemas import NewConversation, NewMessage

router = APIRouter(prefix="/api/conversations", tags=["chat"])
log = logging.getLogger(__name__)


STREAMED_OR_JSON: dict[int | str, dict[str, Any]] = {
    200: {
        "model": TurnResult,
        "description": "An event stream; the collected turn when the client accepts only JSON.",
        "content": {"text/event-stream": {}},
    },
    **error_responses(400, 401, 404, 422, 429, 503),
}


@router.post("", status_code=201, responses=error_responses(400, 401, 422))
async def create_conversation(
    customer: CustomerDep, services: ServicesDep, body: NewConversation | None = None
) -> ConversationCreated:
    """A new conversation for the signed-in customer; the body is `{}` (or none)."""
    conversation = await services.conversations.create(customer.id)
    return ConversationCreated(id=conversation.id, customer_id=conversation.customer_id)


@router.get("", responses=error_responses(401))
async def list_conversations(customer: CustomerDep, services: ServicesDep) -> list[Conversation]:
    return await services.conversations.for_customer(customer.id)


@router.get("/{conversation_id}/messages", responses=error_responses(401, 404, 422))
async def list_messages(conversation: OwnConversationDep, services: ServicesDep) -> list[MessageView]:
    """Not the stored row: its `owner` (the process lease streaming it) is the database's business."""
    messages = await services.conversations.messages(conversation.id)
    return [MessageView.model_validate(m.model_dump(exclude={"owner"})) for m in messages]


def _within_capacity(services: ServicesDep) -> None:
    """load_shedding: the route's first dependency — before the session, the conversation's
    lookup and the customer's limits — so that a message the process has no room for costs it
    next to nothing, and does not use up the customer's limits."""
    if "load_shedding" in services.guards and services.flags.snapshot().get("load_shedding"):
        door = services.admission.door()
        if door.shed is not None:
            services.telemetry.shed(door.shed)
            raise Overloaded(door.retry_after_s)


@router.post(
    "/{conversation_id}/messages",
    response_model=None,
    responses=STREAMED_OR_JSON,
    dependencies=[Depends(_within_capacity)],
)
async def send_message(
    body: NewMessage, conversation: OwnConversationDep, customer: CustomerDep, services: ServicesDep, request: Request
) -> EventSourceResponse | dict[str, Any]:
    """Streams `step`, `token`, `trace`, `error` and `done` events; JSON instead when asked for it.

    The turn is begun — the message stored — before the response starts: a client that got
    the 200 has a stored message, whatever happens to the server next. With `rate_limit` on, a
    customer over their limits gets a 429 first, with nothing stored and no model called; with
    `load_shedding` on, a message the process has no room for gets a 503 at once, the same way."""
    since = arrived(request.state)
    await _within_limits(customer, services)
    turn = await services.turns.begin(conversation.id, conversation.customer_id, body.text, arrived=since)
    events = services.turns.stream(turn)
    if _wants_json(request.headers.get("accept", "")):
        return await _collect(events)
    # backpressure: a send the client does not take within the stall time ends the response, and
    # the turn with it, as if the client had closed it (the model is stopped, the record written).
    stalled = services.settings.stream_stall_s if turn.flags.get("backpressure") else None
    return _TurnStream(_as_sse(events), ping=15, send_timeout=stalled)


class _TurnStream(EventSourceResponse):
    """A turn's event stream. A send that timed out (backpressure: the client read nothing for the
    stall time) has already closed the turn, whose record says so: it is not an app error."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except* SendTimeoutError:  # the answer's and the ping's send may time out together
            log.info("a client read nothing for %s s: its answer's stream was closed", self.send_timeout)


async def _within_limits(customer: Customer, services: Services) -> None:
    """rate_limit: keyed by the signed-in customer and their tenant, never by the request."""
    if "rate_limit" in services.guards and services.flags.snapshot().get("rate_limit"):
        refused = await services.rate_limits.admit(customer.tenant_id, customer.id)
        if refused is not None:
            services.telemetry.rate_limited(refused.limit)
            raise RateLimited(refused)


def _wants_json(accept: str) -> bool:
    return "application/json" in accept and "text/event-stream" not in accept


async def _as_sse(events: AsyncIterator[TurnEvent]) -> AsyncIterator[dict[str, str]]:
    # Closed with the response: a send that timed out closes this generator, and the turn's
    # stream must be closed now, not when the garbage collector finds it.
    async with aclosing(events):  # type: ignore[type-var]  # the runner's stream is an async generator
        async for event in events:
            yield {"event": event.kind, "data": json.dumps(event.data)}


async def _collect(events: AsyncIterator[TurnEvent]) -> dict[str, Any]:
    answer: list[str] = []
    result: dict[str, Any] = {"steps": [], "errors": []}
    async for event in events:
        if event.kind == "token":
            answer.append(event.data["text"])
        elif event.kind == "done":
            result["record"] = event.data
        elif event.kind != "trace":  # the record's timeline has every trace item
            result[f"{event.kind}s"].append(event.data)
    return {"answer": "".join(answer), **result}
