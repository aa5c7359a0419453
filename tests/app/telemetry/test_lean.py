"""The lean span recorder: OTel API-shaped spans that nest, carry unique ids, events, statuses and
exceptions, and turn into exactly the OTLP the SDK would send for the same spans."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from switchboard.app.telemetry.lean import LeanSpan, LeanTracer, readable
from switchboard.app.telemetry.tracing import Tracing, trace_id_of

RESOURCE = Resource.create({"service.name": "switchboard-test"})


def recorder(clock: Callable[[], int] | None = None) -> tuple[LeanTracer, list[LeanSpan]]:
    finished: list[LeanSpan] = []
    return LeanTracer(finished.append, clock or itertools.count(1000).__next__), finished


def test_spans_nest_under_the_current_span_and_under_an_explicit_context() -> None:
    tracer, finished = recorder()
    root = tracer.start_span("turn")
    with tracer.start_as_current_span("node router", context=trace.set_span_in_context(root)):
        chat = tracer.start_span("chat demo-large", kind=SpanKind.CLIENT)  # under the current span
        chat.end()
    root.end()
    by_name = {span.name: span for span in finished}
    assert by_name["turn"].parent_id is None
    node = by_name["node router"]
    assert node.parent_id == root.span_id and node.trace_id == root.trace_id
    assert by_name["chat demo-large"].parent_id == node.span_id and chat.kind is SpanKind.CLIENT
    assert trace.get_current_span() is trace.INVALID_SPAN  # the block's context was detached
    assert [span.name for span in finished] == ["chat demo-large", "node router", "turn"]  # in end order


def test_an_empty_context_starts_a_trace_of_its_own() -> None:
    tracer, finished = recorder()
    with tracer.start_as_current_span("request"):
        run = tracer.start_span("turn", Context())
    (request,) = finished
    assert run.parent_id is None and run.trace_id != request.trace_id


def test_ids_are_unique_and_never_zero() -> None:
    tracer, _ = recorder()
    spans = [tracer.start_span("turn") for _ in range(2000)]
    assert len({s.trace_id for s in spans}) == len({s.span_id for s in spans}) == 2000
    assert all(s.trace_id > 0 and s.span_id > 0 and s.trace_id < 2**128 for s in spans)
    apart = {Tracing().tracer(True).start_span("a").get_span_context().span_id for _ in range(50)}
    assert len(apart) == 50  # apps don't share ids


def test_times_come_from_the_injected_clock_and_an_ended_span_takes_nothing_more() -> None:
    tracer, finished = recorder(itertools.count(5 * 10**9, 10**9).__next__)  # a second a reading
    span = tracer.start_span("turn", attributes={"n": 1})
    span.add_event("retry", {"attempt": 2})
    span.end()
    span.end()  # a second end changes nothing and is not kept twice
    span.set_attribute("late", True)
    span.add_event("late")
    span.set_status(Status(StatusCode.ERROR, "late"))
    assert (span.start_ns, span.events, span.end_ns) == (5 * 10**9, [("retry", {"attempt": 2}, 6 * 10**9)], 7 * 10**9)
    assert span.attributes == {"n": 1} and span.status.status_code is StatusCode.UNSET and finished == [span]
    assert not span.is_recording()


def test_status_follows_the_sdk_rules_unset_ignored_ok_final() -> None:
    tracer, _ = recorder()
    span = tracer.start_span("turn")
    span.set_status(StatusCode.ERROR, "boom")
    span.set_status(StatusCode.UNSET)
    assert (span.status.status_code, span.status.description) == (StatusCode.ERROR, "boom")
    span.set_status(Status(StatusCode.OK))
    span.set_status(Status(StatusCode.ERROR, "after ok"))
    assert span.status.status_code is StatusCode.OK


def test_an_exception_leaving_a_current_span_is_recorded_and_sets_the_status() -> None:
    tracer, finished = recorder()
    with pytest.raises(KeyError), tracer.start_as_current_span("execute_tool get_order"):
        raise KeyError("10042")
    (span,) = finished
    (name, attributes, _), *_ = span.events
    assert name == "exception" and attributes["exception.type"] == "KeyError"
    assert attributes["exception.message"] == "'10042'" and "raise KeyError" in attributes["exception.stacktrace"]
    assert (span.status.status_code, span.status.description) == (StatusCode.ERROR, "KeyError: '10042'")


def test_an_exception_leaving_a_started_span_used_as_a_block_is_recorded_as_escaped() -> None:
    tracer, finished = recorder()
    with pytest.raises(TimeoutError), tracer.start_span("chat demo-large"):
        raise TimeoutError("no first token")
    (span,) = finished
    (name, attributes, _), *_ = span.events
    assert (name, attributes["exception.escaped"]) == ("exception", "True")
    assert span.status.description == "TimeoutError: no first token"


class Counting(IdGenerator):
    """The SDK's ids from the same counter the lean tracer draws from: the same ids, in order."""

    def __init__(self, counter: itertools.count[int]) -> None:
        self._counter = counter

    def generate_span_id(self) -> int:
        return next(self._counter)

    def generate_trace_id(self) -> int:
        return next(self._counter)


def play(tracer: Tracer, error: Exception) -> None:
    """A turn-shaped trace with every feature the app uses, at fixed times (ns)."""
    turn = tracer.start_span("turn", attributes={"switchboard.flags": ["a", "b"], "gone": None}, start_time=10)
    under = trace.set_span_in_context(turn)
    call = tracer.start_span("gateway answer", under, attributes={"switchboard.purpose": "answer"}, start_time=20)
    attempt = tracer.start_span(
        "chat demo-large", trace.set_span_in_context(call), SpanKind.CLIENT, {"gen_ai.system": "demo"}, start_time=30
    )
    attempt.set_attributes({"gen_ai.usage.input_tokens": 812, "gen_ai.response.finish_reasons": ("stop",)})
    attempt.add_event("stream_cut", {"provider": "demo"}, timestamp=35)
    attempt.set_status(Status(StatusCode.ERROR, "cut"))
    attempt.end(40)
    call.record_exception(error, timestamp=45)
    call.update_name("gateway answer (failed over)")
    call.end(50)
    turn.set_attribute("switchboard.cost_usd", 0.0012)
    turn.end(60)


def test_converted_spans_encode_to_exactly_the_otlp_the_sdk_sends() -> None:
    try:
        raise RuntimeError("provider down")
    except RuntimeError as caught:
        error = caught
    exported = InMemorySpanExporter()
    provider = TracerProvider(sampler=ALWAYS_ON, resource=RESOURCE, id_generator=Counting(itertools.count(7)))
    provider.add_span_processor(SimpleSpanProcessor(exported))
    play(provider.get_tracer("switchboard"), error)
    lean_ids = itertools.count(7)
    tracing = Tracing(resource=RESOURCE, ids=lambda bits: next(lean_ids))
    play(tracing.tracer(True), error)
    sdk_spans = exported.get_finished_spans()
    lean_spans: list[ReadableSpan] = []
    tracing.extra.append(SimpleSpanProcessor(type("Keep", (), {"export": lean_spans.extend})()))  # type: ignore[arg-type]
    tracing.export(tracing.take_finished(trace_id_of(sdk_spans[0]) or f"{sdk_spans[0].context.trace_id:032x}"))
    assert len(lean_spans) == len(sdk_spans) == 3
    assert encode_spans(lean_spans) == encode_spans(sdk_spans)


def test_readable_keeps_what_the_viewer_and_the_exporter_read() -> None:
    tracer, finished = recorder()
    with tracer.start_as_current_span("turn", attributes={"a": [1, 2]}) as current:
        current.add_event("retry", {"attempt": 1})
    (turn,) = finished
    made = readable(turn, RESOURCE, Tracing().scope)
    assert made.context is not None and made.context.span_id == turn.span_id and made.parent is None
    assert dict(made.attributes or {}) == {"a": (1, 2)}  # the SDK's cleaning: a list kept as a tuple
    assert [(e.name, dict(e.attributes or {})) for e in made.events] == [("retry", {"attempt": 1})]
    assert (made.start_time, made.end_time, made.resource) == (turn.start_ns, turn.end_ns, RESOURCE)
