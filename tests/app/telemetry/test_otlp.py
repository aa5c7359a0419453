"""OTLP export: off unless configured, harmless when the receiver is dead or silent, and what it
sends is stored by a real receiver (Arize Phoenix on loopback) with its names, nesting and attributes."""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from opentelemetry.sdk.resources import SERVICE_NAME
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.trace import Tracer
from pydantic import ValidationError

from switchboard.app.settings import Settings
from switchboard.app.telemetry.otlp import otlp_processor, service_resource, traces_url
from tests.phoenix import Phoenix, free_port

OTEL_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_SERVICE_NAME",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No OTel variable of the developer's own leaks into a test."""
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_without_an_endpoint_no_processor_is_made(clean_env: pytest.MonkeyPatch) -> None:
    assert otlp_processor(settings()) is None


def test_the_standard_otel_variables_are_read_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")
    clean_env.setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-team=ops")
    clean_env.setenv("OTEL_SERVICE_NAME", "switchboard-eu")
    read = settings()
    assert (read.otel_exporter_otlp_endpoint, read.otel_exporter_otlp_headers) == (
        "http://collector:4318/",
        "x-team=ops",
    )
    assert service_resource(read).attributes[SERVICE_NAME] == "switchboard-eu"
    processor = otlp_processor(read)
    assert isinstance(processor, SpanProcessor)
    processor.shutdown()  # its worker thread


def test_the_service_is_named_switchboard_by_default(clean_env: pytest.MonkeyPatch) -> None:
    assert service_resource(settings()).attributes[SERVICE_NAME] == "switchboard"


def test_spans_go_to_the_base_endpoint_plus_v1_traces_unless_a_traces_endpoint_is_given(
    clean_env: pytest.MonkeyPatch,
) -> None:
    assert (
        traces_url(settings(otel_exporter_otlp_endpoint="http://collector:4318/")) == "http://collector:4318/v1/traces"
    )
    given = "http://collector:4318/custom/spans"
    assert traces_url(settings(otel_exporter_otlp_traces_endpoint=given)) == given
    assert traces_url(settings()) is None


class Recorder(BaseHTTPRequestHandler):
    """Answers every post 200 and keeps its path and headers (Phoenix does not show headers)."""

    seen: list[tuple[str, dict[str, str]]]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, {name.lower(): value for name, value in self.headers.items()}))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, dict[str, str]]]]]:
    handler = type("Handler", (Recorder,), {"seen": []})
    with HTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.seen
        server.shutdown()


def test_the_configured_headers_go_with_each_post_to_v1_traces(
    recorder: tuple[str, list[tuple[str, dict[str, str]]]], clean_env: pytest.MonkeyPatch
) -> None:
    endpoint, seen = recorder
    configured = settings(otel_exporter_otlp_endpoint=endpoint, otel_exporter_otlp_headers="authorization=Bearer%20abc")
    processor = otlp_processor(configured)
    assert processor is not None
    provider = TracerProvider()
    provider.add_span_processor(processor)
    provider.get_tracer("test").start_span("turn").end()
    provider.shutdown()
    [(path, headers)] = seen
    assert path == "/v1/traces"
    assert headers["authorization"] == "Bearer abc"
    assert headers["content-type"] == "application/x-protobuf"


def test_an_endpoint_without_its_scheme_stops_the_app_at_start(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="http:// or https://"):
        settings(otel_exporter_otlp_endpoint="collector:4318")


@pytest.fixture
def silent_receiver() -> Iterator[socket.socket]:
    """A listener that takes connections and never answers: the worst receiver, a hung one."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener


def provider_exporting_to(endpoint: str, timeout_s: float) -> TracerProvider:
    processor = otlp_processor(settings(otel_exporter_otlp_endpoint=endpoint), timeout_s=timeout_s)
    assert processor is not None
    provider = TracerProvider(resource=service_resource(settings()))
    provider.add_span_processor(processor)
    return provider


def play_turn(tracer: Tracer) -> float:
    """A turn's worth of spans (a root, three nodes, a model call); returns the seconds it took."""
    started = time.perf_counter()
    with tracer.start_as_current_span("turn"):
        for node in ("guard_input", "route", "answer"):
            with tracer.start_as_current_span(f"node {node}"):
                pass
        with tracer.start_as_current_span("chat demo-large", attributes={"gen_ai.operation.name": "chat"}):
            pass
    return time.perf_counter() - started


@pytest.mark.parametrize("receiver", ["dead", "silent"])
def test_a_dead_or_hung_receiver_neither_breaks_nor_slows_a_turn(
    receiver: str, silent_receiver: socket.socket, clean_env: pytest.MonkeyPatch
) -> None:
    port = free_port() if receiver == "dead" else silent_receiver.getsockname()[1]
    timeout_s = 0.5
    provider = provider_exporting_to(f"http://127.0.0.1:{port}", timeout_s)
    tracer = provider.get_tracer("test")
    # 1500 spans: past the batch size (512) the exporter's thread starts posting, while turns go on.
    turn_s = statistics.median(play_turn(tracer) for _ in range(300))
    started = time.perf_counter()
    provider.shutdown()
    shutdown_s = time.perf_counter() - started
    # The median, not the slowest: on a loaded machine any turn may be descheduled for a while.
    # A synchronous export would cost every turn at least timeout_s against the silent receiver.
    assert turn_s < 0.01
    assert shutdown_s < 4 * timeout_s + 2  # shutdown gives each batch still queued one timeout, no more
    if receiver == "silent":
        silent_receiver.setblocking(False)
        silent_receiver.accept()[0].close()  # raises if the exporter never even tried


def play_traced_turn(tracer: Tracer) -> str:
    """turn > node answer > (a model call with a retry event, a tool call); returns the trace id."""
    with (
        tracer.start_as_current_span("turn", attributes={"switchboard.tier": "primary"}) as turn,
        tracer.start_as_current_span("node answer"),
    ):
        with tracer.start_as_current_span("chat demo-large", attributes=MODEL_CALL) as call:
            call.add_event("retry", {"attempt": 1})
        with tracer.start_as_current_span("execute_tool lookup_order", attributes={"gen_ai.tool.name": "lookup_order"}):
            pass
    return format(turn.get_span_context().trace_id, "032x")


def test_a_tree_of_genai_spans_arrives_in_phoenix_as_sent(phoenix: Phoenix, clean_env: pytest.MonkeyPatch) -> None:
    provider = provider_exporting_to(phoenix.endpoint, timeout_s=10)
    tracer = provider.get_tracer("switchboard.test")
    trace_id = play_traced_turn(tracer)
    provider.shutdown()  # what the app's lifespan calls: it must deliver the spans still queued

    received = {span.name: span for span in phoenix.client.wait_for_spans(trace_id, count=4)}

    assert set(received) == {"turn", "node answer", "chat demo-large", "execute_tool lookup_order"}
    parent_of = {span.name: span.parent_id for span in received.values()}
    span_id = {span.name: span.span_id for span in received.values()}
    assert parent_of["turn"] is None
    assert parent_of["node answer"] == span_id["turn"]
    assert parent_of["chat demo-large"] == parent_of["execute_tool lookup_order"] == span_id["node answer"]
    call_received = received["chat demo-large"]
    assert {key: call_received.attributes[key] for key in MODEL_CALL} == {
        **MODEL_CALL,
        "gen_ai.response.finish_reasons": ["stop"],
    }
    assert call_received.kind == "LLM"  # Phoenix read the GenAI conventions, not just stored strings
    assert call_received.events == ("retry",)
    assert received["turn"].attributes["switchboard.tier"] == "primary"


MODEL_CALL: dict[str, object] = {
    "gen_ai.operation.name": "chat",
    "gen_ai.system": "demo",
    "gen_ai.request.model": "demo-large",
    "gen_ai.response.model": "demo-large",
    "gen_ai.usage.input_tokens": 812,
    "gen_ai.usage.output_tokens": 64,
    "gen_ai.response.finish_reasons": ("stop",),
}
