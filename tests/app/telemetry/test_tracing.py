"""The app's tracer: its own (never the global provider), the in-process buffer of finished spans
by trace, the extra processors fed the taken spans as the SDK's, and the no-op tracer for a turn
with the switch off."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.trace import NoOpTracer, SpanKind, StatusCode

from switchboard.app.telemetry.tracing import Tracing, trace_id_of


class Collecting(SpanProcessor):
    """An extra processor (as OTLP export's would be): sees every span the provider ends."""

    def __init__(self) -> None:
        self.ended: list[str] = []

    def on_end(self, span: ReadableSpan) -> None:
        self.ended.append(span.name)


def test_a_trace_s_finished_spans_are_kept_until_taken_once() -> None:
    tracing = Tracing()
    tracer = tracing.tracer(True)
    root = tracer.start_span("turn")
    with tracer.start_as_current_span("node router", context=trace.set_span_in_context(root)) as node:
        node.set_attribute("switchboard.node", "router")
        node.add_event("retry", {"attempt": 2})
    trace_id = trace_id_of(root)
    assert trace_id is not None
    (span,) = tracing.take(trace_id)  # the root is still open: not there yet
    assert span.name == "node router" and span.trace_id == trace_id
    assert span.parent_span_id == format(root.get_span_context().span_id, "016x")
    assert span.attributes == {"switchboard.node": "router"}
    assert span.events[0]["name"] == "retry" and span.events[0]["attributes"] == {"attempt": 2}
    root.set_status(trace.Status(StatusCode.ERROR, "failed"))
    root.end()
    (ended,) = tracing.take(trace_id)
    assert (ended.name, ended.parent_span_id, ended.status, ended.kind) == ("turn", None, "error", "internal")
    assert tracing.take(trace_id) == []


def test_the_extra_processors_see_every_exported_span_as_the_sdk_s() -> None:
    """Export happens when the trace store's batch hands taken spans over (app/turns/traces.py),
    not as each span ends: the processors get the SDK's ReadableSpan, kind and parent included."""
    extra = Collecting()
    tracing = Tracing([extra])
    with tracing.tracer(True).start_as_current_span("GET /", kind=SpanKind.SERVER) as span:
        pass
    assert extra.ended == []  # nothing on the turn's path
    tracing.export(tracing.take_finished(trace_id_of(span) or ""))
    assert extra.ended == ["GET /"]


def test_the_tracer_is_the_app_s_own_not_the_global_provider_s() -> None:
    tracing = Tracing()
    assert tracing.tracer(True) is not trace.get_tracer("switchboard")
    with tracing.tracer(True).start_as_current_span("turn") as span:
        assert span.is_recording()
        assert trace.get_current_span() is span  # OTel's own current span, as instrumentation reads it
    assert [s.name for s in tracing.take(trace_id_of(span) or "")] == ["turn"]


def test_with_the_switch_off_the_tracer_is_a_no_op_one_and_nothing_is_kept() -> None:
    tracing = Tracing()
    tracer = tracing.tracer(False)
    assert isinstance(tracer, NoOpTracer)
    with tracer.start_as_current_span("turn") as span:
        assert trace_id_of(span) is None
    assert tracing.spans._pending == {}


def test_traces_nobody_takes_are_dropped_oldest_first_beyond_the_bound() -> None:
    tracing = Tracing(max_traces=2)
    ids = []
    for name in ("a", "b", "c"):
        span = tracing.tracer(True).start_span(name)
        span.end()
        ids.append(span.get_span_context().trace_id)
    assert tracing.spans.take(ids[0]) == []
    assert [s.name for s in tracing.spans.take(ids[1])] == ["b"]
    assert [s.name for s in tracing.spans.take(ids[2])] == ["c"]
