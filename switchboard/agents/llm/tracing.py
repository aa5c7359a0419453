"""A turn's trace as the agents see it: the tracer to start spans with, and what spans may say.

The app builds one per turn (app/telemetry/tracing.py): with the `tracing` switch off its tracer
is OpenTelemetry's no-op one, so every `start_span` below costs a function call and records
nothing. Nothing here reads the global tracer provider: the tracer is passed down in the
`TurnContext`, like the gateway and the shop.

Attribute names follow OpenTelemetry's GenAI semantic conventions (`gen_ai.*`) where one
exists, and Switchboard's own under `switchboard.*`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.context import Context
from opentelemetry.trace import NoOpTracer, Span, Tracer, set_span_in_context

from switchboard.patterns.pii.redaction import mask_value

Attributes = Mapping[str, Any]


@dataclass
class TurnTrace:
    """`parent`: the turn's span, under which the graph's node spans start (the node spans are
    then the current span, so calls, tools and searches beneath them nest without being told).
    `masks`: with `pii_redaction` on, how the turn's record masks a text (the app's one cached
    masker): a span quotes the texts the record quotes, so each is scanned for personal data once
    a turn, by whichever asks first, and the span says exactly what the record says."""

    tracer: Tracer
    parent: Context | None = None
    masks: Callable[[str], str] | None = None
    _calls: list[int] = field(default_factory=lambda: [0])

    @property
    def on(self) -> bool:
        return not isinstance(self.tracer, NoOpTracer)

    def text(self, value: str) -> str:
        return value if self.masks is None else self.masks(value)

    def quoted(self, value: Any) -> Any:
        """A JSON-shaped value (a tool's arguments) masked string by string, as the record masks it."""
        return value if self.masks is None else mask_value(value, self.masks)

    def next_call_index(self) -> int:
        """The index of the model call just reported in the turn record's `calls`: the gateway
        reports every attempt once, in order, and the record lists them in that order."""
        index = self._calls[0]
        self._calls[0] += 1
        return index

    def under(self, span: Span) -> TurnTrace:
        """The same trace, with spans to start under `span` (a node's, for what it calls)."""
        return TurnTrace(self.tracer, set_span_in_context(span), self.masks, self._calls)


def untraced() -> TurnTrace:
    """No trace: a turn with the switch off, a judge's call, a test's context."""
    return TurnTrace(NoOpTracer())


def call_attributes(provider: str, model: str, requested: str, purpose: str) -> dict[str, Any]:
    """A provider attempt's attributes known before it runs (GenAI semantic conventions)."""
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": provider,
        "gen_ai.system": provider,  # the older name of the same attribute, which many backends still read
        "gen_ai.request.model": requested,
        "switchboard.served_model": model,
        "switchboard.purpose": purpose,
    }
