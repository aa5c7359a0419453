"""The cost dashboard: `GET /api/cost` and the `/cost` page, both the operator's.

Both read the same view: the newest turns in scope (live ones, or a run's; one tenant or all;
from a moment on), filtered in the database and summed by app/cost/spend_report.py over a
bounded window of WINDOW turns — enough for weeks of a demo's traffic, and a fixed cost per
request however large the table grows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from switchboard.agents.record import TurnRecord
from switchboard.app.cost.spend_report import ProjectionView, projection_view, spend_report
from switchboard.app.runs.compare import config_label, dataset_of
from switchboard.app.runs.replay import RunStore
from switchboard.app.services import Services
from switchboard.app.shop.models import Run
from switchboard.app.turns.records import RecordScope
from switchboard.app.web.auth import ADMIN_ONLY
from switchboard.app.web.deps import ServicesDep
from switchboard.app.web.errors import ApiError, error_responses, not_found
from switchboard.app.web.responses import CostScope, CostView
from switchboard.app.web.templates import templates

router = APIRouter(tags=["cost"], dependencies=ADMIN_ONLY)  # spend is the operator's business

WINDOW = 20_000  # the most turns one view sums: the newest in scope
TENANT_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
LIVE = "live turns"


@dataclass(frozen=True)
class CostQuery:
    run: str | None
    tenant: str | None
    since: datetime | None
    top: int


def cost_query(
    run: Annotated[str, Query(description="A run's id or name: its turns instead of live ones.")] = "",
    tenant: Annotated[str, Query(description="Only this tenant's turns.")] = "",
    since: Annotated[str, Query(description="Only turns from then on: 2026-12-01 or 2026-12-01T09:00Z.")] = "",
    top: Annotated[int, Query(ge=1, le=100, description="How many of the top-spending customers to list.")] = 10,
) -> CostQuery:
    """The filters; an empty one (as a page's form sends it) means "any"."""
    if tenant and not TENANT_ID.fullmatch(tenant):
        problem = f"tenant: {tenant[:40]!r} is not a tenant id (lowercase letters, digits, - and _)"
        raise ApiError(422, "invalid_input", problem)
    return CostQuery(run=run or None, tenant=tenant or None, since=parse_since(since), top=top)


def parse_since(text: str) -> datetime | None:
    """An ISO 8601 date or date-time; without a zone it is UTC."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ApiError(
            422, "invalid_input", f"since: {text[:40]!r} is not a date (2026-12-01) or date-time (2026-12-01T09:00Z)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


CostQueryDep = Annotated[CostQuery, Depends(cost_query)]


async def cost_view(services: Services, query: CostQuery) -> CostView:
    run = await _chosen_run(services, query.run)
    records, truncated = await _records(services, RecordScope(run.id if run else None, query.tenant, query.since))
    names = {c.id: f"{c.name} ({c.id})" for c in await services.shop.customers()}
    label = _run_label(services, run) if run else None
    scope = CostScope(
        run_id=run.id if run else None,
        run_label=label,
        tenant=query.tenant,
        since=query.since.isoformat() if query.since else None,
        window=WINDOW,
        truncated=truncated,
    )
    spend = spend_report(records, services.flags.registry, names, query.top)
    return CostView(scope=scope, spend=spend, projections=await _projections(services, query, records, label))


async def _chosen_run(services: Services, key: str | None) -> Run | None:
    if key is None:
        return None
    run = await RunStore(services.sessions).find(key)
    if run is None:
        raise not_found("run", key)
    return run


async def _records(services: Services, scope: RecordScope) -> tuple[list[TurnRecord], bool]:
    """The newest WINDOW records in scope, and whether more matched (one more is asked to tell)."""
    records = await services.records.for_spend(scope, WINDOW + 1)
    return records[:WINDOW], len(records) > WINDOW


async def _projections(
    services: Services, query: CostQuery, records: list[TurnRecord], run_label: str | None
) -> list[ProjectionView]:
    """Live traffic's projection always; the run's beside it when one is chosen."""
    prices = services.gateway.prices
    if run_label is None:
        return [projection_view(LIVE, records, prices)]
    live, _ = await _records(services, RecordScope(None, query.tenant, query.since))
    return [projection_view(LIVE, live, prices), projection_view(run_label, records, prices)]


def _run_label(services: Services, run: Run) -> str:
    return f"{config_label(run, services.flags.registry)} · {dataset_of(run)} · {run.created_at:%Y-%m-%d %H:%M}"


@router.get("/api/cost", responses=error_responses(401, 404, 422))
async def get_cost(services: ServicesDep, query: CostQueryDep) -> CostView:
    return await cost_view(services, query)


@router.get("/cost", response_class=HTMLResponse, include_in_schema=False)
async def cost_page(request: Request, services: ServicesDep, query: CostQueryDep) -> HTMLResponse:
    view = await cost_view(services, query)
    runs = [(r.id, _run_label(services, r)) for r in await RunStore(services.sessions).recent()]
    context: dict[str, Any] = {
        "active": "cost",
        "view": view,
        "runs": runs,
        "tenants": _tenant_choices(view, query),
        "since_day": query.since.date().isoformat() if query.since else "",
        "chart": view.spend.model_dump(mode="json"),
    }
    return templates.TemplateResponse(request, "cost.html", context)


def _tenant_choices(view: CostView, query: CostQuery) -> list[str]:
    """The tenants the filter offers: those with spend in view, and the one chosen."""
    seen = [g.key for g in view.spend.tenants if g.key]  # "": rows from before tenants, not a filter
    return sorted({*seen, *([query.tenant] if query.tenant else [])})
