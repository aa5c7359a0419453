"""FastAPI dependencies: the services built at start-up, and lookups that 404 cleanly."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from switchboard.agents.record import TurnRecord
from switchboard.app.services import Services
from switchboard.app.shop.models import Conversation, Customer
from switchboard.app.shop.tenants import Tenant
from switchboard.app.turns.records import turn_record
from switchboard.app.web.auth import CustomerDep, customer_id_of, is_admin
from switchboard.app.web.errors import ApiError, not_found


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def existing_conversation(conversation_id: str, services: ServicesDep) -> Conversation:
    """Any customer's conversation: for the operator's routes."""
    conversation = await services.conversations.get(conversation_id)
    if conversation is None:
        raise not_found("conversation", conversation_id)
    return conversation


async def own_conversation(conversation_id: str, customer: CustomerDep, services: ServicesDep) -> Conversation:
    """The signed-in customer's conversation. Someone else's is "not found", exactly like one
    that does not exist, so that ids cannot be probed."""
    conversation = await services.conversations.get(conversation_id)
    if conversation is None or conversation.customer_id != customer.id:
        raise not_found("conversation", conversation_id)
    return conversation


async def visible_record(record_id: str, request: Request, services: ServicesDep) -> TurnRecord:
    """A turn's record, for the operator or for the customer whose turn it was; for anyone else
    it does not exist."""
    row = await services.records.get(record_id)
    record = None if row is None else turn_record(row)
    viewer = customer_id_of(request)
    if record is None or not (is_admin(request) or (viewer is not None and record.customer_id == viewer)):
        raise not_found("record", record_id)
    return record


async def require_customer(services: Services, customer_id: str) -> Customer:
    customer = await services.shop.customer(customer_id)
    if customer is None:
        raise not_found("customer", customer_id)
    return customer


async def tenant_filter(
    services: ServicesDep,
    tenant: Annotated[str, Query(description="Only this tenant's items; without it, every tenant's.")] = "",
) -> Tenant | None:
    """The storefront an operator's list is narrowed to, or None for all. One there is none of
    is a 404 naming it and the tenants there are, not an empty list that looks like a quiet day."""
    if not tenant:
        return None
    found = services.tenants.get(tenant)
    if found is None:
        known = ", ".join(services.tenants.ids())
        raise ApiError(404, "tenant_not_found", f"no tenant with id {tenant[:40]!r} (tenants: {known})")
    return found


ConversationDep = Annotated[Conversation, Depends(existing_conversation)]
OwnConversationDep = Annotated[Conversation, Depends(own_conversation)]
RecordDep = Annotated[TurnRecord, Depends(visible_record)]
TenantFilterDep = Annotated[Tenant | None, Depends(tenant_filter)]
