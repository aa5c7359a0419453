"""Who is asking: a signed-in customer, or the operator.

- **Customers** sign in (`POST /api/session`; the demo's one-click picker does the same) and get
  a signed token (signing.py): an HttpOnly cookie for the browser, `Authorization: Bearer …` for
  API clients. The customer id comes from that token and nothing else — never from a request
  body, a query string or a model's arguments — and every conversation, message and record
  endpoint is scoped to it: someone else's conversation is a 404, no session a 401.
- **The operator** (console, switches, chaos, runs) sends the admin token as the `X-Admin-Token`
  header, or signs in once at `/admin` (a page to paste it into, or the link `/admin?token=…`;
  routes/session.py), which sets a cookie holding a signed proof of the token, not the token.
  The token comes from the `admin_token` setting; left empty, a fresh one is made at every
  start and `switchboard serve` prints a sign-in link with it.

Cross-site requests that ride on these cookies are refused by origin.py.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from switchboard.app.services import Services
from switchboard.app.shop.audit import Actor, SignIn
from switchboard.app.shop.models import Customer
from switchboard.app.web.errors import ApiError
from switchboard.app.web.signing import Signer

HEADER = "X-Admin-Token"
COOKIE = "switchboard_admin"
SESSION_COOKIE = "switchboard_session"

# Declared as security schemes so that OpenAPI documents how each route authenticates.
_bearer = HTTPBearer(auto_error=False, description="A customer's token, from POST /api/session.")
_session_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="A signed-in customer.")
_admin_header = APIKeyHeader(name=HEADER, auto_error=False, description="The operator's admin token.")
_admin_cookie = APIKeyCookie(name=COOKIE, auto_error=False, description="Set by /admin?token=….")


@dataclass(frozen=True)
class AdminToken:
    value: str
    generated: bool  # made at this start: `serve` prints it, since nobody else knows it


def admin_token(configured: str) -> AdminToken:
    return AdminToken(configured, False) if configured else AdminToken(secrets.token_urlsafe(18), True)


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of any text a client sent (bytes, so non-ASCII is just unequal)."""
    return secrets.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))


def signer_of(request: Request) -> Signer:
    signer: Signer = request.app.state.signer
    return signer


def is_admin(request: Request) -> bool:
    expected: str = request.app.state.admin_token.value
    given = request.headers.get(HEADER)
    if given is not None:
        return same_secret(given, expected)
    cookie = request.cookies.get(COOKIE)
    return bool(cookie) and signer_of(request).is_operator(cookie or "", expected)


def require_admin(
    request: Request,
    _header: Annotated[str | None, Depends(_admin_header)],
    _cookie: Annotated[str | None, Depends(_admin_cookie)],
) -> None:
    if not is_admin(request):
        raise ApiError(401, "admin_only", f"this is the operator's side: send {HEADER}, or sign in at /admin")


def customer_id_of(request: Request) -> str | None:
    """The customer a genuine session names: the bearer token first, then the cookie."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return signer_of(request).customer_of(token.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    return signer_of(request).customer_of(cookie) if cookie else None


async def current_customer(
    request: Request,
    _bearer_token: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _cookie: Annotated[str | None, Depends(_session_cookie)],
) -> Customer:
    customer_id = customer_id_of(request)
    services: Services = request.app.state.services
    customer = await services.shop.customer(customer_id) if customer_id else None
    if customer is None:  # no session, a forged or expired one, or a customer since removed
        raise ApiError(401, "not_signed_in", "sign in first: POST /api/session, then send its cookie or bearer token")
    return customer


def actor_of(request: Request) -> Actor:
    """The operator as the audit log names them: how they signed in (the header, or /admin's
    cookie; never the token) and where from. Routes that take it are operator-only already."""
    sign_in: SignIn = "admin_token" if request.headers.get(HEADER) is not None else "admin_cookie"
    address = request.client.host if request.client is not None else ""
    return Actor.of(sign_in, address, request.headers.get("user-agent", ""))


AdminDep = Annotated[None, Depends(require_admin)]
ActorDep = Annotated[Actor, Depends(actor_of)]
ADMIN_ONLY = [Depends(require_admin)]
CustomerDep = Annotated[Customer, Depends(current_customer)]
