"""The trace store: a turn's spans claimed under its scope, the request's span written when the
response ends, and a trace no turn claimed (a page view) dropped."""

from __future__ import annotations

from pathlib import Path

from opentelemetry import trace

from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema
from switchboard.app.telemetry.tracing import Tracing, trace_id_of
from switchboard.app.turns.traces import TraceScope, TraceStore

SCOPE = TraceScope("c_1", "r_1", "tidewater", "C1001")


async def store(tmp_path: Path) -> TraceStore:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'spans.db'}")
    await upgrade_schema(engine)
    return TraceStore(make_sessions(engine), Tracing())


async def test_a_claimed_trace_s_late_request_span_is_written_under_the_same_scope(tmp_path: Path) -> None:
    traces = await store(tmp_path)
    tracer = traces.tracer(True)
    request = tracer.start_span("POST /api/conversations/{conversation_id}/messages")
    tracer.start_span("turn", context=trace.set_span_in_context(request)).end()
    trace_id = trace_id_of(request)
    assert trace_id is not None
    rows = traces.claim(trace_id, SCOPE)
    assert [r["name"] for r in rows] == ["turn"] and rows[0]["record_id"] == "r_1"
    request.end()
    assert await traces.request_done(trace_id) == 1
    (kept,) = await traces.trace(trace_id)  # the turn's row is the runner's to write
    assert (kept.name, kept.customer_id, kept.tenant_id, kept.conversation_id) == (
        "POST /api/conversations/{conversation_id}/messages",
        "C1001",
        "tidewater",
        "c_1",
    )


async def test_a_trace_no_turn_claimed_is_dropped_when_its_request_ends(tmp_path: Path) -> None:
    traces = await store(tmp_path)
    page = traces.tracer(True).start_span("GET /")
    page.end()
    trace_id = trace_id_of(page)
    assert trace_id is not None
    assert await traces.request_done(trace_id) == 0
    assert await traces.trace(trace_id) == []
    assert traces.tracing.take(trace_id) == []
