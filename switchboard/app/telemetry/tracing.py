"""OpenTelemetry tracing (the `tracing` switch, chapter 12): one recorder per app, one trace per turn.

`Tracing` is built once in services. Its tracer is OpenTelemetry's tracing API over a lean
recorder of the app's own (app/telemetry/lean.py) — never the global provider, so that every app
(tests build many) keeps only its own spans:

- `TurnSpans` keeps each finished span in memory under its trace id until the turn runner takes
  the turn's spans and writes them with the turn's record (app/turns/traces.py). A span is there
  as soon as it ends, so a turn's spans are all there when its record is saved.
- `extra`: the SDK's `SpanProcessor`s (OTLP export's, app/telemetry/otlp.py, when
  `OTEL_EXPORTER_OTLP_ENDPOINT` is set). They get the SDK's own `ReadableSpan`s, made by
  `export` from the taken spans in the trace store's batch, behind the turn: the SDK's span
  objects, attribute cleaning and processor calls cost the turn nothing.

A turn with the switch off gets OpenTelemetry's no-op tracer: no span is made at all.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import NoOpTracer, Tracer, format_trace_id

from switchboard.app.telemetry.lean import Clock, Ids, LeanSpan, LeanTracer, readable

SERVICE_NAME = "switchboard"
TRACER_NAME = "switchboard"
# A trace nobody claims (a page view, a request that never reached a turn) is dropped at the end
# of its request; this bounds what is held if a request's end is never seen (a crashed stream).
MAX_PENDING_TRACES = 2000


class TurnSpans:
    """Finished spans, kept by trace id until taken. No lock: `dict.setdefault` and
    `list.append` are atomic under the GIL, and spans end on the event loop's thread."""

    def __init__(self, max_traces: int = MAX_PENDING_TRACES) -> None:
        self._pending: dict[int, list[LeanSpan]] = {}
        self._max = max_traces

    def on_end(self, span: LeanSpan) -> None:
        pending = self._pending
        kept = pending.get(span.trace_id)
        if kept is None:
            kept = pending[span.trace_id] = []
            if len(pending) > self._max:  # the oldest trace nobody took
                self._drop_oldest()
        kept.append(span)

    def _drop_oldest(self) -> None:
        # Another thread may change the dict meanwhile: then the next new trace drops it.
        with contextlib.suppress(RuntimeError, StopIteration):
            self._pending.pop(next(iter(self._pending)), None)

    def take(self, trace_id: int) -> list[LeanSpan]:
        return self._pending.pop(trace_id, [])

    def shutdown(self) -> None:
        self._pending.clear()


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
    def __init__(
        self,
        extra: Sequence[SpanProcessor] = (),
        resource: Resource | None = None,
        *,
        clock: Clock = time.time_ns,
        ids: Ids | None = None,
        max_traces: int = MAX_PENDING_TRACES,
    ) -> None:
        """`extra`: the SDK's span processors, e.g. an OTLP exporter's, fed by `export`.
        `resource`: who made the spans (app/telemetry/otlp.py's, from OTEL_SERVICE_NAME).
        `clock`, `ids`: the spans' times (ns) and random bits, injectable for tests."""
        self.spans = TurnSpans(max_traces)
        self.extra = list(extra)
        self.resource = resource or Resource.create({"service.name": SERVICE_NAME})
        self.scope = InstrumentationScope(TRACER_NAME)
        # Every span is kept (the switch, not a sampler, decides what is traced), and no parent
        # ever comes from outside (no propagation is read).
        self._tracer = LeanTracer(self.spans.on_end, clock, ids)
        self._off = NoOpTracer()

    def tracer(self, on: bool) -> Tracer:
        """The tracer for a turn: this recorder's with the switch on, the no-op one with it off."""
        return self._tracer if on else self._off

    def take(self, trace_id: str) -> list[SpanData]:
        """A trace's finished spans not yet taken, as data (the unfinished stay to be taken later)."""
        return [span_data(s) for s in self.take_finished(trace_id)]

    def take_finished(self, trace_id: str) -> list[LeanSpan]:
        """The same spans as recorded, for a caller that turns them into data later."""
        return self.spans.take(int(trace_id, 16))

    def export(self, spans: Sequence[LeanSpan]) -> None:
        """Taken spans to the extra processors, as the SDK's `ReadableSpan`s (nothing to do
        without one). Called in the trace store's batch, off the turn's path."""
        for processor in self.extra:
            for span in spans:
                processor.on_end(readable(span, self.resource, self.scope))

    def shutdown(self) -> None:
        """Each extra processor's own shutdown: an exporter sends what it still queues."""
        for processor in self.extra:
            processor.shutdown()
        self.spans.shutdown()


def span_data(span: LeanSpan) -> SpanData:
    return SpanData(**span_object(span, format_trace_id(span.trace_id)))


def span_object(span: LeanSpan, trace_id: str) -> dict[str, Any]:
    """`SpanData`'s fields as the JSON object a `trace_parts` row holds, of a finished span of
    the trace `trace_id` (its hex, which the caller formats once for all its spans), the same
    object the SDK's span made before (sequences as lists)."""
    parent = span.parent_id
    return {
        "trace_id": trace_id,
        "span_id": f"{span.span_id:016x}",
        "parent_span_id": f"{parent:016x}" if parent else None,
        "name": span.name,
        "kind": span.kind.name.lower(),
        "start_ns": span.start_ns,
        "end_ns": span.end_ns if span.end_ns is not None else span.start_ns,
        "status": span.status.status_code.name.lower(),
        "attributes": _plain(span.attributes),
        "events": [{"name": name, "at_ns": at, "attributes": _plain(kept)} for name, kept, at in span.events],
    }


def trace_id_of(tracer_span: Any) -> str | None:
    """A span's trace id in hex, or None for a no-op span (the switch off)."""
    if isinstance(tracer_span, LeanSpan):
        return format_trace_id(tracer_span.trace_id)
    context = tracer_span.get_span_context()
    return format_trace_id(context.trace_id) if context.is_valid else None


def _plain(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes as JSON can keep them (OpenTelemetry's sequences are tuples)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in attributes.items()}
