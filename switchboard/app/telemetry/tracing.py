"""OpenTelemetry tracing (the `tracing` switch, chapter 12): one provider per app, one trace per turn.

`Tracing` is built once in services. It owns a `TracerProvider` of its own — never the global
one, so that every app (tests build many) keeps only its own spans — with two kinds of
processor:

- `TurnSpans`, always first: keeps each finished span in memory under its trace id until the
  turn runner takes the turn's spans and writes them with the turn's record (app/turns/traces.py).
  It runs synchronously as each span ends, so a turn's spans are all there when its record is
  saved: a test reads them right after `done`, without waiting for a background export.
- `extra`: any further `SpanProcessor`s, in order — the one place where OTLP export
  (app/telemetry/otlp.py, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set) is added.

A turn with the switch off gets OpenTelemetry's no-op tracer: no span is made at all.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from opentelemetry.trace import NoOpTracer, Tracer, format_span_id, format_trace_id

SERVICE_NAME = "switchboard"
TRACER_NAME = "switchboard"
# A trace nobody claims (a page view, a request that never reached a turn) is dropped at the end
# of its request; this bounds what is held if a request's end is never seen (a crashed stream).
MAX_PENDING_TRACES = 2000


class TurnSpans(SpanProcessor):
    """Finished spans, kept by trace id until taken. Thread-safe: the SDK may end spans anywhere."""

    def __init__(self, max_traces: int = MAX_PENDING_TRACES) -> None:
        self._lock = threading.Lock()
        self._pending: dict[int, list[ReadableSpan]] = {}
        self._max = max_traces

    def on_start(self, span: SdkSpan, parent_context: Context | None = None) -> None:
        pass

    def on_end(self, span: ReadableSpan) -> None:
        if span.context is None:
            return
        with self._lock:
            kept = self._pending.setdefault(span.context.trace_id, [])
            kept.append(span)
            while len(self._pending) > self._max:  # the oldest trace nobody took
                del self._pending[next(iter(self._pending))]

    def take(self, trace_id: int) -> list[ReadableSpan]:
        with self._lock:
            return self._pending.pop(trace_id, [])

    def shutdown(self) -> None:
        with self._lock:
            self._pending.clear()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


@dataclass(frozen=True)
class SpanData:
    """A finished span as the database keeps it and the viewer draws it (ids in hex, times in ns)."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    start_ns: int
    end_ns: int
    status: str
    attributes: dict[str, Any]
    events: list[dict[str, Any]]


class Tracing:
    def __init__(self, extra: Sequence[SpanProcessor] = (), resource: Resource | None = None) -> None:
        """`extra`: span processors beside the in-process one, e.g. an OTLP exporter's.
        `resource`: who made the spans (app/telemetry/otlp.py's, from OTEL_SERVICE_NAME)."""
        self.spans = TurnSpans()
        # Every span is kept (the switch, not a sampler, decides what is traced), and no parent
        # ever comes from outside (no propagation is read): the default ParentBased sampler
        # would reach the same answer through a second sampler, a tenth of what a span costs.
        resource = resource or Resource.create({"service.name": SERVICE_NAME})
        self.provider = TracerProvider(sampler=ALWAYS_ON, resource=resource)
        for processor in (self.spans, *extra):
            self.provider.add_span_processor(processor)
        self._tracer = self.provider.get_tracer(TRACER_NAME)
        self._off = NoOpTracer()

    def tracer(self, on: bool) -> Tracer:
        """The tracer for a turn: this provider's with the switch on, the no-op one with it off."""
        return self._tracer if on else self._off

    def take(self, trace_id: str) -> list[SpanData]:
        """A trace's finished spans not yet taken, as data (the unfinished stay to be taken later)."""
        return [span_data(s) for s in self.take_finished(trace_id)]

    def take_finished(self, trace_id: str) -> list[ReadableSpan]:
        """The same spans as the SDK made them, for a caller that turns them into data later."""
        return self.spans.take(int(trace_id, 16))

    def shutdown(self) -> None:
        self.provider.shutdown()


def span_data(span: ReadableSpan) -> SpanData:
    return SpanData(*span_fields(span))


def span_fields(span: ReadableSpan) -> tuple[Any, ...]:
    """`SpanData`'s fields, in order, of a finished span (`span_object` is the same as JSON)."""
    assert span.context is not None
    parent = span.parent.span_id if span.parent is not None else None
    return (
        format_trace_id(span.context.trace_id),
        format_span_id(span.context.span_id),
        format_span_id(parent) if parent else None,
        span.name,
        span.kind.name.lower(),
        span.start_time or 0,
        span.end_time or span.start_time or 0,
        span.status.status_code.name.lower(),
        _plain(span.attributes or {}),
        [{"name": e.name, "at_ns": e.timestamp, "attributes": _plain(e.attributes or {})} for e in span.events],
    )


def span_object(span: ReadableSpan, trace_id: str) -> dict[str, Any]:
    """`SpanData`'s fields as the JSON object a `trace_parts` row holds, of a finished span of
    the trace `trace_id` (its hex, which the caller formats once for all its spans). The SDK's
    attribute tuples are left for `json` to write as arrays: no copy of each value first."""
    assert span.context is not None
    parent = span.parent
    return {
        "trace_id": trace_id,
        "span_id": format_span_id(span.context.span_id),
        "parent_span_id": format_span_id(parent.span_id) if parent is not None and parent.span_id else None,
        "name": span.name,
        "kind": span.kind.name.lower(),
        "start_ns": span.start_time or 0,
        "end_ns": span.end_time or span.start_time or 0,
        "status": span.status.status_code.name.lower(),
        "attributes": dict(span.attributes or {}),
        "events": [{"name": e.name, "at_ns": e.timestamp, "attributes": dict(e.attributes or {})} for e in span.events],
    }


def trace_id_of(tracer_span: Any) -> str | None:
    """A span's trace id in hex, or None for a no-op span (the switch off)."""
    context = tracer_span.get_span_context()
    return format_trace_id(context.trace_id) if context.is_valid else None


def _plain(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes as JSON can keep them (OpenTelemetry's sequences are tuples)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in attributes.items()}
