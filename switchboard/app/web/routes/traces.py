"""The trace viewer (`tracing`): a turn's spans as a waterfall, and as JSON.

A trace is scoped exactly like the record of the turn it belongs to (deps.visible_record): the
operator sees any, a customer only their own; for anyone else — and for an id there is no trace
of — it does not exist (404), so ids cannot be probed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from switchboard.app.telemetry.tracing import SpanData
from switchboard.app.turns.traces import StoredTrace
from switchboard.app.web.auth import customer_id_of, is_admin
from switchboard.app.web.deps import RecordDep, ServicesDep
from switchboard.app.web.errors import error_responses, not_found
from switchboard.app.web.templates import templates

router = APIRouter()


class TraceView(BaseModel):
    """One turn's trace: its spans, earliest first (`start_ns`, `end_ns`: Unix nanoseconds)."""

    trace_id: str
    record_id: str
    conversation_id: str
    spans: list[SpanData]  # as the exporter made them (app/telemetry/tracing.py)


async def visible_trace(trace_id: str, request: Request, services: ServicesDep) -> TraceView:
    """A trace, for the operator or for the customer whose turn it was; for anyone else, none."""
    stored = await services.traces.trace(trace_id[:64])
    viewer = customer_id_of(request)
    if stored is None or not (is_admin(request) or (viewer is not None and stored.scope.customer_id == viewer)):
        raise not_found("trace", trace_id[:64])
    return _view(trace_id, stored)


TraceDep = Annotated[TraceView, Depends(visible_trace)]


def _view(trace_id: str, stored: StoredTrace) -> TraceView:
    scope = stored.scope
    return TraceView(
        trace_id=trace_id, record_id=scope.record_id, conversation_id=scope.conversation_id, spans=stored.spans
    )


@router.get("/api/traces/{trace_id}", responses=error_responses(404, 422))
async def get_trace(trace: TraceDep) -> TraceView:
    """One turn's trace (with `tracing` on when it ran): the operator's, or the signed-in customer's own."""
    return trace


@router.get("/traces/{trace_id}", response_class=HTMLResponse, include_in_schema=False)
async def trace_page(request: Request, trace: TraceDep) -> HTMLResponse:
    """The waterfall: nested spans on a time axis; a span's attributes and events on a click. For
    the operator, a model call's span links to the replay of its stored request (routes/calls.py)."""
    context = {"trace": trace.model_dump(mode="json"), "operator": is_admin(request)}
    return templates.TemplateResponse(request, "trace.html", context)


@router.get("/records/{record_id}/trace", include_in_schema=False)
async def record_trace(record: RecordDep) -> RedirectResponse:
    """A record's trace, for links that know only the record (a run's cases)."""
    if record.trace_id is None:
        raise not_found("trace", f"of record {record.id}")
    return RedirectResponse(f"/traces/{record.trace_id}", status_code=303)
