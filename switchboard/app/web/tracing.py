"""The HTTP request's span (`tracing`): the root of a turn's trace.

A small ASGI middleware rather than opentelemetry-instrumentation-fastapi: it asks the flag
board per request (the switch off: nothing is made), uses the app's own tracer (never the
global provider), and makes one span per request, not one per streamed chunk. The request's span
is the current span while the app handles it, so the turn's span starts under it.

The span ends when the response's last byte is about to go, and what is left of its trace is
handed to the trace store then (app/turns/traces.py), which writes it behind the response with
the next batch; a read of the trace flushes first, so a client that has the whole response and
then asks for its trace sees all of it.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.context import attach, detach
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, set_span_in_context
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from switchboard.app.telemetry.tracing import trace_id_of
from switchboard.app.turns.traces import TraceStore


class TraceRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        traces = _traces_if_on(scope)
        if traces is None:
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        attributes = {"http.request.method": method, "url.path": scope.get("path", "")}
        span = traces.tracer(True).start_span(method, kind=SpanKind.SERVER, attributes=attributes)
        request = _RequestSpan(traces, span, scope)
        token = attach(set_span_in_context(span))
        try:
            await self.app(scope, receive, request.sending(send))
        except BaseException:
            span.set_status(Status(StatusCode.ERROR, "the app raised"))
            raise
        finally:
            detach(token)
            await request.finish()


def _traces_if_on(scope: Scope) -> TraceStore | None:
    """The app's trace store, for an HTTP request made with the switch on (static files aside)."""
    if scope["type"] != "http" or scope.get("path", "").startswith("/static/"):
        return None
    services: Any = getattr(scope["app"].state, "services", None)
    if services is None or not services.flags.snapshot().get("tracing"):
        return None
    traces: TraceStore = services.traces
    return traces


class _RequestSpan:
    def __init__(self, traces: TraceStore, span: Span, scope: Scope) -> None:
        self._traces = traces
        self._span = span
        self._scope = scope
        self._done = False

    def sending(self, send: Send) -> Send:
        async def sent(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = int(message["status"])
                self._span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    self._span.set_status(Status(StatusCode.ERROR))
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                await self.finish()
            await send(message)

        return sent

    async def finish(self) -> None:
        """End the span, named by its route as matched (`POST /api/conversations/{id}/messages`),
        and hand the rest of its trace to the store if a turn claimed it."""
        if self._done:
            return
        self._done = True
        route = getattr(self._scope.get("route"), "path", None)
        if route:
            self._span.update_name(f"{self._scope.get('method', 'GET')} {route}")
            self._span.set_attribute("http.route", route)
        self._span.end()
        trace_id = trace_id_of(self._span)
        if trace_id is not None:
            self._traces.request_done(trace_id)
