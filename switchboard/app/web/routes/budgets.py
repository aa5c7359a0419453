"""Chapter 10's token budgets on the panel and the API: the limits in force, what has been spent.

    GET /api/budgets            the three budgets (operator)
    PUT /api/budgets            replace the budgets named in the body; the others stay (operator).
                                A bad value is a 422 naming its field ("customer_day.max_usd: …").
    GET /api/spend              each customer's spend today and each tenant's this month, beside the
                                limits; ?tenant= and ?customer= narrow it (operator)
    GET/POST /ui/budgets        the panel's Budgets box, and its edit form

Only the operator sees spend. A customer is not shown theirs: what a turn costs is the business's
concern, and a budget that runs out tells the customer what they need to know in words.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from switchboard.app.cost.budgets import BudgetChanges, BudgetSet
from switchboard.app.cost.window_spend import SpendReport, spend_report
from switchboard.app.web.auth import ADMIN_ONLY, ActorDep, actor_of
from switchboard.app.web.deps import ServicesDep
from switchboard.app.web.errors import ApiError, error_responses
from switchboard.app.web.schemas import Name
from switchboard.app.web.templates import templates
from switchboard.patterns.spend_budget import WINDOWS

router = APIRouter()
OPERATOR_ONLY = error_responses(401, 422)
OPERATOR_EDIT = error_responses(400, 401, 422)


@router.get("/api/budgets", dependencies=ADMIN_ONLY, responses=OPERATOR_ONLY, tags=["api"])
async def get_budgets(services: ServicesDep) -> BudgetSet:
    return services.budgets.current


@router.put("/api/budgets", dependencies=ADMIN_ONLY, responses=OPERATOR_EDIT, tags=["api"])
async def put_budgets(body: BudgetChanges, services: ServicesDep, actor: ActorDep) -> BudgetSet:
    """Takes effect for the next model call, and is kept across restarts."""
    edited = await services.budgets.change(body, services.audit.stamp(actor, "budgets.change"))
    await services.boards.push("budgets")  # stored, then in force on every replica
    return edited


@router.get("/api/spend", dependencies=ADMIN_ONLY, responses=OPERATOR_ONLY, tags=["api"])
async def get_spend(
    services: ServicesDep,
    tenant: Annotated[Name | None, Query()] = None,
    customer: Annotated[Name | None, Query()] = None,
) -> SpendReport:
    return await spend_now(services, tenant or None, customer or None)


@router.get("/ui/budgets", response_class=HTMLResponse, include_in_schema=False, dependencies=ADMIN_ONLY)
async def budgets_partial(request: Request, services: ServicesDep) -> HTMLResponse:
    return await budgets_box(request, services)


@router.post("/ui/budgets", response_class=HTMLResponse, include_in_schema=False, dependencies=ADMIN_ONLY)
async def edit_budget(request: Request, services: ServicesDep) -> HTMLResponse:
    """One row of the box's form: a window's action and limits (an empty limit: not limited)."""
    changes = _changes_from(await request.form())
    await services.budgets.change(changes, services.audit.stamp(actor_of(request), "budgets.change"))
    await services.boards.push("budgets")
    return await budgets_box(request, services)


async def budgets_box(request: Request, services: ServicesDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "partials/budgets.html", {"spend": await spend_now(services)})


async def spend_now(services: ServicesDep, tenant: str | None = None, customer: str | None = None) -> SpendReport:
    await services.spend.settled()  # calls that just finished are counted
    return await spend_report(services.ledger, services.budgets.current, services.now(), tenant, customer)


def _changes_from(form: FormData) -> BudgetChanges:
    """The form's fields as an edit, validated like the API's body: a 422 names the bad field."""
    window = str(form.get("window", ""))
    if window not in WINDOWS:
        raise ApiError(422, "invalid_input", f"window: must be one of {', '.join(WINDOWS)}")
    spec = {name: str(form.get(name) or "").strip() or None for name in ("action", "max_tokens", "max_usd")}
    try:
        return BudgetChanges.model_validate({window: spec})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ApiError(422, "invalid_input", f"{where}: {first['msg']}") from None
