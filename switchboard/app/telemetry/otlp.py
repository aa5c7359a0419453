"""OTLP/HTTP export of the app's spans, to Phoenix, Jaeger or any OpenTelemetry collector.

The in-app viewer keeps every span in the app's database (tracing.py); this is the optional second
destination, on when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set. Everything the
exporter is told comes from `Settings`: it is handed an explicit URL, headers and timeout, so that
a value from `.env` counts exactly as one from the environment.

A turn only queues its finished spans: the batch processor posts them from its own thread, so a
slow or unreachable receiver costs a turn nothing (a full queue drops the oldest spans rather than
block). `TracerProvider.shutdown()` drains the queue, waiting at most `timeout_s` per batch.
"""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.util.re import parse_env_headers

from switchboard.app.settings import Settings

TRACES_PATH = "/v1/traces"  # the signal path the OTLP spec adds to a base endpoint
EXPORT_TIMEOUT_S = 10.0  # the OTLP spec's default: one batch's post, retries included


def otlp_processor(settings: Settings, *, timeout_s: float = EXPORT_TIMEOUT_S) -> SpanProcessor | None:
    """A batching OTLP/HTTP processor for the configured receiver, or None when none is set."""
    url = traces_url(settings)
    if url is None:
        return None
    headers = parse_env_headers(settings.otel_exporter_otlp_headers, liberal=True)
    return BatchSpanProcessor(OTLPSpanExporter(endpoint=url, headers=dict(headers), timeout=timeout_s))


def traces_url(settings: Settings) -> str | None:
    """Where spans are posted: the traces endpoint as given, else the base endpoint plus /v1/traces."""
    if settings.otel_exporter_otlp_traces_endpoint:
        return settings.otel_exporter_otlp_traces_endpoint
    if settings.otel_exporter_otlp_endpoint:
        return settings.otel_exporter_otlp_endpoint.rstrip("/") + TRACES_PATH
    return None


def service_resource(settings: Settings) -> Resource:
    """The Resource for the app's TracerProvider: OTel's defaults (SDK name, version) plus our
    service.name, which names Switchboard in whatever receives the spans."""
    return Resource.create({SERVICE_NAME: settings.otel_service_name})
