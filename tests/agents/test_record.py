"""The request record's JSON: what is stored comes back as the same model, old rows included."""

from __future__ import annotations

from datetime import UTC, datetime

from switchboard.agents.events import GuardTripped, ModelCalled, RouteChosen, Token, ToolUsed
from switchboard.agents.llm.gateway import CallRecord
from switchboard.agents.record import RecordBase, TurnRecord
from switchboard.app.turns.recorder import TurnRecorder

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _recorded() -> TurnRecord:
    recorder = TurnRecorder(clock=lambda: 0.0)
    for event in [
        RouteChosen("orders", 0.9, by="router"),
        ToolUsed("get_order", {"order_id": "10057"}, ok=True, duration_ms=3.0, output="shipped"),
        ModelCalled(CallRecord("answer", "demo-large", "demo-a", 10, 5, 0.001, 2.0, 9.0)),
        GuardTripped("canary", "flag", "why"),
        Token("It shipped."),
    ]:
        recorder.see(event)
    return recorder.record(base=RecordBase(id="r_1", flags={"rag": True}), error=None, now=NOW)


def test_a_stored_record_reads_back_as_the_same_record() -> None:
    record = _recorded()
    assert TurnRecord.model_validate(record.as_json()) == record
    assert record.tools[0].name == "get_order" and "output" not in record.as_json()["tools"][0]


def test_the_json_keeps_the_keys_it_always_had_in_their_order() -> None:
    keys = list(_recorded().as_json())
    assert keys[: len(RecordBase.model_fields) + 1] == [*RecordBase.model_fields, "created_at"]
    cost = ["cache", "cache_detail", "model_size", "model_reason", "budget_action", "budget_detail", "context_folded"]
    assert keys[-18:-14] == ["ttft_ms", "total_ms", "token_events", "answer_chars"]
    later = ["cache_similarity", "degraded_reason", "citations_valid", "citations_repaired", "citations_removed"]
    assert keys[-14:] == ["checks", "timeline", *cost, *later]  # fields added later go last
    assert {"tier_served", "providers", "retries", "failed_attempts", "mid_stream_cuts"} <= set(keys)


def test_a_row_older_than_a_field_loads_with_its_default() -> None:
    old = {"id": "r_0", "conversation_id": "c", "customer_id": "C1", "flags_key": "k", "outcome": "answered"}
    record = TurnRecord.model_validate(old)
    assert record.tier_served is None and record.approvals == [] and record.run_id is None
