"""The trace store: a turn's spans claimed under its scope, the request's span written when the
response ends, and a trace no turn claimed (a page view) dropped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema
from switchboard.app.shop.models import TraceRow
from switchboard.app.telemetry.tracing import Tracing, span_data, trace_id_of
from switchboard.app.turns.traces import TraceScope, TraceStore

SCOPE = TraceScope("c_1", "r_1", "tidewater", "C1001")


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'spans.db'}")
    await upgrade_schema(made)
    yield made
    await made.dispose()


@pytest.fixture
def traces(engine: AsyncEngine) -> TraceStore:
    return TraceStore(engine, Tracing())


async def test_a_claimed_trace_s_late_request_span_is_written_under_the_same_scope(traces: TraceStore) -> None:
    tracer = traces.tracer(True)
    request = tracer.start_span("POST /api/conversations/{conversation_id}/messages")
    tracer.start_span("turn", context=trace.set_span_in_context(request)).end()
    trace_id = trace_id_of(request)
    assert trace_id is not None
    assert traces.claim(trace_id, SCOPE) == 1  # the turn's span
    request.end()
    assert traces.request_done(trace_id) == 1
    stored = await traces.trace(trace_id)  # a read writes what waits first
    assert stored is not None and stored.scope == SCOPE
    assert [span.name for span in stored.spans] == ["POST /api/conversations/{conversation_id}/messages", "turn"]
    async with make_sessions(traces._engine)() as s:  # one row per claim, each scoped like the turn's record
        parts = (await s.exec(select(TraceRow))).all()
    assert [(p.record_id, p.customer_id, p.tenant_id, p.conversation_id) for p in parts] == [
        ("r_1", "C1001", "tidewater", "c_1")
    ] * 2


async def test_a_trace_no_turn_claimed_is_dropped_when_its_request_ends(traces: TraceStore) -> None:
    page = traces.tracer(True).start_span("GET /")
    page.end()
    trace_id = trace_id_of(page)
    assert trace_id is not None
    assert traces.request_done(trace_id) == 0
    assert await traces.trace(trace_id) is None
    assert traces.tracing.take(trace_id) == []


async def test_spans_are_written_behind_the_turn_in_batches_and_a_read_sees_them_all(engine: AsyncEngine) -> None:
    traces = TraceStore(engine, Tracing(), clock=lambda: 0.0)  # time stands still
    trace_ids = []
    for n in range(3):
        turn = traces.tracer(True).start_span(f"turn {n}")
        turn.end()
        trace_ids.append(trace_id_of(turn) or "")
        assert traces.claim(trace_ids[-1], SCOPE) == 1
    async with make_sessions(engine)() as s:  # the first batch began at once; the rest wait their turn
        written = (await s.exec(select(TraceRow))).all()
    assert [row.trace_id for row in written] in ([], trace_ids[:1])  # the first may still be in flight
    for n, trace_id in enumerate(trace_ids):  # a read flushes what waits, so the viewer misses nothing
        stored = await traces.trace(trace_id)
        assert stored is not None and [span.name for span in stored.spans] == [f"turn {n}"]


async def test_a_span_reads_back_as_the_exporter_made_it(traces: TraceStore) -> None:
    """One JSON array per claim keeps every field: ids, nesting, times, attributes (sequences as
    lists), events and status."""
    tracer = traces.tracer(True)
    turn = tracer.start_span("turn", attributes={"switchboard.models": ("demo-small", "demo-large")})
    child = tracer.start_span("node router", context=trace.set_span_in_context(turn), attributes={"n": 1})
    child.add_event("retry", {"attempt": 2})
    child.end()
    turn.end()
    trace_id = trace_id_of(turn)
    assert trace_id is not None
    finished = traces.tracing.spans._pending[int(trace_id, 16)][:]  # the same spans, before the claim takes them
    traces.claim(trace_id, SCOPE)
    stored = await traces.trace(trace_id)
    assert stored is not None
    assert sorted(stored.spans, key=lambda s: s.name) == sorted(map(span_data, finished), key=lambda s: s.name)
    assert stored.spans[0].attributes == {"switchboard.models": ["demo-small", "demo-large"]}


class Exported(SpanProcessor):
    """An exporter's processor (OTLP's in the app): what the batch handed it, as the SDK's spans."""

    def __init__(self) -> None:
        self.ended: list[ReadableSpan] = []

    def on_end(self, span: ReadableSpan) -> None:
        self.ended.append(span)


async def test_the_batch_hands_every_span_to_the_exporter_claimed_or_not(engine: AsyncEngine) -> None:
    exported = Exported()
    traces = TraceStore(engine, Tracing([exported]), clock=lambda: 0.0)
    tracer = traces.tracer(True)
    turn = tracer.start_span("turn")
    tracer.start_span("node router", context=trace.set_span_in_context(turn)).end()
    turn.end()
    page = tracer.start_span("GET /")
    page.end()
    traces.claim(trace_id_of(turn) or "", SCOPE)
    assert traces.request_done(trace_id_of(page) or "") == 0  # not kept in the database
    # the claim's batch began at once (time stands still after it): only its spans may be there
    assert [s.name for s in exported.ended] in ([], ["node router", "turn"])
    await traces.flush()
    assert sorted(s.name for s in exported.ended) == ["GET /", "node router", "turn"]
    by_name = {s.name: s for s in exported.ended}
    assert by_name["node router"].parent == by_name["turn"].context
    assert await traces.trace(trace_id_of(page) or "") is None
