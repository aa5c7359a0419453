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

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

# cancelled: the customer went away (closed the page, or stopped reading) before the answer ended
Outcome = Literal["answered", "escalated", "blocked", "declined", "degraded", "cancelled", "error"]
BudgetAction = Literal["warn", "degrade", "refuse"]  # what token_budget did when a budget ran out


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
    """A guard that acted on the turn (tripped): what metrics and outcomes count."""

    guard: str
    action: str
    detail: str = ""


class CheckRecord(_Frozen):
    """A guard's verdict on the turn, passed or not: `pass`, or the action it took."""

    guard: str
    verdict: str  # pass | block | flag | halt | repair | fallback | withhold | reask | escalate
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"


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
    estimated: bool = False  # cut off before the provider reported usage: the gateway counted it


# A turn's timeline (what the agent view shows live and the record keeps), one item per thing
# that happened, stamped with the milliseconds since the turn began.


class _Item(BaseModel):
    model_config = ConfigDict(frozen=True)

    at_ms: float = 0.0  # since the turn began


class StepItem(_Item):
    kind: Literal["step"] = "step"
    node: str
    label: str = ""


class HandoffItem(_Item):
    kind: Literal["handoff"] = "handoff"
    source: str
    target: str
    reason: str = ""


class RouteItem(_Item):
    kind: Literal["route"] = "route"
    route: str
    confidence: float
    by: str = "router"


class ToolItem(_Item):
    kind: Literal["tool"] = "tool"
    tool: ToolRecord
    output: str = ""  # what the model read back (placeholders, with pii_redaction on)


class PassageRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str
    score: float | None = None
    text: str = ""


class RetrievalItem(_Item):
    kind: Literal["retrieval"] = "retrieval"
    query: str = ""
    passages: list[PassageRecord] = Field(default_factory=list)


class GuardItem(_Item):
    kind: Literal["guard"] = "guard"
    check: CheckRecord


class ModelItem(_Item):
    kind: Literal["model"] = "model"
    call: CallRecordView


class TicketItem(_Item):
    kind: Literal["ticket"] = "ticket"
    ticket_id: str
    reason: str = ""


class ApprovalItem(_Item):
    kind: Literal["approval"] = "approval"
    approval: ApprovalRecord


class ModelChoiceItem(_Item):
    """`model_routing` chose the model that answers, and why (twice when a cascade escalates)."""

    kind: Literal["model_choice"] = "model_choice"
    size: Literal["small", "large"]
    model: str
    reason: str = ""


class ContextWindowItem(_Item):
    """`context_window` fitted the history to its budget: how much went as a summary."""

    kind: Literal["context_window"] = "context_window"
    folded: int = 0
    kept: int = 0
    tokens_whole: int = 0
    tokens_sent: int = 0
    summarised: bool = False  # a summary was made this turn, not reused from the conversation's state


class CacheItem(_Item):
    """`semantic_cache`'s lookup: hit (the stored answer is the reply), miss, or a near
    neighbour rejected by the verification (entities or help-centre articles differ)."""

    kind: Literal["cache"] = "cache"
    outcome: Literal["hit", "miss", "rejected"]
    detail: str = ""
    similarity: float | None = None


class ContextItem(_Item):
    """The conversation as the turn sees it; sent at the start and whenever it changes."""

    kind: Literal["context"] = "context"
    customer_id: str = ""
    order_id: str | None = None  # the order in focus: the last one a tool was asked about
    placeholders: list[str] = Field(default_factory=list)  # the vault's `<EMAIL_1>`, never its values


TraceItem = Annotated[
    StepItem
    | HandoffItem
    | RouteItem
    | ToolItem
    | RetrievalItem
    | GuardItem
    | ModelItem
    | TicketItem
    | ApprovalItem
    | ContextItem
    | ModelChoiceItem
    | ContextWindowItem
    | CacheItem,
    Field(discriminator="kind"),
]
TRACE_ITEM: TypeAdapter[TraceItem] = TypeAdapter(TraceItem)


def trace_json(item: TraceItem) -> dict[str, Any]:
    """A timeline item at the JSON edge: a `trace` event's data."""
    return item.model_dump(mode="json")


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
    tenant_id: str = ""  # the storefront the customer belongs to ("" in rows written before tenants)
    trace_id: str | None = None  # the turn's trace (/traces/{id}), with `tracing` on; None: not traced
    # The version matrix (chapter 12), with `models` below: which prompt versions (a canary's
    # included) and which tool schemas (a short hash) produced this turn. Empty in older rows.
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    tool_schema: str = ""


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
    guards: list[GuardRecord] = Field(default_factory=list)  # those that acted: what metrics count
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
    checks: list[CheckRecord] = Field(default_factory=list)  # every guard's verdict, passed ones too
    timeline: list[TraceItem] = Field(default_factory=list)  # what the agent view showed, in order
    # Chapter 10: what the cost switches decided for this turn (None: the switch was off).
    cache: Literal["hit", "miss", "rejected"] | None = None  # semantic_cache's lookup
    cache_detail: str = ""  # exact | semantic (and the similarity) | why a candidate was rejected
    model_size: Literal["small", "large"] | None = None  # model_routing's choice
    model_reason: str = ""  # why it chose that size
    budget_action: BudgetAction | None = None  # token_budget acted: how
    budget_detail: str = ""  # which budget, and what it had spent
    context_folded: int = 0  # context_window: earlier messages sent as a summary, not whole
    cache_similarity: float | None = None  # semantic_cache: the nearest stored question's cosine, when weighed
    degraded_reason: str = ""  # why no model answered, when the ladder did: "model unavailable", "kill switch on"
    # Chapter 4's `citation_validation` (all 0 with it off): citations of a retrieved article
    # kept, those of an article not retrieved removed with a mark, and corrections that repaired them.
    citations_valid: int = 0
    citations_repaired: int = 0
    citations_removed: int = 0

    def as_json(self) -> dict[str, Any]:
        """The record at the JSON edge: stored, served and sent in `done`."""
        return self.model_dump(mode="json")
