"""Signing customers in and out.

The demo signs in by picking a demo customer (`demo_sign_in`, on by default): there are no
passwords to type, which keeps the demo two commands away — and is exactly why a real shop turns
it off and signs its customers in with its own login, issuing the same signed token
(`Signer.customer_token`, with the shared `session_secret`; `switchboard token C1001` prints one).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from switchboard.app.services import Services
from switchboard.app.shop.models import Customer
from switchboard.app.web.auth import SESSION_COOKIE, CustomerDep, signer_of
from switchboard.app.web.deps import ServicesDep, require_customer
from switchboard.app.web.errors import ApiError, error_responses
from switchboard.app.web.responses import Identity
from switchboard.app.web.schemas import SessionView, SignIn

router = APIRouter(tags=["session"])


async def _demo_customer(services: Services, customer_id: str) -> Customer:
    if not services.settings.demo_sign_in:
        raise ApiError(403, "demo_sign_in_off", "picking a customer is off here: sign in through the shop's own login")
    return await require_customer(services, customer_id)


def _start_session(request: Request, response: Response, customer: Customer) -> SessionView:
    signer = signer_of(request)
    token = signer.customer_token(customer.id)
    secure = request.url.scheme == "https"
    max_age = int(signer.max_age_s)
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax", secure=secure)
    return SessionView(customer_id=customer.id, name=customer.name, token=token, expires_in_s=max_age)


@router.post("/api/session", responses=error_responses(400, 403, 404, 422))
async def sign_in(body: SignIn, request: Request, response: Response, services: ServicesDep) -> SessionView:
    """Sign in as a demo customer: a session cookie, and the same token to send as a bearer."""
    return _start_session(request, response, await _demo_customer(services, body.customer_id))


@router.get("/api/session", responses=error_responses(401))
async def who_am_i(customer: CustomerDep) -> Identity:
    return Identity(customer_id=customer.id, name=customer.name)


@router.delete("/api/session", status_code=204)
async def sign_out(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)


@router.post("/ui/session", include_in_schema=False)
async def sign_in_from_page(
    request: Request, services: ServicesDep, customer_id: Annotated[str, Form(max_length=64)]
) -> RedirectResponse:
    customer = await _demo_customer(services, customer_id.strip())
    response = RedirectResponse("/", status_code=303)
    _start_session(request, response, customer)
    return response


@router.post("/ui/session/end", include_in_schema=False)
async def sign_out_from_page() -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
