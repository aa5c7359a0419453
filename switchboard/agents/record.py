"""A turn's request record, typed: what it did, what it cost, what served it.

The record is the contract between the turn runner that builds it (app/turns/recorder.py),
the record store, metrics, online evals and runs (app/), the eval scorers and report
(evals/), the pages and the API. It lives here, in `agents`, because every part of it is
something the graph reported (agents/events.py: tools used, guards tripped, model calls,
approvals) and because `agents` is below both of its readers: `app` builds it, and `evals`,
which may import nothing of `app`, scores it.

At the JSON edge — the stored row's `data`, `GET /api/records/{id}`, the `done` SSE event —
it is `model_dump(mode="json")`, with the same keys in the same order as the dict it
replaces; stored JSON comes back through `model_validate`, and every field has a default
so that rows written before a field existed still load.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["answered", "escalated", "blocked", "declined", "degraded", "error"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ToolRecord(_Frozen):
    """A tool call, without what it returned (that is in the record's `evidence`)."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    duration_ms: float = 0.0
    error: str | None = None
    attempts: int = 1


class GuardRecord(_Frozen):
    guard: str
    action: str
    detail: str = ""


class ApprovalRecord(_Frozen):
    order_id: str
    reason: str
    kind: str = "refund"
    amount: float = 0.0
    address: str = ""


class CallRecordView(_Frozen):
    """One model call as the record keeps it (agents/llm/gateway.py's CallRecord)."""

    purpose: str
    model: str
    provider: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    ttft_ms: float | None = None
    duration_ms: float = 0.0
    error: str | None = None
    tier: int = 0
    attempt: int = 1
    cut_mid_stream: bool = False


class RecordBase(_Frozen):
    """The fields of a record known when the turn begins."""

    id: str = ""
    conversation_id: str = ""
    customer_id: str = ""
    message_id: str = ""
    flags: dict[str, bool] = Field(default_factory=dict)
    flags_key: str = ""
    streamed: bool | None = None  # None: not known (an interrupted turn)
    run_id: str | None = None  # the eval run that played it; None for a live turn


class TurnRecord(RecordBase):
    """A finished turn's record. Field order is the stored JSON's key order."""

    created_at: str = ""  # ISO 8601 to the second, as stored
    outcome: Outcome = "error"
    error: str | None = None
    route: str | None = None
    router_confidence: float | None = None
    path: list[str] = Field(default_factory=list)
    tools: list[ToolRecord] = Field(default_factory=list)
    retrieved: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    tickets: list[str] = Field(default_factory=list)
    guards: list[GuardRecord] = Field(default_factory=list)
    approvals: list[ApprovalRecord] = Field(default_factory=list)
    models: list[str] = Field(default_factory=list)
    calls: list[CallRecordView] = Field(default_factory=list)
    tier_served: str | None = None  # primary | secondary | tertiary, or the ladder's rung
    providers: list[str] = Field(default_factory=list)
    retries: int = 0
    failed_attempts: int = 0
    mid_stream_cuts: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    ttft_ms: float | None = None
    total_ms: float | None = None
    token_events: int = 0
    answer_chars: int = 0

    def as_json(self) -> dict[str, Any]:
        """The record at the JSON edge: stored, served and sent in `done`."""
        return self.model_dump(mode="json")
