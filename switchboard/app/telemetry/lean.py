"""A lean span recorder behind OpenTelemetry's tracing *API*: what a turn's spans cost on its path.

The SDK's `Span` validates and copies every attribute, takes a lock per call, samples, and hands
each span to its processors as it ends: about 50 µs to start one and as much to end it inside a
turn, for the 9–13 spans a turn makes. Here a span is a slotted record — name, ids, parent's
id, start and end in ns from an injectable clock, an attributes dict, events, status — and the
work the SDK does on the turn's path is done later, once, off it: `readable` turns a finished
span into the SDK's own `ReadableSpan` (its attribute cleaning included) in the batch that
writes the trace, for an OTLP exporter; app/telemetry/tracing.py turns it into the row.

`LeanTracer` and `LeanSpan` implement `opentelemetry.trace.Tracer` and `Span`, so the code that
makes spans (gateway, graph, tools, retrieval, the runner, the HTTP middleware) is plain OTel
API code: `start_span`, `start_as_current_span`, `set_span_in_context`, `set_attribute(s)`,
`add_event`, `set_status`, `record_exception`. The current span is OTel's own context variable.

Contract that buys the speed: an attribute's value is kept as given, not copied, so a caller must
not change a list after handing it to a span (none in the app does: each is built for the span).
No lock: a span is ended once, by the task that made it; the finished list is appended to under
the GIL, which is atomic.
"""

from __future__ import annotations

import random
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

from opentelemetry import context as context_api
from opentelemetry.attributes import BoundedAttributes
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import (
    INVALID_SPAN_ID,
    Link,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    Tracer,
    get_current_span,
    set_span_in_context,
)
from opentelemetry.util._decorator import _agnosticcontextmanager
from opentelemetry.util.types import AttributeValue

Clock = Callable[[], int]  # ns since the epoch, as OTLP wants them
Ids = Callable[[int], int]  # `bits` random bits: 128 for a trace id, 64 for a span id
UNSET = Status(StatusCode.UNSET)
SAMPLED = TraceFlags(TraceFlags.SAMPLED)


def random_ids() -> Ids:
    """One generator's `getrandbits`, seeded from the OS: ids unique across processes and cheap
    (the SDK's RandomIdGenerator draws from the same Mersenne Twister)."""
    return random.Random().getrandbits


class LeanSpan(Span):
    """One span as it is being recorded. `events`: (name, attributes, at ns) tuples."""

    __slots__ = (
        "_clock",
        "_finished",
        "attributes",
        "end_ns",
        "events",
        "kind",
        "name",
        "parent_id",
        "span_id",
        "start_ns",
        "status",
        "trace_id",
    )

    def __init__(
        self,
        name: str,
        ids: tuple[int, int, int | None],
        kind: SpanKind,
        attributes: dict[str, Any],
        start_ns: int,
        finished: Callable[[LeanSpan], None],
        clock: Clock,
    ) -> None:
        self.name, self.kind, self.attributes, self.start_ns = name, kind, attributes, start_ns
        self.trace_id, self.span_id, self.parent_id = ids
        self.end_ns: int | None = None
        self.events: list[tuple[str, Mapping[str, Any], int]] = []
        self.status = UNSET
        self._finished, self._clock = finished, clock

    def end(self, end_time: int | None = None) -> None:
        """Ended once (a second end is ignored, as the SDK does), then kept for the trace's claim."""
        if self.end_ns is None:
            self.end_ns = end_time if end_time is not None else self._clock()
            self._finished(self)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        """`with tracer.start_span(...) as span:` — as the SDK's span, an exception leaving the
        block is recorded (escaped) and sets the status, then the span ends."""
        if exc_val is not None and self.end_ns is None:
            self.record_exception(exc_val, escaped=True)
            self.set_status(Status(StatusCode.ERROR, f"{type(exc_val).__name__}: {exc_val}"))
        self.end()

    def get_span_context(self) -> SpanContext:
        return SpanContext(self.trace_id, self.span_id, is_remote=False, trace_flags=SAMPLED)

    def set_attributes(self, attributes: Mapping[str, AttributeValue]) -> None:
        if self.end_ns is None:
            self.attributes.update(attributes)

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        if self.end_ns is None:
            self.attributes[key] = value

    def add_event(self, name: str, attributes: Mapping[str, Any] | None = None, timestamp: int | None = None) -> None:
        if self.end_ns is None:
            self.events.append((name, attributes or {}, timestamp if timestamp is not None else self._clock()))

    def add_link(self, context: SpanContext, attributes: Mapping[str, Any] | None = None) -> None:
        pass  # no span of the app links to another

    def update_name(self, name: str) -> None:
        self.name = name

    def is_recording(self) -> bool:
        return self.end_ns is None

    def set_status(self, status: Status | StatusCode, description: str | None = None) -> None:
        """As the SDK's: UNSET is ignored and OK is final."""
        if self.end_ns is not None or self.status.status_code is StatusCode.OK:
            return
        status = status if isinstance(status, Status) else Status(status, description)
        if status.status_code is not StatusCode.UNSET:
            self.status = status

    def record_exception(
        self,
        exception: BaseException,
        attributes: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
        escaped: bool = False,
    ) -> None:
        """The SDK's `exception` event, attribute for attribute (OTel's semantic conventions)."""
        kind = type(exception)
        module = kind.__module__
        named = f"{module}.{kind.__qualname__}" if module and module != "builtins" else kind.__qualname__
        recorded: dict[str, Any] = {
            "exception.type": named,
            "exception.message": str(exception),
            "exception.stacktrace": "".join(traceback.format_exception(exception)),
            "exception.escaped": str(escaped),
        }
        self.add_event("exception", {**recorded, **(attributes or {})}, timestamp)


class LeanTracer(Tracer):
    """OpenTelemetry's `Tracer`, making `LeanSpan`s; every finished one goes to `finished`."""

    def __init__(
        self, finished: Callable[[LeanSpan], None], clock: Clock = time.time_ns, ids: Ids | None = None
    ) -> None:
        self._finished, self._clock = finished, clock
        self._bits = ids or random_ids()

    def start_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, Any] | None = None,
        links: Sequence[Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> LeanSpan:
        """A span under `context`'s current span (the current context's by default; an empty
        `Context()` starts a new trace). Its attributes dict is a shallow copy of `attributes`."""
        parent = get_current_span(context)
        ids: tuple[int, int, int | None]
        if isinstance(parent, LeanSpan):
            ids = (parent.trace_id, self._bits(64), parent.span_id)
        else:
            ids = self._ids_under(parent.get_span_context())
        started = start_time if start_time is not None else self._clock()
        return LeanSpan(name, ids, kind, dict(attributes or ()), started, self._finished, self._clock)

    def _ids_under(self, parent: SpanContext) -> tuple[int, int, int | None]:
        """Ids under a parent not of ours (a valid one from elsewhere), or a new trace's."""
        if parent.is_valid:
            return parent.trace_id, self._bits(64), parent.span_id
        return self._bits(128) or 1, self._bits(64) or 1, None

    @_agnosticcontextmanager  # the API's own decorator, as its Tracer declares the method
    def start_as_current_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, Any] | None = None,
        links: Sequence[Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[Span]:
        """The span as the current one while the block runs; an exception escaping the block is
        recorded and sets the status, as the SDK's `use_span` does."""
        span = self.start_span(name, context, kind, attributes, links, start_time)
        token = context_api.attach(set_span_in_context(span))
        try:
            yield span
        except Exception as exc:
            if span.is_recording():
                if record_exception:
                    span.record_exception(exc)
                if set_status_on_exception:
                    span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
            raise
        finally:
            context_api.detach(token)
            if end_on_exit:
                span.end()


def readable(span: LeanSpan, resource: Resource, scope: InstrumentationScope) -> ReadableSpan:
    """A finished span as the SDK would have made it, for its exporters: ids as SpanContexts,
    attributes and events' attributes cleaned by the SDK's own rules (BoundedAttributes: lists
    made tuples, a value of a type OTel does not take made a string). Done in the batch, off the turn's path."""
    parent = None
    if span.parent_id is not None and span.parent_id != INVALID_SPAN_ID:
        parent = SpanContext(span.trace_id, span.parent_id, is_remote=False, trace_flags=SAMPLED)
    return ReadableSpan(
        span.name,
        context=span.get_span_context(),
        parent=parent,
        resource=resource,
        attributes=_bounded(span.attributes),
        events=[Event(name, _bounded(attributes), at) for name, attributes, at in span.events],
        kind=span.kind,
        status=span.status,
        start_time=span.start_ns,
        end_time=span.end_ns,
        instrumentation_scope=scope,
    )


def _bounded(attributes: Mapping[str, Any]) -> BoundedAttributes:
    return BoundedAttributes(attributes=attributes, immutable=True, max_value_len=None)
