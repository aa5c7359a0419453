"""Signing customers in and out, and the operator in.

The demo signs in by picking a demo customer (`demo_sign_in`, on by default): there are no
passwords to type, which keeps the demo two commands away — and is exactly why a real shop turns
it off and signs its customers in with its own login, issuing the same signed token
(`Signer.customer_token`, with the shared `session_secret`; `switchboard token C1001` prints one).

The operator signs in at `/admin`: a page to paste the admin token into, or the link
`switchboard serve` prints (`/admin?token=…`). Either sets a cookie holding a signed proof of
the token (auth.py) and goes on to the page asked for (`next`, a path on this site) or the console.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from switchboard.app.services import Services
from switchboard.app.shop.models import Customer
from switchboard.app.web.auth import COOKIE, SESSION_COOKIE, CustomerDep, same_secret, signer_of
from switchboard.app.web.deps import ServicesDep, require_customer
from switchboard.app.web.errors import ApiError, error_responses
from switchboard.app.web.responses import Identity
from switchboard.app.web.schemas import SessionView, SignIn
from switchboard.app.web.templates import templates

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


OPERATOR_HOME = "/console"
WRONG_TOKEN = "That is not the operator token. `switchboard serve` prints a sign-in link with it at start-up."


def local_path(next_page: str) -> str:
    """Where to go after signing in: a path on this site, never another site (`//evil.example`)."""
    if next_page.startswith("/") and not next_page.startswith(("//", "/\\")):
        return next_page
    return OPERATOR_HOME


def _sign_in_page(request: Request, next_page: str, problem: str = "") -> HTMLResponse:
    context = {"next": local_path(next_page), "problem": problem}
    return templates.TemplateResponse(request, "operator_sign_in.html", context, status_code=401 if problem else 200)


def _operator_session(request: Request, token: str, next_page: str) -> Response:
    """The cookie and on to the page, for the right token; the page again, naming the problem, for any other."""
    expected: str = request.app.state.admin_token.value
    if not same_secret(token.strip(), expected):
        return _sign_in_page(request, next_page, WRONG_TOKEN)
    response = RedirectResponse(local_path(next_page), status_code=303)
    proof = signer_of(request).operator_token(expected)
    response.set_cookie(COOKIE, proof, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


@router.get("/admin", include_in_schema=False, response_model=None)
async def operator_sign_in(
    request: Request, token: str = "", next_page: Annotated[str, Query(alias="next")] = OPERATOR_HOME
) -> Response:
    """The sign-in page; with `token` (the link `serve` prints), the sign-in itself."""
    return _operator_session(request, token, next_page) if token else _sign_in_page(request, next_page)


@router.post("/admin", include_in_schema=False, response_model=None)
async def operator_sign_in_from_page(
    request: Request,
    token: Annotated[str, Form(max_length=512)] = "",
    next_page: Annotated[str, Form(alias="next", max_length=512)] = OPERATOR_HOME,
) -> Response:
    return _operator_session(request, token, next_page)
