"""The Human console (chapter 7): the approval queue with its context, and the decisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError

from switchboard.app.services import Services
from switchboard.app.shop.audit import Action
from switchboard.app.shop.models import Approval
from switchboard.app.shop.tenants import Tenant
from switchboard.app.turns.approvals import ConsoleDecision
from switchboard.app.web.auditing import DECISIONS
from switchboard.app.web.auth import ADMIN_ONLY, ActorDep, actor_of
from switchboard.app.web.console_views import (
    ApprovalCard,
    HeldConversation,
    approval_card,
    decision_summary,
    raising_exchange,
)
from switchboard.app.web.deps import ConversationDep, ServicesDep, TenantFilterDep
from switchboard.app.web.errors import ApiError, error_responses
from switchboard.app.web.responses import ApprovalView, HumanReplySent, QueuedApproval, RecentMessage, TakeoverState
from switchboard.app.web.schemas import OperatorText
from switchboard.app.web.templates import templates

router = APIRouter(dependencies=ADMIN_ONLY, tags=["console"])
INTERNAL = {"owner"}  # the process lease holding a claim: the database's business, not the console's
OPERATOR = "operator"  # one shared admin token: decisions are signed by the role, not a person
UNLABELLED = {"tenant_id": "", "tenant_name": "no storefront"}  # a customer the shop has no record of


def _id(tenant: Tenant | None) -> str | None:
    return tenant.id if tenant is not None else None


async def _labels(services: Services, customer_ids: list[str]) -> dict[str, dict[str, str]]:
    """Each customer's storefront, as the console labels their items: its id and name."""
    shops = await services.shop.tenants_of(customer_ids)
    return {c: {"tenant_id": t, "tenant_name": _name(services, t)} for c, t in shops.items()}


def _name(services: Services, tenant_id: str) -> str:
    tenant = services.tenants.get(tenant_id)
    return tenant.name if tenant is not None else tenant_id


async def _queue(services: Services, tenant: Tenant | None) -> list[QueuedApproval]:
    approvals = await services.approvals.live(_id(tenant))  # runs keep theirs
    labels = await _labels(services, [a.customer_id for a in approvals])
    return [await _with_context(services, a, labels.get(a.customer_id, UNLABELLED)) for a in approvals]


async def _with_context(services: Services, approval: Approval, label: dict[str, str]) -> QueuedApproval:
    messages = await services.conversations.messages(approval.conversation_id)
    exchange = raising_exchange(messages, approval.created_at)
    return QueuedApproval(**approval.model_dump(mode="json", exclude=INTERNAL), **label, exchange=exchange)


async def _cards(services: Services, tenant: Tenant | None) -> list[ApprovalCard]:
    now = services.now()
    return [approval_card(approval, now) for approval in await _queue(services, tenant)]


@router.get("/api/approvals", responses=error_responses(401, 404))
async def list_approvals(services: ServicesDep, tenant: TenantFilterDep) -> list[QueuedApproval]:
    """What waits for a person, oldest first, each labelled with its customer's storefront;
    `?tenant=` narrows it to one storefront's (an unknown one is a 404)."""
    return await _queue(services, tenant)


# 500: the action itself failed (DecisionFailed); nothing was done and the approval waits again
@router.post("/api/approvals/{approval_id}", responses=error_responses(400, 401, 404, 409, 422, 500))
async def decide(approval_id: str, body: ConsoleDecision, services: ServicesDep, actor: ActorDep) -> ApprovalView:
    """Carry out a person's decision; a refusal is an ApprovalError (its status: web/errors.py).
    Audited in the transaction that closes the approval, so a decision is never without its entry."""
    stamp = services.audit.stamp(actor, DECISIONS[body.decision], target=approval_id, note=body.note)
    decided = await services.approvals.decide(approval_id, body, OPERATOR, stamp)
    return ApprovalView(**decided.model_dump(mode="json", exclude=INTERNAL))


class Takeover(BaseModel):
    on: bool


class HumanReply(BaseModel):
    text: OperatorText


IN_A_CONVERSATION = error_responses(400, 401, 404, 422)


@router.post("/api/conversations/{conversation_id}/takeover", responses=IN_A_CONVERSATION)
async def take_over(
    body: Takeover, conversation: ConversationDep, services: ServicesDep, actor: ActorDep
) -> TakeoverState:
    """Take a conversation from the assistant (`on`), or hand it back."""
    action: Action = "conversation.take_over" if body.on else "conversation.hand_back"
    stamp = services.audit.stamp(actor, action, target=conversation.id)
    if body.on:
        await services.conversations.take_over(conversation.id, OPERATOR, stamp)
    else:
        await services.conversations.hand_back(conversation.id, stamp)
    return TakeoverState(conversation_id=conversation.id, taken_over=body.on)


@router.post("/api/conversations/{conversation_id}/human-reply", responses=IN_A_CONVERSATION)
async def human_reply(
    body: HumanReply, conversation: ConversationDep, services: ServicesDep, actor: ActorDep
) -> HumanReplySent:
    stamp = services.audit.stamp(actor, "conversation.human_reply", target=conversation.id, note=body.text)
    text = f"From our team: {body.text}"
    message = await services.conversations.add_message(conversation.id, "assistant", text, stamp=stamp)
    return HumanReplySent(id=message.id, content=message.content)


async def _conversations(services: Services, tenant: Tenant | None) -> list[HeldConversation]:
    conversations = await services.conversations.recent(tenant=_id(tenant))
    labels = await _labels(services, [c.customer_id for c in conversations])
    found = []
    for conversation in conversations:
        messages = await services.conversations.messages(conversation.id)
        held = await services.conversations.taken_over(conversation.id)
        recent = [RecentMessage(role=m.role, content=m.content) for m in messages[-4:]]
        label = labels.get(conversation.customer_id, UNLABELLED)
        found.append(
            HeldConversation(
                id=conversation.id, customer_id=conversation.customer_id, held=held is not None, recent=recent, **label
            )
        )
    return found


def _render(
    request: Request, services: Services, template: str, tenant: Tenant | None, notice: str = "", **parts: Any
) -> HTMLResponse:
    """The page, or one of its parts; `notice` confirms what the person just did (console_notice.html).
    `tenant`: the storefront the console is narrowed to; every link and poll keeps to it (`scope`)."""
    context = {
        "active": "console",
        "notice": notice,
        "notice_at": f"{services.now():%H:%M:%S} UTC",
        "tenant": tenant,
        "tenants": list(services.tenants),
        "scope": f"?tenant={tenant.id}" if tenant is not None else "",
        **parts,
    }
    return templates.TemplateResponse(request, template, context)


async def _approvals(request: Request, services: Services, tenant: Tenant | None, notice: str = "") -> HTMLResponse:
    cards = await _cards(services, tenant)
    return _render(request, services, "partials/approvals.html", tenant, notice, cards=cards)


async def _held(request: Request, services: Services, tenant: Tenant | None, notice: str = "") -> HTMLResponse:
    held = await _conversations(services, tenant)
    return _render(request, services, "partials/console_conversations.html", tenant, notice, conversations=held)


@router.get("/console", response_class=HTMLResponse, include_in_schema=False)
async def console_page(request: Request, services: ServicesDep, tenant: TenantFilterDep) -> HTMLResponse:
    cards, conversations = await _cards(services, tenant), await _conversations(services, tenant)
    kill = services.kill_switch.view()
    return _render(request, services, "console.html", tenant, cards=cards, conversations=conversations, kill=kill)


@router.get("/ui/approvals", response_class=HTMLResponse, include_in_schema=False)
async def approvals_partial(request: Request, services: ServicesDep, tenant: TenantFilterDep) -> HTMLResponse:
    """The queue as it is now: the page polls it, so new requests appear by themselves."""
    return await _approvals(request, services, tenant)


@router.get("/ui/console/conversations", response_class=HTMLResponse, include_in_schema=False)
async def conversations_partial(request: Request, services: ServicesDep, tenant: TenantFilterDep) -> HTMLResponse:
    return await _held(request, services, tenant)


@router.post("/ui/conversations/{conversation_id}/takeover", response_class=HTMLResponse, include_in_schema=False)
async def take_over_from_page(
    request: Request,
    conversation: ConversationDep,
    services: ServicesDep,
    tenant: TenantFilterDep,
    on: Annotated[str, Form()],
) -> HTMLResponse:
    held = await take_over(Takeover(on=on == "1"), conversation, services, actor_of(request))
    notice = (
        "You answer this conversation now; the assistant waits" if held.taken_over else "The assistant answers again"
    )
    return await _held(request, services, tenant, f"{conversation.id}: {notice}")


@router.post("/ui/conversations/{conversation_id}/human-reply", response_class=HTMLResponse, include_in_schema=False)
async def human_reply_from_page(
    request: Request,
    conversation: ConversationDep,
    services: ServicesDep,
    tenant: TenantFilterDep,
    text: Annotated[str, Form()],
) -> HTMLResponse:
    try:
        reply = HumanReply(text=text)
    except ValidationError as exc:  # the form's reply is checked by the same rules as the API's
        raise ApiError(422, "invalid_input", f"text: {exc.errors()[0]['msg']}") from exc
    await human_reply(reply, conversation, services, actor_of(request))
    notice = f"{conversation.id}: your reply is in the customer's conversation"
    return await _held(request, services, tenant, notice)


@router.post("/ui/approvals/{approval_id}", response_class=HTMLResponse, include_in_schema=False)
async def decide_from_page(
    request: Request,
    approval_id: str,
    services: ServicesDep,
    tenant: TenantFilterDep,
    body: Annotated[ConsoleDecision, Form()],
) -> HTMLResponse:
    decided = await decide(approval_id, body, services, actor_of(request))
    return await _approvals(request, services, tenant, decision_summary(decided, body.amount))
