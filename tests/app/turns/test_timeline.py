"""The agent view's timeline: typed trace items sent while the turn runs and kept in its record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from switchboard.agents.events import (
    ApprovalRequested,
    GuardPassed,
    GuardTripped,
    Retrieved,
    RouteChosen,
    Step,
    Token,
    ToolUsed,
)
from switchboard.agents.record import TRACE_ITEM, RecordBase
from switchboard.app.services import Services
from switchboard.app.turns.outgoing import TurnEvent
from switchboard.app.turns.privacy import masked_item
from switchboard.app.turns.recorder import TurnRecorder

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Ticking:
    """A clock that moves 10 ms each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.01
        return self.now


def test_steps_into_another_node_are_hand_offs_with_the_router_s_reason() -> None:
    recorder = TurnRecorder(clock=Ticking(), started=0.0)
    for event in [Step("router", "Choosing"), RouteChosen("orders", 0.82, by="router"), Step("orders", "Looking")]:
        recorder.see(event)
    kinds = [item.kind for item in recorder.timeline.items]
    assert kinds == ["step", "route", "handoff", "step"]
    handoff = recorder.timeline.items[2]
    assert handoff.kind == "handoff" and (handoff.source, handoff.target) == ("router", "orders")
    assert handoff.reason == "routed to orders at confidence 0.82"
    stamps = [item.at_ms for item in recorder.timeline.items]
    assert stamps == sorted(stamps) and stamps[0] > 0


def test_passed_guards_are_checks_but_only_trips_are_guards() -> None:
    recorder = TurnRecorder(clock=Ticking())
    recorder.see(GuardPassed("injection_scan", "allowed at score 0.02"))
    recorder.see(GuardTripped("canary", "block", "withheld"))
    recorder.see(Token("Sorry."))
    record = recorder.record(base=RecordBase(id="r_1"), error=None, now=NOW)
    assert [(c.guard, c.verdict, c.passed) for c in record.checks] == [
        ("injection_scan", "pass", True),
        ("canary", "block", False),
    ]
    assert [g.guard for g in record.guards] == ["canary"]  # metrics and outcomes count trips only
    assert record.outcome == "blocked"


def test_a_tool_s_order_is_the_order_in_focus_and_passages_keep_their_scores() -> None:
    recorder = TurnRecorder(clock=Ticking())
    recorder.timeline.context(0.0, customer_id="C1001", placeholders=[])
    recorder.see(ToolUsed("get_order", {"order_id": "10049"}, ok=True, duration_ms=2.0, output="shipped"))
    recorder.see(Retrieved("tents", ["tent-care", "returns"], ["Dry it.", "Within 45 days."], [0.71234, 0.5]))
    contexts = [i for i in recorder.timeline.items if i.kind == "context"]
    assert [(c.customer_id, c.order_id) for c in contexts] == [("C1001", None), ("C1001", "10049")]
    retrieval = recorder.timeline.items[-1]
    assert retrieval.kind == "retrieval"
    assert [(p.source, p.score) for p in retrieval.passages] == [("tent-care", 0.712), ("returns", 0.5)]
    recorder.timeline.context(1.0, customer_id="C1001")  # nothing changed: no new item
    assert [i.kind for i in recorder.timeline.items].count("context") == 2


def test_fresh_gives_each_item_once() -> None:
    recorder = TurnRecorder(clock=Ticking())
    recorder.see(Step("router", "Choosing"))
    assert [i.kind for i in recorder.timeline.fresh()] == ["step"]
    assert recorder.timeline.fresh() == []


async def _events(services: Services, text: str, **switches: bool) -> list[TurnEvent]:
    conversation = await services.conversations.create("C1001")
    flags = {**services.flags.snapshot(), **switches}
    return [e async for e in services.turns.play(conversation.id, "C1001", text, flags=flags)]


def _traces(events: list[TurnEvent]) -> list[dict[str, Any]]:
    return [e.data for e in events if e.kind == "trace"]


async def test_a_turn_sends_its_timeline_before_done_and_the_record_keeps_it(services: Services) -> None:
    events = await _events(services, "where is my order?")
    kinds = [e.kind for e in events]
    first_token, done = kinds.index("token"), kinds.index("done")
    before_answer = {t["kind"] for t in _traces(events[:first_token])}
    assert {"context", "step", "route", "handoff", "guard", "model", "tool"} <= before_answer
    traces = _traces(events)
    assert all(i < done for i, kind in enumerate(kinds) if kind == "trace")
    checks = {t["check"]["guard"]: t["check"]["verdict"] for t in traces if t["kind"] == "guard"}
    assert checks.get("injection_scan") == "pass" and checks.get("tool_validation") == "pass"
    tool = next(t for t in traces if t["kind"] == "tool")
    assert tool["tool"]["name"] and tool["output"]
    record = events[-1].data
    assert [TRACE_ITEM.validate_python(t) for t in traces] == [
        TRACE_ITEM.validate_python(t) for t in record["timeline"]
    ][: len(traces)]
    assert {c["guard"] for c in record["checks"]} >= {"injection_scan", "structured_output", "tool_validation"}
    steps = [e.data for e in events if e.kind == "step"]
    assert all(set(s) >= {"node", "label", "at_ms"} for s in steps)


async def test_with_pii_redaction_the_view_gets_placeholders_never_the_customer_s_data(services: Services) -> None:
    customer = await services.shop.customer("C1001")
    assert customer is not None
    events = await _events(services, "what email do you have on my account?", pii_redaction=True)
    answer = "".join(e.data["text"] for e in events if e.kind == "token")
    assert customer.email in answer  # the owner reads it restored
    shown = str(_traces(events)) + str(events[-1].data["timeline"]) + str(events[-1].data["checks"])
    for value in (customer.email, customer.phone, customer.address.split(",")[0]):
        assert value not in shown
    contexts = [t for t in _traces(events) if t["kind"] == "context"]
    assert "<EMAIL_1>" in contexts[-1]["placeholders"]
    tool = next(t for t in _traces(events) if t["kind"] == "tool")
    assert "<EMAIL_1>" in tool["output"]
    assert any(t["kind"] == "guard" and t["check"]["guard"] == "pii_redaction" for t in events[-1].data["timeline"])


def test_with_a_mask_every_item_is_masked_once_as_it_is_added() -> None:
    recorder = TurnRecorder(clock=Ticking(), mask=masked_item)
    recorder.see(ToolUsed("get_account", {}, ok=True, duration_ms=1.0, output="email jo.bloggs@example.org"))
    recorder.see(ApprovalRequested("10049", "moved", kind="address", address="12 Harbor Rd, Portland"))
    recorder.see(Retrieved("mail me at jo.bloggs@example.org", ["returns"], ["Send it back within 45 days."]))
    tool, approval, retrieval = recorder.timeline.fresh()
    assert tool.kind == "tool" and tool.output == "email [EMAIL]"
    assert approval.kind == "approval" and "Harbor" not in approval.approval.address
    assert retrieval.kind == "retrieval" and retrieval.query == "mail me at [EMAIL]"
    assert retrieval.passages[0].text == "Send it back within 45 days."
    record = recorder.record(base=RecordBase(id="r_1"), error=None, now=NOW)
    assert "jo.bloggs" not in str(record.timeline)
