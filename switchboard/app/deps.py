"""FastAPI dependencies: the services built at start-up, and lookups that 404 cleanly."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from switchboard.app.errors import not_found
from switchboard.app.models import Conversation, Customer
from switchboard.app.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def existing_conversation(conversation_id: str, services: ServicesDep) -> Conversation:
    conversation = await services.conversations.get(conversation_id)
    if conversation is None:
        raise not_found("conversation", conversation_id)
    return conversation


async def require_customer(services: Services, customer_id: str) -> Customer:
    customer = await services.shop.customer(customer_id)
    if customer is None:
        raise not_found("customer", customer_id)
    return customer


ConversationDep = Annotated[Conversation, Depends(existing_conversation)]
