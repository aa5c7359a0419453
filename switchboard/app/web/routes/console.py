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
from switchboard.app.web.console_views import (
    ApprovalCard,
    HeldConversation,
    approval_card,
    decision_summary,
    raising_exchange,
)
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
    exchange = raising_exchange(messages, approval.created_at)
    return QueuedApproval(**approval.model_dump(mode="json"), exchange=exchange)


async def _cards(services: Services) -> list[ApprovalCard]:
    now = services.now()
    return [approval_card(approval, now) for approval in await _queue(services)]


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


async def _conversations(services: Services) -> list[HeldConversation]:
    found = []
    for conversation in await services.conversations.recent():
        messages = await services.conversations.messages(conversation.id)
        held = await services.conversations.taken_over(conversation.id)
        recent = [RecentMessage(role=m.role, content=m.content) for m in messages[-4:]]
        found.append(
            HeldConversation(
                id=conversation.id, customer_id=conversation.customer_id, held=held is not None, recent=recent
            )
        )
    return found


def _render(request: Request, services: Services, template: str, notice: str = "", **parts: Any) -> HTMLResponse:
    """The page, or one of its parts; `notice` confirms what the person just did (console_notice.html)."""
    context = {"active": "console", "notice": notice, "notice_at": f"{services.now():%H:%M:%S} UTC", **parts}
    return templates.TemplateResponse(request, template, context)


async def _approvals(request: Request, services: Services, notice: str = "") -> HTMLResponse:
    return _render(request, services, "partials/approvals.html", notice, cards=await _cards(services))


async def _held(request: Request, services: Services, notice: str = "") -> HTMLResponse:
    conversations = await _conversations(services)
    return _render(request, services, "partials/console_conversations.html", notice, conversations=conversations)


@router.get("/console", response_class=HTMLResponse, include_in_schema=False)
async def console_page(request: Request, services: ServicesDep) -> HTMLResponse:
    cards, conversations = await _cards(services), await _conversations(services)
    return _render(request, services, "console.html", cards=cards, conversations=conversations)


@router.get("/ui/approvals", response_class=HTMLResponse, include_in_schema=False)
async def approvals_partial(request: Request, services: ServicesDep) -> HTMLResponse:
    """The queue as it is now: the page polls it, so new requests appear by themselves."""
    return await _approvals(request, services)


@router.get("/ui/console/conversations", response_class=HTMLResponse, include_in_schema=False)
async def conversations_partial(request: Request, services: ServicesDep) -> HTMLResponse:
    return await _held(request, services)


@router.post("/ui/conversations/{conversation_id}/takeover", response_class=HTMLResponse, include_in_schema=False)
async def take_over_from_page(
    request: Request, conversation: ConversationDep, services: ServicesDep, on: Annotated[str, Form()]
) -> HTMLResponse:
    held = await take_over(Takeover(on=on == "1"), conversation, services)
    notice = (
        "You answer this conversation now; the assistant waits" if held.taken_over else "The assistant answers again"
    )
    return await _held(request, services, f"{conversation.id}: {notice}")


@router.post("/ui/conversations/{conversation_id}/human-reply", response_class=HTMLResponse, include_in_schema=False)
async def human_reply_from_page(
    request: Request, conversation: ConversationDep, services: ServicesDep, text: Annotated[str, Form()]
) -> HTMLResponse:
    try:
        reply = HumanReply(text=text)
    except ValidationError as exc:  # the form's reply is checked by the same rules as the API's
        raise ApiError(422, "invalid_input", f"text: {exc.errors()[0]['msg']}") from exc
    await human_reply(reply, conversation, services)
    notice = f"{conversation.id}: your reply is in the customer's conversation"
    return await _held(request, services, notice)


@router.post("/ui/approvals/{approval_id}", response_class=HTMLResponse, include_in_schema=False)
async def decide_from_page(
    request: Request,
    approval_id: str,
    services: ServicesDep,
    body: Annotated[ConsoleDecision, Form()],
) -> HTMLResponse:
    decided = await decide(approval_id, body, services)
    return await _approvals(request, services, decision_summary(decided, body.amount))
