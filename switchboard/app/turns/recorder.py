"""Folds a turn's events into its request record — the `done` event's payload.

The record is built only from what the graph reported while the turn ran, so it cannot
disagree with what the browser was shown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, cast

from switchboard.agents.events import (
    ApprovalRequested,
    CacheLooked,
    CitationsChecked,
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
    Token,
    ToolUsed,
)
from switchboard.agents.llm.gateway import CallRecord
from switchboard.agents.record import (
    ApprovalRecord,
    BudgetAction,
    CallRecordView,
    CheckRecord,
    GuardRecord,
    Outcome,
    RecordBase,
    ToolRecord,
    TurnRecord,
)
from switchboard.app.turns.timeline import Mask, Timeline, check_of

_CITATION = re.compile(r"\[([a-z0-9][a-z0-9._-]*)\]")
# A turn that reached its end without a word for the customer did not answer them: it is an
# `error` (DESIGN §7: not `degraded`, which is a fallback that did say something).
_BUDGET_STRICTNESS = {"warn": 1, "degrade": 2, "refuse": 3}
EMPTY_ANSWER = "empty answer: the turn ended without a word for the customer"
CLIENT_GONE = "client disconnected"  # the error of a turn whose customer left before its end
CLIENT_STALLED = "client stalled"  # ... or stopped reading for longer than `backpressure` waits


class TurnRecorder:
    def __init__(
        self, clock: Callable[[], float] = time.perf_counter, started: float | None = None, mask: Mask | None = None
    ) -> None:
        """`started`: when the turn's clock started, on `clock` (default: now); `mask`: the
        privacy filter for the timeline's items, with `pii_redaction` on."""
        self._clock = clock
        self._start = clock() if started is None else started
        self._first_token: float | None = None
        self.answer = ""
        self.path: list[str] = []
        self.route: RouteChosen | None = None
        self.tools: list[ToolUsed] = []
        self.retrieved: list[str] = []
        self.evidence: list[str] = []
        self.calls: list[ModelCalled] = []
        self.tickets: list[TicketOpened] = []
        self.tokens_sent = 0
        self.degraded_to: str | None = None  # the ladder's rung, when no model could answer
        self.degraded_reason = ""  # and why no model answered
        self.guards: list[GuardTripped] = []
        self.approvals: list[ApprovalRequested] = []
        self.checks: list[CheckRecord] = []  # every guard's verdict, passed ones too
        self.model_choice: ModelChosen | None = None  # the last: a cascade's escalation overrides its first pick
        self.context_folded = 0
        self.cache: CacheLooked | None = None  # semantic_cache's lookup, when it ran
        self.citations: list[CitationsChecked] = []  # citation_validation's counts, per answer checked
        self.timeline = Timeline(mask)

    def hear(self, calls: Sequence[CallRecord]) -> None:
        """The calls the gateway reported that the graph's stream did not bring (the stream was
        given up when the customer left, while a call was being cut off): recorded all the same."""
        seen = {id(c.call) for c in self.calls}
        for call in calls:
            if id(call) not in seen:
                self.see(ModelCalled(call))

    def elapsed_ms(self) -> float:
        """Since the turn began: every timeline item's stamp."""
        return round((self._clock() - self._start) * 1000, 2)

    def see(self, event: Event) -> None:
        if not isinstance(event, Token):
            self.timeline.add(event, self.elapsed_ms())
        if isinstance(event, GuardTripped | GuardPassed):
            self.checks.append(check_of(event))
        if isinstance(event, Token):
            self._first_token = self._first_token or self._clock()
            self.answer += event.text
            self.tokens_sent += 1
        elif isinstance(event, Step):
            self.path.append(event.node)
        elif isinstance(event, RouteChosen):
            self.route = event
        elif isinstance(event, ToolUsed):
            self.tools.append(event)
            self.evidence.append(event.output)
        elif isinstance(event, Retrieved):
            self.retrieved.extend(s for s in event.sources if s not in self.retrieved)
            self.evidence.extend(t for t in event.texts if t not in self.evidence)
        elif isinstance(event, ModelCalled):
            self.calls.append(event)
        elif isinstance(event, TicketOpened):
            self.tickets.append(event)
        elif isinstance(event, GuardTripped):
            self.guards.append(event)
        elif isinstance(event, ApprovalRequested):
            self.approvals.append(event)
        elif isinstance(event, ModelChosen):
            self.model_choice = event
        elif isinstance(event, ContextTrimmed):
            self.context_folded = event.folded
        elif isinstance(event, CacheLooked):
            self.cache = event
        elif isinstance(event, CitationsChecked):
            self.citations.append(event)

    def budget(self) -> GuardTripped | None:
        """The strictest thing `token_budget` did this turn (refuse, degrade, warn), if it acted."""
        acted = [g for g in self.guards if g.guard == "token_budget" and g.action in _BUDGET_STRICTNESS]
        return max(acted, key=lambda g: _BUDGET_STRICTNESS[g.action], default=None)

    def outcome(self, error: str | None) -> Outcome:
        if error is not None and error.startswith((CLIENT_GONE, CLIENT_STALLED)):
            return "cancelled"
        if error:
            return "error"
        if any(g.action == "block" for g in self.guards):
            return "blocked"
        budget = self.budget()
        if budget is not None and budget.action == "refuse":
            return "declined"  # a budget ran out: politely not answered, which is not an error
        if self.degraded_to:
            return "degraded"
        if self.route is not None and self.route.route == "out_of_scope":
            return "declined"
        handed_over = self.tickets or self.approvals or any(g.action == "escalate" for g in self.guards)
        if handed_over:
            return "escalated"
        return "answered" if self.answer.strip() else "error"

    def record(self, *, base: RecordBase, error: str | None, now: datetime) -> TurnRecord:
        end = self._clock()
        calls = [CallRecordView.model_validate(c.call.summary()) for c in self.calls]
        outcome = self.outcome(error)
        budget = self.budget()
        return TurnRecord(
            **dict(base),
            created_at=now.isoformat(timespec="seconds"),
            outcome=outcome,
            error=error or (EMPTY_ANSWER if outcome == "error" else None),
            route=self.route.route if self.route else None,
            router_confidence=self.route.confidence if self.route else None,
            path=self.path,
            tools=[ToolRecord.model_validate(asdict(t)) for t in self.tools],  # without `output`
            retrieved=self.retrieved,
            evidence=self.evidence,
            sources=list(dict.fromkeys(_CITATION.findall(self.answer))),
            tickets=[t.ticket_id for t in self.tickets],
            guards=[GuardRecord.model_validate(asdict(g)) for g in self.guards],
            approvals=[ApprovalRecord.model_validate(asdict(a)) for a in self.approvals],
            models=list(dict.fromkeys(c.model for c in calls)),
            calls=calls,
            **_resilience(calls, rung=self.degraded_to),
            input_tokens=sum(c.input_tokens for c in calls),
            output_tokens=sum(c.output_tokens for c in calls),
            cost_usd=round(sum(c.cost_usd for c in calls), 8),
            ttft_ms=_ms(self._first_token, self._start),
            total_ms=_ms(end, self._start),
            token_events=self.tokens_sent,
            answer_chars=len(self.answer),
            checks=self.checks,
            timeline=self.timeline.items,
            model_size=self.model_choice.size if self.model_choice else None,
            model_reason=self.model_choice.reason if self.model_choice else "",
            context_folded=self.context_folded,
            cache=self.cache.outcome if self.cache else None,
            cache_detail=self.cache.detail if self.cache else "",
            cache_similarity=self.cache.similarity if self.cache else None,
            budget_action=cast(BudgetAction, budget.action) if budget else None,
            budget_detail=budget.detail if budget else "",
            degraded_reason=self.degraded_reason if self.degraded_to else "",
            citations_valid=sum(c.valid for c in self.citations),
            citations_repaired=sum(c.repaired for c in self.citations),
            citations_removed=sum(c.removed for c in self.citations),
        )


TIERS = ("primary", "secondary", "tertiary")


def _resilience(calls: list[CallRecordView], rung: str | None) -> dict[str, Any]:
    """What it took to get answers: retries, failed attempts, the tier that served (the
    ladder's `rung` when no model could answer)."""
    served = [c for c in calls if c.error is None]
    tier = max((c.tier for c in served), default=None)
    return {
        "tier_served": rung or (None if tier is None else TIERS[min(tier, len(TIERS) - 1)]),
        "providers": list(dict.fromkeys(c.provider for c in served)),
        "retries": sum(1 for c in calls if c.attempt > 1),
        "failed_attempts": sum(1 for c in calls if c.error is not None),
        "mid_stream_cuts": sum(1 for c in calls if c.cut_mid_stream),
    }


def _ms(instant: float | None, start: float) -> float | None:
    return None if instant is None else round((instant - start) * 1000, 2)
