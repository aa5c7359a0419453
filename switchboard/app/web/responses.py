"""Response bodies of the JSON API, so that OpenAPI documents every field a client reads.

Each mirrors the JSON the route returned before it had a model, key for key. Numbers that may
be whole are `int | float`: a bare `float` would turn a 3 into a 3.0 on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from switchboard.app.cost.spend_report import ProjectionView, SpendReport

Number = int | float


class Body(BaseModel):
    """A response body: a key the model does not name is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class CustomerSummary(Body):
    id: str
    name: str
    loyalty_tier: str
    tenant_id: str = Field(description="The storefront the customer shops at.")
    tenant_name: str


class MessageView(Body):
    """A message of the customer's conversation, as its chat reloads it."""

    id: str
    conversation_id: str
    role: str = Field(description="user or assistant")
    content: str
    created_at: datetime
    complete: bool = Field(description="False while its answer streams, or when the stream was cut off.")
    record_id: str | None = Field(description="The turn record of an answer; None for the customer's own message.")


class FlagEntry(Body):
    """One registered flag, its current value and the chapter it belongs to."""

    name: str
    chapter: int
    title: str
    description: str
    moves: str = Field(description="The metric it moves.")
    default: bool
    built: bool
    mode: bool = Field(description="How another switch runs, not a pattern of its own.")
    value: bool
    chapter_title: str


class FlagsView(Body):
    flags: dict[str, bool]
    max_chapter: int | None = Field(description="Later chapters' flags stay off; None: every chapter is open.")
    registry: list[FlagEntry]


class ChaosView(Body):
    preset: str
    chaos: dict[str, dict[str, Any]] = Field(description="Each provider's dials, and the agent's faults.")
    presets: list[str]
    breakers: dict[str, str] = Field(description="Each provider's circuit breaker: closed, open or half_open.")
    words: dict[str, str] = Field(
        default_factory=dict, description='Each provider\'s faults in words ("down", "20% errors"), and the agent\'s.'
    )


class ConfigurationMetrics(Body):
    """Live turns under one flag configuration."""

    flags_key: str
    count: int
    p50_ms: Number | None
    p95_ms: Number | None
    p50_ttft_ms: Number | None
    p95_ttft_ms: Number | None
    mean_cost_usd: Number
    mean_tokens: Number
    answered_rate: Number
    escalated_rate: Number
    error_rate: Number


class OnlineEvalsView(Body):
    every: int
    scored: int
    pending: int
    skipped: int
    failed: int
    mean_score: Number | None
    grounded_rate: Number | None
    judge_cost_usd: Number


class TenantMetrics(Body):
    """One storefront's live turns, per configuration."""

    tenant_id: str = Field(description='"" for turns recorded before there were tenants.')
    tenant_name: str
    turns: int
    configurations: list[ConfigurationMetrics]


class MetricsView(Body):
    tenant: str | None = Field(description="The tenant `?tenant=` narrowed the figures to; null: every tenant's.")
    configurations: list[ConfigurationMetrics]
    turns: int
    tenants: list[TenantMetrics] = Field(description="The same figures for each tenant in view, labelled with it.")
    online_evals: OnlineEvalsView = Field(description="The online judge's tally, over every tenant's turns.")


class ConversationCreated(Body):
    id: str
    customer_id: str


class TurnResult(Body):
    """A turn collected into one body, for a client that asked for JSON rather than a stream."""

    answer: str
    steps: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    record: dict[str, Any] | None = Field(default=None, description="The turn's record, as `GET /api/records/{id}`.")


class JobView(Body):
    """A run started from the browser: its progress, then its run's id or its error."""

    id: str
    dataset: str
    name: str = Field(description="The run's configuration, named by what it changes (config_name).")
    done: int
    total: int
    run_id: str | None
    error: str | None
    finished: bool


class RunRow(Body):
    """A stored run as the runs page lists it."""

    id: str
    name: str
    label: str = Field(description="The configuration named by what differs (config_name), and chaos if any.")
    created_at: str
    dataset: str
    flags: str
    chaos: Any
    cases: int | None
    pass_at_1: Number | None


class Identity(Body):
    customer_id: str
    name: str


class RecentMessage(Body):
    role: str
    content: str


class ApprovalView(Body):
    """An approval as stored: what was asked, its state and, once decided, by whom."""

    id: str
    conversation_id: str
    customer_id: str
    request: dict[str, Any] = Field(description="The action asked for: its kind, order, amount or address, reason.")
    status: str = Field(description="pending, deciding, approve, edit, deny, reply or expired.")
    created_at: str
    deadline_at: str
    decided_at: str | None
    decided_by: str | None
    reply: str


class QueuedApproval(ApprovalView):
    """A pending approval with the exchange that raised it, for the person deciding it."""

    tenant_id: str = Field(description="The storefront the customer shops at.")
    tenant_name: str
    exchange: list[RecentMessage] = Field(description="The customer's message that led to it, and the answer to it.")


class TakeoverState(Body):
    conversation_id: str
    taken_over: bool


class HumanReplySent(Body):
    id: str
    content: str


class LiveConfiguration(ConfigurationMetrics):
    """One configuration of live turns, named, with its snapshot and its outcome and tier counts."""

    name: str = Field(description='What differs from the nearest baseline: "defaults − rag", "chapter-4".')
    flags: dict[str, bool] = Field(description="The full flag snapshot its turns ran under.")
    outcomes: dict[str, int] = Field(description="Turns per outcome, every outcome listed (zeros too).")
    tiers: dict[str, int] = Field(description="Turns per tier that served, every tier seen listed (zeros too).")
    current: bool = Field(description="The board's flags now are this configuration.")


class LiveMetricsView(Body):
    """The Switchboard page's charts: live turns compared per configuration."""

    configurations: list[LiveConfiguration]
    outcomes: list[str] = Field(description="Every outcome a turn can have, in chart order.")
    tiers: list[str] = Field(description="Every tier that served a live turn, best first; none: nothing served.")
    differing: list[str] = Field(description="The switches whose state is not the same in every configuration.")
    current_key: str
    current_name: str
    turns: int


class CostScope(Body):
    """Which turns a cost view covers."""

    run_id: str | None = Field(description="The run whose turns these are; None: live turns (no run played them).")
    run_label: str | None = Field(description="That run's configuration and dataset, as the Runs page names it.")
    tenant: str | None = Field(description="Only this tenant's turns; None: every tenant's.")
    since: str | None = Field(description="Only turns from this moment on (ISO 8601, UTC); None: from the first.")
    window: int = Field(description="The most turns read: the newest in scope. Older ones are left out.")
    truncated: bool = Field(description="More turns matched than the window holds.")


class CostView(Body):
    """Where the money went, and what the measured mix would cost at scale."""

    scope: CostScope
    spend: SpendReport = Field(
        description="Spend by tenant, top customers, configuration, model and day; cost per resolved turn "
        "(resolved: outcome answered); the cache's estimated saving."
    )
    projections: list[ProjectionView] = Field(
        description="Live turns' mix of model calls (tenant and since applied), then the chosen run's, each priced "
        "from the app's price table and scaled to 1K, 10K and 100K turns a day."
    )


class KnowledgeHealthView(Body):
    """The knowledge base's index, as an operator checks it (app/shop/knowledge.py's IndexHealth)."""

    tenants: int = Field(description="Storefronts with an index.")
    articles: int
    chunks: int
    stale_chunks: int = Field(description="Chunks whose vectors another embedder made: re-embedding is due.")
    embedder: str = Field(description='The running embedder ("model2vec:…" or "onnx:…").')
    layout: str = Field(description='How the chunks were cut ("tenant-chunks" is heading-aware; "…/parent" etc.).')
    last_ingest: str | None = Field(description="When an ingest last wrote anything (ISO 8601, UTC).")
    rebuilding: list[str] = Field(description="Storefronts whose index is being re-embedded now.")
    chunking: str = Field(description="How articles are cut: heading, fixed, sentence or parent.")
    building: str | None = Field(
        None, description="A chunking strategy chosen on the panel and being built; the index above serves meanwhile."
    )
    built: int = Field(0, description="Articles cut into the strategy being built so far.")
    to_build: int = Field(0, description="Articles it has to cut in all (0 until the build has counted them).")
    chunking_failure: str | None = Field(None, description="Why the last chunking build failed, until one succeeds.")


class ChunkingView(Body):
    """The chunking strategy serving and the one being built (app/shop/chunking_switch.py)."""

    serving: str = Field(description="The strategy every search is served with now.")
    building: str | None = Field(description="The strategy being built, swapped in once complete.")
    failure: str | None = Field(description="Why the last build failed, until one succeeds.")
    strategies: list[str] = Field(description="The strategies there are (patterns/chunking.py).")
