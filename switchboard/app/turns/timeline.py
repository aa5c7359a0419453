"""A turn's events as the agent view's timeline: typed trace items (agents/record.py), stamped.

The recorder feeds every event it sees through here; the runner sends the new items out as
`trace` SSE events as they happen, and the record keeps them all, so a past answer's view is
the one shown live. Hand-offs are read off the steps: a step into another node than the last
one is a hand-off, with the router's decision or the hand-back's reason as its why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from switchboard.agents.events import (
    ApprovalRequested,
    CacheLooked,
    ContextTrimmed,
    Event,
    GuardPassed,
    GuardTripped,
    ModelCalled,
    ModelChosen,
    Retrieved,
    RouteChosen,
    Step,
    TicketOpened,
    ToolUsed,
)
from switchboard.agents.record import (
    ApprovalItem,
    ApprovalRecord,
    CacheItem,
    CallRecordView,
    CheckRecord,
    ContextItem,
    ContextWindowItem,
    GuardItem,
    HandoffItem,
    ModelChoiceItem,
    ModelItem,
    PassageRecord,
    RetrievalItem,
    RouteItem,
    StepItem,
    TicketItem,
    ToolItem,
    ToolRecord,
    TraceItem,
)
from switchboard.patterns.pii.redaction import Vault

OUTPUT_CHARS = 600  # enough of a tool's result to read in the view; the record's evidence has it all
PASSAGE_CHARS = 240


def check_of(event: GuardTripped | GuardPassed) -> CheckRecord:
    """A guard's verdict: `pass`, or the action it took."""
    if isinstance(event, GuardPassed):
        return CheckRecord(guard=event.guard, verdict="pass", detail=event.detail)
    return CheckRecord(guard=event.guard, verdict=event.action, detail=event.detail)


def placeholders_of(vault: Vault | None) -> list[str]:
    """The vault's placeholders, without the values behind them."""
    return [str(entry["placeholder"]) for entry in vault.to_dict()["entries"]] if vault is not None else []


def _tool(event: ToolUsed, at: float) -> ToolItem:
    fields = {k: v for k, v in asdict(event).items() if k != "output"}
    return ToolItem(at_ms=at, tool=ToolRecord.model_validate(fields), output=event.output[:OUTPUT_CHARS])


def _retrieval(event: Retrieved, at: float) -> RetrievalItem:
    scores: Sequence[float | None] = event.scores or [None] * len(event.sources)
    passages = [
        PassageRecord(source=source, score=None if score is None else round(score, 3), text=text[:PASSAGE_CHARS])
        for source, text, score in zip(event.sources, event.texts, scores, strict=False)
    ]
    return RetrievalItem(at_ms=at, query=event.query, passages=passages)


_CONVERTERS: dict[type, Callable[[Any, float], TraceItem]] = {
    RouteChosen: lambda e, at: RouteItem(at_ms=at, route=e.route, confidence=e.confidence, by=e.by),
    ToolUsed: _tool,
    Retrieved: _retrieval,
    GuardTripped: lambda e, at: GuardItem(at_ms=at, check=check_of(e)),
    GuardPassed: lambda e, at: GuardItem(at_ms=at, check=check_of(e)),
    ModelCalled: lambda e, at: ModelItem(at_ms=at, call=CallRecordView.model_validate(e.call.summary())),
    TicketOpened: lambda e, at: TicketItem(at_ms=at, ticket_id=e.ticket_id, reason=e.reason),
    ApprovalRequested: lambda e, at: ApprovalItem(at_ms=at, approval=ApprovalRecord.model_validate(asdict(e))),
    ModelChosen: lambda e, at: ModelChoiceItem(at_ms=at, **asdict(e)),
    ContextTrimmed: lambda e, at: ContextWindowItem(at_ms=at, **asdict(e)),
    CacheLooked: lambda e, at: CacheItem(at_ms=at, outcome=e.outcome, detail=e.detail, similarity=e.similarity),
}


Mask = Callable[[TraceItem], TraceItem]


class Timeline:
    """The items of one turn, in order; `fresh` gives those not yet sent. With a `mask` (the
    privacy filter, `pii_redaction` on) each item is masked once, as it is added: what goes out
    and what is stored are the same masked item."""

    def __init__(self, mask: Mask | None = None) -> None:
        self._mask = mask
        self.items: list[TraceItem] = []
        self._sent = 0
        self._node: str | None = None
        self._route: RouteChosen | None = None
        self._context: ContextItem | None = None

    def add(self, event: Event, at_ms: float) -> None:
        if isinstance(event, Step):
            self._step(event, at_ms)
            return
        if isinstance(event, RouteChosen):
            self._route = event
        converter = _CONVERTERS.get(type(event))
        if converter is not None:
            self._put(converter(event, at_ms))
        if isinstance(event, ToolUsed) and isinstance(event.arguments.get("order_id"), str | int):
            self.context(at_ms, order_id=str(event.arguments["order_id"]))

    def context(
        self,
        at_ms: float,
        *,
        customer_id: str | None = None,
        order_id: str | None = None,
        placeholders: list[str] | None = None,
    ) -> None:
        """The conversation's context changed (or is first known): an item, if it did change."""
        changes = {"customer_id": customer_id, "order_id": order_id, "placeholders": placeholders}
        known = self._context or ContextItem()
        updated = known.model_copy(update={"at_ms": at_ms, **{k: v for k, v in changes.items() if v is not None}})
        if self._context is None or updated.model_dump(exclude={"at_ms"}) != known.model_dump(exclude={"at_ms"}):
            self._context = updated
            self._put(updated)

    def fresh(self) -> list[TraceItem]:
        """The items added since the last call: what the browser has not been sent yet."""
        new, self._sent = self.items[self._sent :], len(self.items)
        return new

    def _put(self, item: TraceItem) -> None:
        self.items.append(self._mask(item) if self._mask is not None else item)

    def _step(self, event: Step, at_ms: float) -> None:
        if self._node is not None and self._node != event.node:
            self._put(HandoffItem(at_ms=at_ms, source=self._node, target=event.node, reason=self._why(event)))
        self._node = event.node
        self._put(StepItem(at_ms=at_ms, node=event.node, label=event.label))

    def _why(self, step: Step) -> str:
        if self._node == "router" and self._route is not None:
            return f"routed to {self._route.route} at confidence {self._route.confidence:.2f}"
        return step.label if step.node == "router" else ""
