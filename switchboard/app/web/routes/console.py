"""The Human console (chapter 7): the approval queue with its context, and the decisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError

from switchboard.app.services import Services
from switchboard.app.shop.models import Approval
from switchboard.app.turns.approvals import ConsoleDecision
from switchboard.app.web.auth import ADMIN_ONLY
from switchboard.app.web.deps import ConversationDep, ServicesDep
from switchboard.app.web.errors import ApiError, error_responses
from switchboard.app.web.responses import ApprovalView, HumanReplySent, QueuedApproval, RecentMessage, TakeoverState
from switchboard.app.web.schemas import OperatorText
from switchboard.app.web.templates import templates

router = APIRouter(dependencies=ADMIN_ONLY, tags=["console"])
OPERATOR = "operator"  # one shared admin token: decisions are signed by the role, not a person


async def _queue(services: Services) -> list[QueuedApproval]:
    return [await _with_context(services, a) for a in await services.approvals.live()]  # runs keep theirs


async def _with_context(services: Services, approval: Approval) -> QueuedApproval:
    messages = await services.conversations.messages(approval.conversation_id)
    recent = [RecentMessage(role=m.role, content=m.content) for m in messages[-6:]]
    return QueuedApproval(**approval.model_dump(mode="json"), recent=recent)


@router.get("/api/approvals", responses=error_responses(401))
async def list_approvals(services: ServicesDep) -> list[QueuedApproval]:
    return await _queue(services)


# 500: the action itself failed (DecisionFailed); nothing was done and the approval waits again
@router.post("/api/approvals/{approval_id}", responses=error_responses(400, 401, 404, 409, 422, 500))
async def decide(approval_id: str, body: ConsoleDecision, services: ServicesDep) -> ApprovalView:
    """Carry out a person's decision; a refusal is an ApprovalError (its status: web/errors.py)."""
    decided = await services.approvals.decide(approval_id, body, OPERATOR)
    return ApprovalView(**decided.model_dump(mode="json"))


class Takeover(BaseModel):
    on: bool


class HumanReply(BaseModel):
    text: OperatorText


IN_A_CONVERSATION = error_responses(400, 401, 404, 422)


@router.post("/api/conversations/{conversation_id}/takeover", responses=IN_A_CONVERSATION)
async def take_over(body: Takeover, conversation: ConversationDep, services: ServicesDep) -> TakeoverState:
    """Take a conversation from the assistant (`on`), or hand it back."""
    if body.on:
        await services.conversations.take_over(conversation.id, OPERATOR)
    else:
        await services.conversations.hand_back(conversation.id)
    return TakeoverState(conversation_id=conversation.id, taken_over=body.on)


@router.post("/api/conversations/{conversation_id}/human-reply", responses=IN_A_CONVERSATION)
async def human_reply(body: HumanReply, conversation: ConversationDep, services: ServicesDep) -> HumanReplySent:
    message = await services.conversations.add_message(conversation.id, "assistant", f"From our team: {body.text}")
    return HumanReplySent(id=message.id, content=message.content)


async def _conversations(services: Services) -> list[dict[str, Any]]:
    found = []
    for conversation in await services.conversations.recent():
        messages = await services.conversations.messages(conversation.id)
        held = await services.conversations.taken_over(conversation.id)
        found.append(
            {
                "id": conversation.id,
                "customer_id": conversation.customer_id,
                "held": held is not None,
                "recent": [{"role": m.role, "content": m.content} for m in messages[-4:]],
            }
        )
    return found


async def _console(request: Request, services: Services, template: str) -> HTMLResponse:
    context = {"active": "console", "queue": await _queue(services), "conversations": await _conversations(services)}
    return templates.TemplateResponse(request, template, context)


@router.get("/console", response_class=HTMLResponse, include_in_schema=False)
async def console_page(request: Request, services: ServicesDep) -> HTMLResponse:
    return await _console(request, services, "console.html")


@router.post("/ui/conversations/{conversation_id}/takeover", response_class=HTMLResponse, include_in_schema=False)
async def take_over_from_page(
    request: Request, conversation: ConversationDep, services: ServicesDep, on: Annotated[str, Form()]
) -> HTMLResponse:
    await take_over(Takeover(on=on == "1"), conversation, services)
    return await _console(request, services, "partials/console_conversations.html")


@router.post("/ui/conversations/{conversation_id}/human-reply", response_class=HTMLResponse, include_in_schema=False)
async def human_reply_from_page(
    request: Request, conversation: ConversationDep, services: ServicesDep, text: Annotated[str, Form()]
) -> HTMLResponse:
    try:
        reply = HumanReply(text=text)
    except ValidationError as exc:  # the form's reply is checked by the same rules as the API's
        raise ApiError(422, "invalid_input", f"text: {exc.errors()[0]['msg']}") from exc
    await human_reply(reply, conversation, services)
    return await _console(request, services, "partials/console_conversations.html")


@router.post("/ui/approvals/{approval_id}", response_class=HTMLResponse, include_in_schema=False)
async def decide_from_page(
    request: Request,
    approval_id: str,
    services: ServicesDep,
    body: Annotated[ConsoleDecision, Form()],
) -> HTMLResponse:
    await decide(approval_id, body, services)
    return templates.TemplateResponse(request, "partials/approvals.html", {"queue": await _queue(services)})
