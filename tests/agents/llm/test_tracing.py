"""A gateway call's spans: the call, each provider attempt beneath it with the GenAI attributes
and its index among the turn's reported calls, a failover as an event and a sibling attempt, a
stream cut mid-answer as an event on its attempt; no spans at all with the no-op tracer."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from switchboard.agents.llm.gateway import CallRecord, Gateway
from switchboard.agents.llm.tracing import TurnTrace, untraced
from switchboard.agents.llm.types import ChatRequest, TextDelta, Usage
from tests.agents.llm.test_gateway import ALL_SWITCHES, REQUEST, ScriptedProvider


class Named(ScriptedProvider):
    def __init__(self, name: str, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.name = name


def traced() -> tuple[TurnTrace, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return TurnTrace(provider.get_tracer("test")), exporter


async def test_a_failover_is_two_sibling_attempts_and_an_event_on_the_call() -> None:
    trace, exporter = traced()
    down = Named("primary", [TextDelta("Hel"), TextDelta("lo")], fail_after=1)  # cut mid-answer
    up = Named("secondary", [TextDelta("Hello"), Usage(10, 2)])
    calls: list[CallRecord] = []
    gateway = Gateway({"demo-large": [down, up]})
    await gateway.complete(REQUEST, purpose="router", on_call=calls.append, resilience=ALL_SWITCHES, trace=trace)
    spans = {s.name: s for s in exporter.get_finished_spans() if s.name.startswith("gateway")}
    attempts = [s for s in exporter.get_finished_spans() if s.name == "chat demo-large"]
    (call,) = spans.values()
    assert [a.parent.span_id for a in attempts if a.parent] == [call.context.span_id] * 2
    first, second = attempts
    assert first.attributes["gen_ai.provider.name"] == "primary" and first.status.status_code.name == "ERROR"
    assert [e.name for e in first.events] == ["stream_cut"]
    assert second.attributes["gen_ai.provider.name"] == "secondary"
    assert second.attributes["gen_ai.usage.input_tokens"] == 10 and second.attributes["gen_ai.usage.output_tokens"] == 2
    assert tuple(second.attributes["gen_ai.response.finish_reasons"]) == ("stop",)
    assert [a.attributes["switchboard.call_index"] for a in attempts] == [0, 1]
    assert [c.provider for c in calls] == ["primary", "secondary"]  # the indexes' order
    assert [e.name for e in call.events] == ["failover"]


async def test_the_no_op_tracer_makes_no_spans_and_the_call_is_unchanged() -> None:
    trace = untraced()
    assert not trace.on
    gateway = Gateway({"demo-large": ScriptedProvider([TextDelta("Hi"), Usage(1, 1)])})
    completion = await gateway.complete(ChatRequest(REQUEST.messages, "demo-large"), purpose="test", trace=trace)
    assert completion.text == "Hi"


def test_a_trace_masks_its_texts_with_the_masker_it_is_given_string_by_string() -> None:
    """The app hands the trace the record's own masker: what a span quotes is masked by it, a
    JSON value (a tool's arguments) string by string as the record's are; no masker, as said."""
    seen: list[str] = []

    def masks(text: str) -> str:
        seen.append(text)
        return text.replace("jo@example.com", "[EMAIL]")

    trace = TurnTrace(untraced().tracer, masks=masks)
    assert trace.text("mail jo@example.com") == "mail [EMAIL]"
    arguments = {"email": "jo@example.com", "items": ["a", {"note": "jo@example.com"}], "qty": 2}
    assert trace.quoted(arguments) == {"email": "[EMAIL]", "items": ["a", {"note": "[EMAIL]"}], "qty": 2}
    assert seen == ["mail jo@example.com", "jo@example.com", "a", "jo@example.com"]
    assert untraced().text("jo@example.com") == "jo@example.com" and untraced().quoted(arguments) == arguments
