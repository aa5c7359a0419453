"""What a turn sends the browser, and the events the app itself adds to a turn's record.

Answer text goes out through the privacy filter when `pii_redaction` is on; a parallel scan's
verdict that lands late is told with what had already happened by then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from switchboard.agents.events import GuardTripped, Token
from switchboard.agents.nodes.guard_input import REFUSAL
from switchboard.agents.record import TurnRecord, trace_json
from switchboard.agents.spending import BudgetRefused
from switchboard.app.turns.privacy import WITHHELD, Outbound
from switchboard.app.turns.recorder import TurnRecorder
from switchboard.patterns.injection.scanner import Verdict
from switchboard.patterns.spend_budget import Window


@dataclass(frozen=True)
class TurnEvent:
    """What the browser gets: `step`, `token`, `trace` (a timeline item for the agent view),
    `error` or `done` (with the record).

    `data` is what goes out as JSON; a `done` event also carries its record as the model, for
    whoever reads it in process (an eval run's player)."""

    kind: str
    data: dict[str, Any]
    record: TurnRecord | None = None


def outgoing(text: str, outbound: Outbound | None, recorder: TurnRecorder, whole: bool = False) -> list[TurnEvent]:
    """Answer text as the customer gets it: through the privacy filter when there is one.
    A `whole` answer (streaming off) goes through in one piece, nothing held back."""
    shown = (outbound.feed(text) + (outbound.flush() if whole else "")) if outbound is not None else text
    events: list[Token | GuardTripped] = [Token(shown)] if shown else []
    if outbound is not None and outbound.leaked:
        events += [GuardTripped("pii_redaction", "block", "withheld: the answer carried another customer's data")]
        events += [Token(("\n\n" if recorder.answer or shown else "") + WITHHELD)]
    return recorded(events, recorder)


def released(outbound: Outbound, recorder: TurnRecorder) -> list[TurnEvent]:
    """What the privacy watch's bound in time lets out of the text it holds (a tick between tokens)."""
    shown = outbound.tick()
    return recorded([Token(shown)] if shown else [], recorder)


def recorded(events: list[Token | GuardTripped], recorder: TurnRecorder) -> list[TurnEvent]:
    """Events the app adds to a turn: into its record, and the text out to the browser."""
    for event in events:
        recorder.see(event)
    return [TurnEvent("token", {"text": e.text}) for e in events if isinstance(e, Token)]


def traced(recorder: TurnRecorder) -> list[TurnEvent]:
    """The timeline items the browser has not been sent yet (masked as they were added, with
    `pii_redaction` on: see TurnRunner.begin)."""
    return [TurnEvent("trace", trace_json(item)) for item in recorder.timeline.fresh()]


OUT_OF_TIME = (
    "I'm sorry — this is taking longer than it should, so I've stopped rather than keep you waiting. "
    "Please try again in a moment."
)
WITH_A_PERSON = "A colleague is looking after this conversation now and will reply here shortly."
# What a customer is told when a budget whose action is refuse would be overrun: which budget
# it was, in words that suggest what they can do.
OVER_BUDGET: dict[Window, str] = {
    "request": (
        "I'm sorry — that request is more than I can take on in one go. Could you ask about one thing at a time?"
    ),
    "customer_day": (
        "I'm sorry — you've reached today's limit for the assistant. "
        "I'll be glad to help again tomorrow, or you can ask to speak to a person."
    ),
    "tenant_month": (
        "I'm sorry — the assistant is unavailable for this shop for the rest of the month. "
        "Please contact our support team directly."
    ),
}


def over_budget(refused: BudgetRefused, recorder: TurnRecorder) -> list[TurnEvent]:
    """A budget refused the next model call: the turn ends with a polite word and no model."""
    events: list[Token | GuardTripped] = [GuardTripped("token_budget", "refuse", refused.detail)]
    events.append(Token(("\n\n" if recorder.answer else "") + OVER_BUDGET[refused.window]))
    return recorded(events, recorder)


def late_verdict(verdict: Verdict, recorder: TurnRecorder) -> list[TurnEvent]:
    """A parallel scan's verdict, with what had already happened when it landed."""
    if verdict.action == "allow":
        return []
    ran = [t.name for t in recorder.tools]
    late = f"in parallel: {len(recorder.answer)} characters shown and tools {ran or 'none'} run before it landed"
    detail = f"score {verdict.score:.2f}: {'; '.join(verdict.reasons)} ({late})"
    events: list[Token | GuardTripped] = [GuardTripped("injection_scan", verdict.action, detail)]
    if verdict.action == "block":
        events.append(Token(("\n\n" if recorder.answer else "") + REFUSAL))
    return recorded(events, recorder)
