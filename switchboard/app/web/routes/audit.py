"""The audit log of operator actions (app/shop/audit.py), for the operator only.

    GET /audit              the page: newest first, filtered by action, a page at a time
    GET /api/audit          the same entries as JSON
    GET /api/audit.csv      every entry (or one action's) as CSV, for a spreadsheet

`?action=` is one of the actions (an unknown one is a 422 naming them), `?before=<id>` pages on
to the entries older than that one, `?limit=` is 1–200.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel

from switchboard.app.shop.audit import ACTIONS, Action, AuditLog, AuditView
from switchboard.app.web.audit_csv import csv_lines
from switchboard.app.web.auth import ADMIN_ONLY
from switchboard.app.web.deps import ServicesDep
from switchboard.app.web.errors import error_responses
from switchboard.app.web.templates import templates

router = APIRouter(dependencies=ADMIN_ONLY)
FILTERED = error_responses(401, 422)
CSV_CHUNK = 500


class AuditFilter(BaseModel):
    action: Action | None = None
    before: int | None = None
    limit: int = 50


def audit_filter(
    action: Annotated[Action | None, Query(description="Only this action's entries.")] = None,
    before: Annotated[int | None, Query(ge=1, description="Entries older than this id (the next page).")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditFilter:
    return AuditFilter(action=action, before=before, limit=limit)


FilterDep = Annotated[AuditFilter, Depends(audit_filter)]


class AuditPage(BaseModel):
    entries: list[AuditView]
    next_before: int | None  # pass as ?before= for the next page; None: this was the last


async def _page(log: AuditLog, wanted: AuditFilter) -> AuditPage:
    found = await log.newest(wanted.action, wanted.before, wanted.limit + 1)  # one more: is there a next page?
    entries = found[: wanted.limit]
    return AuditPage(entries=entries, next_before=entries[-1].id if len(found) > wanted.limit else None)


@router.get("/api/audit", responses=FILTERED, tags=["api"])
async def get_audit(services: ServicesDep, wanted: FilterDep) -> AuditPage:
    """Operator actions, newest first."""
    return await _page(services.audit, wanted)


@router.get("/api/audit.csv", response_class=StreamingResponse, responses=FILTERED, tags=["api"])
async def get_audit_csv(
    services: ServicesDep,
    action: Annotated[Action | None, Query(description="Only this action's entries.")] = None,
) -> StreamingResponse:
    """Every entry, newest first, read from the database a chunk at a time."""
    headers = {"Content-Disposition": 'attachment; filename="switchboard-audit.csv"'}
    return StreamingResponse(_csv(services.audit, action), media_type="text/csv; charset=utf-8", headers=headers)


async def _csv(log: AuditLog, action: Action | None) -> AsyncIterator[bytes]:
    for line in csv_lines([]):
        yield line.encode()
    before: int | None = None
    while chunk := await log.newest(action, before, CSV_CHUNK):
        for line in csv_lines(chunk, header=False):
            yield line.encode("utf-8", "replace")  # a lone surrogate a client sent becomes "?"
        before = chunk[-1].id


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
async def audit_page(request: Request, services: ServicesDep, wanted: FilterDep) -> HTMLResponse:
    page = await _page(services.audit, wanted)
    context = {"active": "audit", "page": page, "actions": ACTIONS, "wanted": wanted}
    return templates.TemplateResponse(request, "audit.html", context)
