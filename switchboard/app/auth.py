"""The operator's side of the app — console, switches, chaos, runs — behind one admin token.

Customers use the chat and never see the rest. The token comes from the `admin_token`
setting; left empty, a fresh one is made at every start and `switchboard serve` prints a
sign-in link with it. Send it as the `X-Admin-Token` header, or sign in once at
`/admin?token=…`, which sets a cookie for the browser.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from switchboard.app.errors import ApiError

HEADER = "X-Admin-Token"
COOKIE = "switchboard_admin"


def admin_token(configured: str) -> str:
    return configured or secrets.token_urlsafe(18)


def is_admin(request: Request) -> bool:
    given = request.headers.get(HEADER) or request.cookies.get(COOKIE) or ""
    expected: str = request.app.state.admin_token
    return bool(given) and secrets.compare_digest(given, expected)


def require_admin(request: Request) -> None:
    if not is_admin(request):
        raise ApiError(401, "admin_only", f"this is the operator's side: send {HEADER} or sign in at /admin?token=…")


AdminDep = Annotated[None, Depends(require_admin)]
ADMIN_ONLY = [Depends(require_admin)]
