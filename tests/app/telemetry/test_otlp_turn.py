"""A real turn's trace, exported over OTLP by the app itself, arrives whole in a real receiver
(Arize Phoenix on loopback): the same spans as the app's own viewer shows, nested the same way."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.app.web.test_traces import spans_of, turn
from tests.conftest import ADMIN, fast_settings
from tests.phoenix import Phoenix


def test_a_turns_trace_arrives_in_phoenix_as_the_viewer_shows_it(phoenix: Phoenix, tmp_path: Path) -> None:
    settings = fast_settings(tmp_path).model_copy(update={"otel_exporter_otlp_endpoint": phoenix.endpoint})
    with TestClient(create_app(settings), headers=ADMIN) as app:
        app.patch("/api/flags", json={"flags": {"tracing": True}})
        record = turn(app, "where is my order?")
        app.cookies.clear()
        kept = spans_of(app, record["trace_id"])
    # leaving the client shut the app down, which flushed the exporter's last batch
    received = phoenix.client.wait_for_spans(record["trace_id"], len(kept))
    assert sorted(s.name for s in received) == sorted(s["name"] for s in kept)
    assert {(s.span_id, s.parent_id) for s in received} == {(s["span_id"], s["parent_span_id"]) for s in kept}
    attempt = next(s for s in received if s.name.startswith("chat "))
    assert attempt.kind == "LLM" and attempt.attributes["gen_ai.usage.input_tokens"] > 0
    assert attempt.attributes["gen_ai.request.model"] == attempt.attributes["gen_ai.response.model"]
