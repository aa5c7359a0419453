"""The API's one error shape: `{"error": {"code", "message"}}` with a 4xx or 5xx status.

Bad input always gets a 4xx naming the problem; nothing a client sends can produce a 500.
A status is chosen by an exception's class, never by its message text. Routes raise the
domain's own exceptions and this module maps each class to its status and code, in one
place (`DOMAIN_ERRORS`). The tree, with what each answers:

    ApiError                  the status and code it carries (auth 401/403, not found 404, …)
    ApprovalError             turns/approvals.py: a decision not carried out
      ApprovalNotFound        404 approval_not_found
      AlreadyDecided          409 already_decided
      InvalidDecision         422 invalid_decision
      DecisionFailed          500 decision_failed (logged by the desk; the approval waits again)
    FlagError                 422 invalid_flag   (lab/flags.py: an unknown flag or preset)
    ChaosError                422 invalid_chaos  (lab/chaos.py: an unknown dial, or out of range)
    UnknownPrompt             404 prompt_not_found (agents/prompts: no such prompt or version)
    RolloutError              422 invalid_rollout  (shop/prompt_rollouts.py: nothing to promote, …)
    SwitchBusy                409 chunking_busy    (shop/chunking_switch.py: a chunking build under way)
    RateLimited               429 rate_limited, with Retry-After (patterns/rate_limit.py)
    Overloaded                503 overloaded, with Retry-After (load_shedding, patterns/admission.py)
    BoardsUnshared            503 boards_unshared (shared/boards.py: a change Redis did not take)
    redis's ConnectionError,  503 shared_state_unavailable, with Retry-After (shared/redis.py:
      TimeoutError            Redis is unreachable; the request changed nothing, so it can be sent again)
    RequestValidationError    422 invalid_input, or 400 malformed_json
    HTTPException             its own status (404 not_found, 405 method_not_allowed, …)
    anything else             500 internal_error, logged

A browser opening a page it may not see (a 401, asked with `Accept: text/html`) gets a page
saying so, with the way to sign in, rather than the JSON; API clients and htmx's requests
get the JSON.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from switchboard.agents.prompts import UnknownPrompt
from switchboard.app.lab.chaos import ChaosError
from switchboard.app.lab.flags import FlagError
from switchboard.app.shared.boards import BoardsUnshared
from switchboard.app.shared.redis import outage_errors
from switchboard.app.shop.chunking_switch import SwitchBusy
from switchboard.app.shop.prompt_rollouts import RolloutError
from switchboard.app.turns.approvals import AlreadyDecided, ApprovalNotFound, DecisionFailed, InvalidDecision
from switchboard.patterns.rate_limit import Refusal

log = logging.getLogger(__name__)

# Every domain error's status and code. A subclass not listed takes its nearest listed base's.
DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    ApprovalNotFound: (404, "approval_not_found"),
    AlreadyDecided: (409, "already_decided"),
    InvalidDecision: (422, "invalid_decision"),
    DecisionFailed: (500, "decision_failed"),
    FlagError: (422, "invalid_flag"),
    ChaosError: (422, "invalid_chaos"),
    UnknownPrompt: (404, "prompt_not_found"),
    RolloutError: (422, "invalid_rollout"),
    SwitchBusy: (409, "chunking_busy"),
    BoardsUnshared: (503, "boards_unshared"),
}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """What every 4xx and 5xx carries: documented on each route by `error_responses`."""

    error: ErrorDetail


_MEANINGS = {
    400: "the body is not valid JSON",
    401: "not signed in, or not the operator",
    403: "refused here",
    404: "no such resource",
    409: "conflicts with the current state",
    422: "invalid input",
    429: "too many messages or tokens this minute: try again after Retry-After seconds",
    500: "failed on our side; nothing was done",
    503: "too busy to take the message now (nothing stored): try again after Retry-After seconds",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """The `responses=` of a route: each status it can return, with the one error body."""
    return {status: {"model": ErrorBody, "description": _MEANINGS[status]} for status in statuses}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers


class RateLimited(ApiError):
    """rate_limit refused a customer's message: a 429 saying, politely, when to try again."""

    def __init__(self, refusal: Refusal) -> None:
        wait = refusal.retry_after_s
        when = f"{wait} second{'s' if wait != 1 else ''}"
        what = "sent a lot of messages" if refusal.limit == "messages" else "used a lot of the assistant's time"
        message = f"You've {what} in the last minute. Please try again in {when}."
        super().__init__(429, "rate_limited", message, {"Retry-After": str(wait)})


class Overloaded(ApiError):
    """load_shedding refused a message because the process is at capacity: a 503, and when to retry."""

    def __init__(self, retry_after_s: int) -> None:
        when = f"{retry_after_s} second{'s' if retry_after_s != 1 else ''}"
        message = f"We're busy right now and couldn't take your message. Please try again in {when}."
        super().__init__(503, "overloaded", message, {"Retry-After": str(retry_after_s)})


def not_found(what: str, key: str) -> ApiError:
    return ApiError(404, f"{what}_not_found", f"no {what} with id {key!r}")


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _describe(exc: RequestValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    if first.get("type") == "json_invalid":
        return "malformed_json", "the request body is not valid JSON"
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    return "invalid_input", f"{where}: {first.get('msg', 'invalid value')}"


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    status, code = next(DOMAIN_ERRORS[kind] for kind in type(exc).__mro__ if kind in DOMAIN_ERRORS)
    return error_response(status, code, str(exc))


def wants_a_page(request: Request) -> bool:
    """A browser navigating here, not a script or one of htmx's swaps."""
    return "text/html" in request.headers.get("accept", "") and "hx-request" not in request.headers


def refusal_page(pages: Jinja2Templates, request: Request, exc: ApiError) -> Response:
    """The 401 as a page: for the operator's pages, what they are and where to sign in."""
    context = {"code": exc.code, "message": exc.message, "path": request.url.path}
    return pages.TemplateResponse(request, "refused.html", context, status_code=exc.status)


SHARED_STATE_RETRY_S = 5  # long enough for a Redis restart or failover to finish


async def _shared_state_down(_: Request, exc: Exception) -> JSONResponse:
    log.warning("Redis is unreachable: a request was refused with 503", exc_info=exc)
    message = "the state replicas share (Redis) is unreachable; nothing was changed, try again shortly"
    return error_response(503, "shared_state_unavailable", message, {"Retry-After": str(SHARED_STATE_RETRY_S)})


def install(app: FastAPI, pages: Jinja2Templates) -> None:
    """`pages`: the templates a refusal page is rendered with (passed in: templates.py asks
    auth.py who is signed in, and auth.py raises ApiError from here)."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        if exc.status == 401 and wants_a_page(request):
            return refusal_page(pages, request, exc)
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    for kind in DOMAIN_ERRORS:
        app.add_exception_handler(kind, _domain_error)
    for outage in outage_errors():
        app.add_exception_handler(outage, _shared_state_down)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        code, message = _describe(exc)
        return error_response(400 if code == "malformed_json" else 422, code, message)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "something went wrong on our side")
