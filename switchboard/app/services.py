"""Everything long-lived, built once at start-up and handed to the routes."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from chromadb.api import ClientAPI
from langgraph.checkpoint.base import BaseCheckpointSaver
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from opentelemetry.sdk.trace import SpanProcessor
from sqlalchemy.ext.asyncio import AsyncEngine

from switchboard.agents.approval import build_approval_graph
from switchboard.agents.chapters import wired
from switchboard.agents.context import ContextBudget, InputScanner, Knowledge, Routing, Shop, TurnContext
from switchboard.agents.embeddings import CachedEmbedder, Embedder, OnnxEmbedder, StaticEmbedder
from switchboard.agents.graph import AgentMap, Graph, agent_map, build_graph
from switchboard.agents.llm.chaos import ChaosProvider
from switchboard.agents.llm.gateway import Gateway, served_model
from switchboard.agents.llm.providers.anthropic import AnthropicProvider
from switchboard.agents.llm.providers.demo import DEMO_PROFILES, DemoProvider, with_speed
from switchboard.agents.llm.providers.local_gguf import LocalGGUFProvider, gguf_file, load_llama
from switchboard.agents.llm.providers.openai_compat import OpenAICompatProvider
from switchboard.agents.llm.types import Aliased, ChatRequest, Provider
from switchboard.agents.prompts import PromptBook
from switchboard.agents.record import BudgetAction, TurnRecord
from switchboard.app.checkpoints import open_checkpointer
from switchboard.app.cost.answer_cache import AnswerCache, KbVersions, help_centre_retriever
from switchboard.app.cost.budgets import BudgetBook, BudgetSet, BudgetSpec, LedgerGuard
from switchboard.app.cost.cached_answers import CachedAnswers
from switchboard.app.cost.spend_ledger import SpendLedger
from switchboard.app.cost.vocabulary import catalogue_vocabulary
from switchboard.app.heap import settled_heap
from switchboard.app.lab.chaos import DEMO_VENDORS, ChaosBoard
from switchboard.app.lab.faulty_shop import FaultyShop
from switchboard.app.lab.flags import FlagBoard
from switchboard.app.lab.plants import PlantedKnowledge, PlantedShop, Plants
from switchboard.app.lab.poisoned_knowledge import POISONED_SOURCE, PoisonableKnowledge, visible_versions
from switchboard.app.runs.online_evals import OnlineEvaluator
from switchboard.app.settings import Settings
from switchboard.app.shared.boards import Board, Boards, LocalBoards, SharedBoards
from switchboard.app.shared.redis import open_redis
from switchboard.app.shared.resilience import ResilienceSync, shared_resilience
from switchboard.app.shop.audit import AuditLog
from switchboard.app.shop.chroma import chroma_client
from switchboard.app.shop.chunking_switch import ChunkingSwitch, stored_chunking
from switchboard.app.shop.db import Sessions, make_engine, make_sessions, start_up_lock, upgrade_schema
from switchboard.app.shop.knowledge import REFUSE_BELOW, Folders, KnowledgeBase
from switchboard.app.shop.leases import LeaseTerms, ProcessLeases
from switchboard.app.shop.prompt_rollouts import PromptRollouts
from switchboard.app.shop.seed import seed_if_empty
from switchboard.app.shop.store import ShopStore
from switchboard.app.shop.tenants import Tenants, load_tenants
from switchboard.app.telemetry.gauges import LiveGauges
from switchboard.app.telemetry.metrics import Telemetry
from switchboard.app.telemetry.otlp import otlp_processor, service_resource
from switchboard.app.telemetry.tracing import Tracing
from switchboard.app.turns.approvals import ApprovalDesk
from switchboard.app.turns.call_log import CallLog
from switchboard.app.turns.call_replay import CallReplayer
from switchboard.app.turns.conversations import ConversationStore, new_id
from switchboard.app.turns.degradation import Ladder
from switchboard.app.turns.feed import ConversationFeed, Feed
from switchboard.app.turns.kill_switch import KillSwitchBoard
from switchboard.app.turns.privacy import PeopleIndex, text_masker
from switchboard.app.turns.records import RecordStore
from switchboard.app.turns.recovery import LeaseKeeper
from switchboard.app.turns.runner import TurnRunner
from switchboard.app.turns.traces import TraceStore
from switchboard.evals.judge import Judge
from switchboard.patterns.admission import Admission
from switchboard.patterns.circuit_breaker import State
from switchboard.patterns.degradation import RecentAnswers
from switchboard.patterns.injection.canary import Canary
from switchboard.patterns.injection.scanner import Scanner, default_bank_path, load_bank
from switchboard.patterns.model_quota import ModelQuotas, Quota, QuotaKey, parse_quotas
from switchboard.patterns.model_routing import ComplexityPolicy
from switchboard.patterns.pii.redaction import Vault
from switchboard.patterns.rate_limit import CustomerLimits
from switchboard.patterns.scan_cache import CachedScanner
from switchboard.patterns.semantic_cache import CachePolicy
from switchboard.patterns.spend_budget import live_judge_key, replay_key

if TYPE_CHECKING:
    from redis.asyncio import Redis

SHIPPED_KB = "shipped"
P = TypeVar("P")  # a part of the turn, wired or not (`_Assembly._if_wired`)

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    guards: frozenset[str]  # the optional guards this app wires (`--chapter N`: agents/chapters.py)
    tenants: Tenants  # the storefronts served, from settings.tenants_dir
    engine: AsyncEngine
    sessions: Sessions
    shop: ShopStore
    conversations: ConversationStore
    records: RecordStore
    knowledge: KnowledgeBase
    gateway: Gateway
    prompts: PromptBook
    flags: FlagBoard
    graph: Graph
    agent_map: AgentMap  # the graph as the agent view draws it: read once, it never changes
    turns: TurnRunner
    online: OnlineEvaluator
    now: Callable[[], datetime]
    chaos: ChaosBoard
    approvals: ApprovalDesk
    ladder: Ladder
    feed: Feed  # what the console posts into a conversation, pushed to its open chat
    budgets: BudgetBook  # the token budgets in force (chapter 10), editable on the panel
    ledger: SpendLedger  # what each budget window has spent
    spend: LedgerGuard  # every model call's check and charge against the two
    answers: CachedAnswers  # semantic_cache's answers, looked up and kept by turns
    telemetry: Telemetry  # GET /metrics: this app's own Prometheus registry (app/telemetry)
    audit: AuditLog  # every operator action, write-once (app/shop/audit.py)
    rate_limits: CustomerLimits  # rate_limit: each customer's messages and tokens per minute
    kill_switch: KillSwitchBoard  # the operator's stop for every model call (chapter 12)
    admission: Admission  # turns in flight and in line: the runner's slots, the door's verdict (load_shedding)
    traces: TraceStore  # tracing: each turn's spans, kept in the database for the trace viewer
    call_log: CallLog  # every model call's exact request and answer, for replay (issue 14)
    replayer: CallReplayer  # a stored call's request sent again, to the same or another model
    rollouts: PromptRollouts  # prompt_canary: each prompt's stable version and candidate (chapter 12)
    plants: Plants  # eval runs' indirect-injection plants, per conversation (app/lab/plants.py)
    boards: Boards  # flags, chaos, kill switch and budgets kept in step across replicas (through Redis, if set)
    leases: ProcessLeases  # this process's lease on what it streams and decides (app/shop/leases.py)
    keeper: LeaseKeeper  # renews it, and closes lapsed processes' work, on a timer
    chunking: ChunkingSwitch  # the panel's live choice of chunking strategy, built in the background
    resilience: ResilienceSync | None = None  # breakers and retry budget shared with the other replicas


def build_gateway(settings: Settings, embedder: Embedder, client: httpx.AsyncClient) -> tuple[Gateway, ChaosBoard]:
    """Every model is served by one chain, primary first: any real providers configured, then two
    simulated vendors — so that retries, breakers and failover have somewhere to go offline.
    Each provider sits behind its own fault injector, set from the chaos board."""
    ttft = None if settings.demo_ttft_ms is None else settings.demo_ttft_ms / 1000
    profiles = with_speed(DEMO_PROFILES, ttft, settings.demo_tokens_per_s)
    demo = [(DemoProvider(embedder, profiles, name=name), None) for name in DEMO_VENDORS]
    vendors = [*real_providers(settings, client), *demo]
    wrappers = wired(settings.chapter, "wrapper")
    if "failover" not in wrappers:  # before chapter 9 a model has one provider: nowhere to fail over to
        vendors = vendors[:1]
    chaos = ChaosBoard(tuple(provider.name for provider, _ in vendors))
    chain: list[Provider] = []
    for seed, (provider, serves) in enumerate(vendors, start=settings.chaos_seed):
        faulty = ChaosProvider(provider, chaos.dials_for(provider.name), seed=seed)
        chain.append(faulty if serves is None else Aliased(faulty, serves))
    chains = {model: chain for model in profiles}
    quotas = ModelQuotas(known_quotas(settings.model_quotas, chains)) if "quota" in wrappers else None
    return Gateway(chains, idle_timeout=settings.call_timeout_s, quotas=quotas, wrappers=wrappers), chaos


def span_processors(settings: Settings) -> list[SpanProcessor]:
    """The span processors beside the in-process one that keeps traces in the database: the one
    place an exporter is added (OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set: app/telemetry/otlp.py)."""
    otlp = otlp_processor(settings)
    return [otlp] if otlp is not None else []


def known_quotas(text: str, chains: Mapping[str, Sequence[Provider]]) -> dict[QuotaKey, Quota]:
    """model_quota's quotas, each for a provider and model the chains have: a misspelt name would
    otherwise never be enforced, so it stops the app at start instead, listing the real ones."""
    quotas = parse_quotas(text)
    served = {(p.name, served_model(p, ChatRequest([], model))) for model, chain in chains.items() for p in chain}
    unknown = sorted(f"{provider}:{model}" for provider, model in quotas.keys() - served)
    if unknown:
        known = ", ".join(sorted(f"{provider}:{model}" for provider, model in served))
        raise ValueError(
            f"SWITCHBOARD_MODEL_QUOTAS names {', '.join(unknown)}, which no provider serves (served: {known})"
        )
    return quotas


def real_providers(settings: Settings, client: httpx.AsyncClient) -> list[tuple[Provider, str]]:
    """The configured real providers, each with the model it serves in place of the demo models."""
    found: list[tuple[Provider, str]] = []
    if settings.openai_base_url:
        real = OpenAICompatProvider(
            client=client,
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            name="openai",
            json_mode=settings.openai_json_mode,
            temperature=settings.openai_temperature,
        )
        found.append((real, settings.openai_model or settings.model))
    if settings.anthropic_api_key:
        claude = AnthropicProvider(
            client=client, api_key=settings.anthropic_api_key, base_url=settings.anthropic_base_url
        )
        found.append((claude, settings.anthropic_model))
    if settings.local_model:
        path = gguf_file(settings.local_model)
        local = LocalGGUFProvider(lambda: load_llama(path, settings.local_context, settings.local_threads))
        found.append((local, path.stem))
    return found


def starting_budgets(settings: Settings) -> BudgetSet:
    """The token budgets as the settings give them (0: not limited); the panel's edits replace them."""

    def spec(action: BudgetAction, tokens: int, usd: float) -> BudgetSpec:
        return BudgetSpec(action=action, max_tokens=tokens or None, max_usd=usd or None)

    return BudgetSet(
        request=spec(settings.budget_request_action, settings.budget_request_tokens, settings.budget_request_usd),
        customer_day=spec(
            settings.budget_customer_day_action, settings.budget_customer_day_tokens, settings.budget_customer_day_usd
        ),
        tenant_month=spec(
            settings.budget_tenant_month_action, settings.budget_tenant_month_tokens, settings.budget_tenant_month_usd
        ),
    )


def open_knowledge(
    settings: Settings, tenants: Tenants, embedder: Embedder, chunking: str | None = None
) -> tuple[KnowledgeBase, list[str]]:
    """Open the collection and bring every tenant's shipped articles up to date (cheap when
    unchanged). A tenant's poisoned articles for the chaos panel are indexed too, as its own;
    searches hide them unless the panel switches them on. Also returns the articles that changed
    (`<tenant>/<article>`): the cached answers citing them are to be dropped. `chunking`: the
    panel's stored choice, over the setting's."""
    kb = open_knowledge_base(settings, embedder, chunking)
    kb.recut_others(shipped_folders(tenants))  # an index cut another way: its folders cut again this way
    changed: list[str] = []
    for tenant, folders in shipped_folders(tenants).items():
        for source, folder in folders.items():
            changed += kb.ingest(folder, source=source, tenant=tenant).changed
    kb.refresh_in_background()  # an index another embedder made keeps serving until re-embedded
    return kb, changed


def shipped_folders(tenants: Tenants) -> Folders:
    """Each tenant's shipped articles, and its poisoned ones for the chaos panel if it has any."""
    return {
        t.id: {SHIPPED_KB: t.kb_dir, **({POISONED_SOURCE: t.chaos_dir} if t.chaos_dir.is_dir() else {})}
        for t in tenants
    }


def open_knowledge_base(settings: Settings, static: Embedder, chunking: str | None = None) -> KnowledgeBase:
    """The knowledge base as the settings choose it (chunking, embedder), nothing ingested yet.
    With the onnx embedder, an index the static one built keeps serving until re-embedded."""
    embedder, previous = knowledge_embedders(settings, static)
    floor = REFUSE_BELOW[settings.kb_embedder] if settings.kb_refuse_below is None else settings.kb_refuse_below
    return KnowledgeBase.open(
        open_chroma(settings),
        settings.kb_collection,
        embedder,
        previous=previous,
        chunking=chunking or settings.kb_chunking,
        rerank=settings.kb_rerank,
        floor=floor,
    )


async def chosen_chunking(settings: Settings) -> str | None:
    """The panel's stored choice of chunking strategy, for a command run beside the server
    (`switchboard ingest` writes into the index the server serves, not the setting's)."""
    engine = make_engine(settings.resolved_database_url)
    try:
        await upgrade_schema(engine)
        return await stored_chunking(make_sessions(engine))
    finally:
        await engine.dispose()


def knowledge_embedders(settings: Settings, static: Embedder) -> tuple[Embedder, tuple[Embedder, ...]]:
    """The knowledge base's embedder and the ones an existing index may have been built with."""
    if settings.kb_embedder == "static":
        return static, ()
    return CachedEmbedder(OnnxEmbedder(settings.kb_embedding_model_dir)), (static,)


def open_chroma(settings: Settings) -> ClientAPI:
    """The knowledge base's and the semantic cache's Chroma: a server if one is set, else embedded."""
    return chroma_client(settings.chroma_path, settings.chroma_url)


def open_answer_cache(
    settings: Settings,
    embedder: Embedder,
    vocabulary: frozenset[str],
    kb_versions: KbVersions,
    knowledge: KnowledgeBase | None = None,
) -> AnswerCache:
    """The semantic cache's collection, beside the knowledge base's, with the threshold, TTL and
    retrieval support from settings. The one place it is built (the server and `switchboard
    ingest` both call it; ingest only deletes, so it needs no `knowledge` to verify against)."""
    policy = CachePolicy(settings.cache_threshold, settings.cache_ttl_s, settings.cache_support, settings.cache_overlap)
    checks_retrieval = settings.cache_support > 0  # 0: the threshold and the entity check alone
    retriever = help_centre_retriever(knowledge) if knowledge is not None and checks_retrieval else None
    return AnswerCache.open(
        open_chroma(settings),
        cache_collection(settings),
        embedder,
        vocabulary,
        kb_versions,
        retriever=retriever,
        policy=policy,
    )


def cache_collection(settings: Settings) -> str:
    """Vectors from two embedders are not comparable, so each keeps its entries apart: switching
    the embedder starts an empty cache instead of serving neighbours measured in another space."""
    base = settings.cache_collection
    return base if settings.cache_embedder == "static" else f"{base}-{settings.cache_embedder}"


def cache_embedder(settings: Settings, static: Embedder) -> Embedder:
    """The semantic cache's embedder: the app's static one, or the contextual MiniLM."""
    if settings.cache_embedder == "static":
        return static
    return CachedEmbedder(OnnxEmbedder(settings.cache_embedding_model_dir))


@asynccontextmanager
async def running_services(
    settings: Settings, now: Callable[[], datetime] = utcnow, scanner: InputScanner | None = None
) -> AsyncIterator[Services]:
    """Everything long-lived, for as long as the app runs. `now` and `scanner` are seams for tests."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedder = CachedEmbedder(StaticEmbedder(settings.embedding_model_dir))
    tenants = load_tenants(settings.tenants_dir)
    engine, sessions = await _open_database(settings, tenants, now)
    chosen = await stored_chunking(sessions)  # the panel's last choice, over SWITCHBOARD_KB_CHUNKING
    knowledge, changed = await asyncio.to_thread(open_knowledge, settings, tenants, embedder, chosen)
    vocabulary = await _vocabulary(sessions, tenants, now)
    http = httpx.AsyncClient(timeout=httpx.Timeout(60, connect=5))
    checkpoints = open_checkpointer(
        settings.resolved_checkpoint_url, settings.checkpoint_path, settings.database_pool_size
    )
    gateway, chaos = build_gateway(settings, embedder, http)
    async with (
        http,
        checkpoints as saver,
        open_redis(settings.redis_url) as shared,
        shared_resilience(shared, gateway.policies, chaos.providers) as resilience,
    ):
        visible = functools.partial(_visible_versions, knowledge, chaos)
        answers_embedder = await asyncio.to_thread(cache_embedder, settings, embedder)
        cache = await asyncio.to_thread(open_answer_cache, settings, answers_embedder, vocabulary, visible, knowledge)
        await asyncio.to_thread(cache.forget_citing, changed)  # articles changed while the server was down
        services = _Assembly(
            settings=settings,
            tenants=tenants,
            engine=engine,
            sessions=sessions,
            knowledge=knowledge,
            gateway=gateway,
            saver=saver,
            shared=shared,
            now=now,
            chaos=chaos,
            cache=cache,
            tracing=Tracing(span_processors(settings), service_resource(settings)),
            scanner=scanner or CachedScanner(Scanner(embedder.embed, load_bank(default_bank_path()))),
        ).services()
        services.resilience = resilience
        await services.budgets.load()  # the panel's last edit, kept across restarts
        await services.kill_switch.load()  # before any turn: a switch left on stays on
        await services.boards.pull()  # with Redis: what the running replicas hold, not the defaults
        await services.spend.drop_expired()  # reservations a dead process never settled
        await services.leases.take()  # before any turn or claim: they carry its id
        await services.approvals.release_claims()  # claims of processes whose lease lapsed
        await services.turns.recover_interrupted()  # turns those processes died in
        services.keeper.start()  # for every process, a server or a run: a lapsed lease's work is closed
        try:
            with settled_heap(settings.gc_freeze) as settled:
                log.info("start-up heap frozen: %d objects set aside from the collector", settled.frozen)
                yield services
        finally:
            services.keeper.stop()  # never left ticking on a closed engine
        await services.chunking.settled()  # a build under way stores its choice before the database closes
        await services.leases.drop()  # a clean stop: what it left unfinished is anyone's to close
        await services.feed.close()  # before the Redis client closes: the feed's last events sent
        await services.online.close()
        await services.spend.settled()  # the last calls' spend is written before the database closes
        await services.traces.flush()  # the last turns' spans, written behind them
        services.traces.tracing.shutdown()  # flushes any exporter's last spans
    await engine.dispose()


def _visible_versions(knowledge: KnowledgeBase, chaos: ChaosBoard) -> dict[str, str]:
    """The articles' versions as the agents see them (the poisoned one only while planted)."""
    return visible_versions(knowledge.versions(), chaos.agent_faults())


async def _vocabulary(sessions: Sessions, tenants: Tenants, now: Callable[[], datetime]) -> frozenset[str]:
    """The words the cache's entity check tells questions apart by, from every shop's catalogue."""
    products = await ShopStore(sessions, now, {t.id: t.policy for t in tenants}).catalogue()
    return catalogue_vocabulary([name for name, _ in products], {category for _, category in products})


async def _open_database(
    settings: Settings, tenants: Tenants, now: Callable[[], datetime]
) -> tuple[AsyncEngine, Sessions]:
    """The database, its schema migrated and each storefront seeded if it has not been."""
    engine = make_engine(settings.resolved_database_url, settings.database_pool_size)
    sessions = make_sessions(engine)
    async with start_up_lock(engine):  # replicas started together take turns
        await upgrade_schema(engine)
        await seed_if_empty(sessions, tenants, now())
    return engine, sessions


def rate_limit_storage(url: str, shared: Redis | None) -> Storage:
    """rate_limit's counters: in this process, or every replica's in Redis — `limits`' own Redis
    storage, on the process's one client's connections, its keys under switchboard:rate_limit."""
    if shared is None:
        return MemoryStorage()
    pool: Any = shared.connection_pool  # `limits` types its options as scalars; it takes a pool too
    return RedisStorage(url, implementation="redispy", key_prefix="switchboard:rate_limit", connection_pool=pool)


async def prepare_shared(settings: Settings, now: Callable[[], datetime] = utcnow) -> None:
    """Start-up's first writes to what processes share — the schema, the seed, the knowledge
    base's collections — done once before several start. Workers started together would race
    for them: on a fresh SQLite file (its one writer refuses a transaction that read before
    another's commit) and on a Chroma server (two creating one collection: one fails)."""
    tenants = load_tenants(settings.tenants_dir)
    engine, sessions = await _open_database(settings, tenants, now)
    chosen = await stored_chunking(sessions)
    await engine.dispose()
    embedder = CachedEmbedder(StaticEmbedder(settings.embedding_model_dir))
    await asyncio.to_thread(open_knowledge, settings, tenants, embedder, chosen)


@dataclass
class _Assembly:
    """What start-up opened, and one builder per long-lived part made from it.

    Each builder runs the first time its part is asked for, so each part is built once and after
    what it is made from. They are pure (reading packaged prompt files at most): start-up's side
    effects — tables, seed data, the index, claims released, interrupted turns closed — stay in
    `running_services`, in their order.
    """

    settings: Settings
    tenants: Tenants
    engine: AsyncEngine
    sessions: Sessions
    knowledge: KnowledgeBase
    gateway: Gateway
    saver: BaseCheckpointSaver[Any]
    shared: Redis | None  # SWITCHBOARD_REDIS_URL's server: the state replicas share, or None for one process
    now: Callable[[], datetime]
    chaos: ChaosBoard
    cache: AnswerCache
    tracing: Tracing
    scanner: InputScanner

    def services(self) -> Services:
        return Services(
            settings=self.settings,
            guards=self.guards,
            tenants=self.tenants,
            engine=self.engine,
            sessions=self.sessions,
            shop=self.shop,
            conversations=self.conversations,
            records=self.records,
            knowledge=self.knowledge,
            gateway=self.gateway,
            prompts=self.prompts,
            flags=self.flags,
            graph=self.graph,
            agent_map=agent_map(self.graph),
            turns=self.turns,
            online=self.online,
            now=self.now,
            chaos=self.chaos,
            approvals=self.approvals,
            ladder=self.ladder,
            feed=self.feed,
            budgets=self.budgets,
            ledger=self.ledger,
            spend=self.spend,
            answers=self.answers,
            telemetry=self.telemetry,
            audit=AuditLog(self.sessions, self.now),
            rate_limits=self.rate_limits,
            kill_switch=self.kill_switch,
            admission=self.admission,
            traces=self.traces,
            call_log=self.call_log,
            replayer=self.replayer,
            rollouts=self.rollouts,
            plants=self.plants,
            boards=self.boards,
            leases=self.leases,
            keeper=LeaseKeeper(self.leases, [self.approvals.release_claims, self.turns.recover_interrupted]),
            chunking=ChunkingSwitch(self.knowledge, self.sessions, shipped_folders(self.tenants)),
        )

    @cached_property
    def boards(self) -> Boards:
        """The operator's boards, shared through Redis when replicas run (app/shared/boards.py)."""
        if self.shared is None:
            return LocalBoards()
        named: dict[str, Board] = {
            "flags": self.flags,
            "chaos": self.chaos,
            "kill_switch": self.kill_switch,
            "budgets": self.budgets,
        }
        return SharedBoards(self.shared, named)

    @cached_property
    def traces(self) -> TraceStore:
        return TraceStore(self.engine, self.tracing, self.prompts.versions)

    @cached_property
    def rollouts(self) -> PromptRollouts:
        return PromptRollouts(self.sessions, self.prompts, self.now)

    @cached_property
    def rate_limits(self) -> CustomerLimits:
        return CustomerLimits(
            self.settings.rate_limit_messages_per_minute,
            self.settings.rate_limit_tokens_per_minute,
            storage=rate_limit_storage(self.settings.redis_url, self.shared),
        )

    async def charge_rate_limits(self, record: TurnRecord) -> None:
        """rate_limit: a customer's turn's tokens count against their next message (an eval
        run's turns are the operator's, not the customer's)."""
        if "rate_limit" in self.guards and record.flags.get("rate_limit") and record.run_id is None:
            tokens = record.input_tokens + record.output_tokens
            await self.rate_limits.charge(tokens, record.tenant_id, record.customer_id)

    async def count_turn(self, record: TurnRecord) -> None:
        """GET /metrics: every stored record, a failed or abandoned turn's too."""
        self.telemetry.turn_recorded(record)

    @cached_property
    def kill_switch(self) -> KillSwitchBoard:
        return KillSwitchBoard(self.sessions, self.gateway.kill_switch, self.now)

    @cached_property
    def answers(self) -> CachedAnswers:
        return CachedAnswers(self.cache, self.prompts.version(), lambda: self.now().timestamp())

    @cached_property
    def budgets(self) -> BudgetBook:
        return BudgetBook(self.sessions, starting_budgets(self.settings))

    @cached_property
    def ledger(self) -> SpendLedger:
        return SpendLedger(self.sessions)

    @cached_property
    def spend(self) -> LedgerGuard:
        hold_for, flush_after = timedelta(seconds=self.settings.budget_hold_s), self.settings.budget_flush_ms / 1000
        return LedgerGuard(self.budgets, self.ledger, self.now, hold_for, flush_after)

    @cached_property
    def shop(self) -> ShopStore:
        return ShopStore(self.sessions, self.now, {t.id: t.policy for t in self.tenants})

    @cached_property
    def faulty_shop(self) -> FaultyShop:
        """The shop as the agents reach it: through the chaos panel's tool faults."""
        return FaultyShop(self.shop, self.chaos.agent_faults, seed=self.settings.chaos_seed)

    @cached_property
    def visible_knowledge(self) -> PoisonableKnowledge:
        """The help centre as the agents and the ladder search it: the poisoned article only when
        the chaos panel switches it on."""
        return PoisonableKnowledge(self.knowledge, self.chaos.agent_faults)

    @cached_property
    def plants(self) -> Plants:
        """What eval runs planted for their indirect-injection cases, per conversation."""
        return Plants()

    def _planted(self, conversation_id: str) -> tuple[Shop, Knowledge]:
        """The shop and help centre as one conversation sees them: with its case's plant, if any."""
        plant = self.plants.get(conversation_id)
        if plant is None:
            return self.faulty_shop, self.visible_knowledge
        if plant.where == "article":
            return self.faulty_shop, PlantedKnowledge(self.visible_knowledge, plant)
        return PlantedShop(self.faulty_shop, plant, self.now()), self.visible_knowledge

    @cached_property
    def leases(self) -> ProcessLeases:
        terms = LeaseTerms(timedelta(seconds=self.settings.lease_ttl_s))
        return ProcessLeases(self.sessions, self.now, terms, new_id("p_"))

    @cached_property
    def feed(self) -> Feed:
        """Per process, or every replica's through Redis pub/sub (the redis package only then)."""
        if self.shared is None:
            return ConversationFeed()
        from switchboard.app.turns.redis_feed import RedisFeed

        return RedisFeed(self.shared)

    @cached_property
    def conversations(self) -> ConversationStore:
        return ConversationStore(self.sessions, self.now, self.feed, self.leases, self.spend.riding)

    @cached_property
    def records(self) -> RecordStore:
        return RecordStore(self.sessions)

    @cached_property
    def prompts(self) -> PromptBook:
        return PromptBook()

    @cached_property
    def flags(self) -> FlagBoard:
        return FlagBoard(max_chapter=self.settings.chapter)

    @cached_property
    def routing(self) -> Routing:
        """`model_routing`'s mode and complexity threshold, from settings."""
        return Routing(self.settings.routing_mode, ComplexityPolicy(threshold=self.settings.routing_threshold))

    @cached_property
    def context_budget(self) -> ContextBudget:
        return ContextBudget(self.settings.context_budget_tokens, self.settings.context_summary_tokens)

    @cached_property
    def graph(self) -> Graph:
        return build_graph(self.saver, self.settings.chapter)

    @cached_property
    def approvals(self) -> ApprovalDesk:
        return ApprovalDesk(
            sessions=self.sessions,
            graph=build_approval_graph(self.saver),
            shop=self.shop,
            make_context=lambda customer, conversation, tenant: self.make_context(
                customer, conversation, self.flags.snapshot(), None, self.budget_from_now(), tenant
            ),
            now=self.now,
            deadline=timedelta(minutes=self.settings.approval_deadline_minutes),
            feed=self.feed,
            leases=self.leases,
        )

    @cached_property
    def online(self) -> OnlineEvaluator:
        judge = Judge(
            self.gateway,
            self.prompts.get("judge").text,
            self.settings.judge_model,
            charge=lambda spent: self.spend.charge_keys([live_judge_key(self.now())], spent),
        )
        # With the kill switch on, the judge is not even asked (its call would be refused).
        return OnlineEvaluator(judge, every=self.settings.online_eval_every, paused=lambda: self.gateway.kill_switch.on)

    @cached_property
    def ladder(self) -> Ladder:
        promise = {t.id: t.policy.reply_within for t in self.tenants}
        return Ladder(RecentAnswers(), self.visible_knowledge, self.shop, promise.__getitem__)

    @cached_property
    def people(self) -> PeopleIndex:
        """The customers' personal data, read from the shop once: for the answer watch and the vault."""
        return PeopleIndex(self.shop)

    @cached_property
    def guards(self) -> frozenset[str]:
        """The turn's optional guards of chapters 1..N (`--chapter N`, agents/chapters.py); one not
        wired is not handed to the runner or the turn's context at all."""
        return frozenset(wired(self.settings.chapter, "guard"))

    def _if_wired(self, guard: str, part: P) -> P | None:
        return part if guard in self.guards else None

    @cached_property
    def turns(self) -> TurnRunner:
        graded = [self.online.consider] if "online_evals" in self.guards else []
        return TurnRunner(
            graph=self.graph,
            conversations=self.conversations,
            flags=self.flags,
            make_context=self.make_context,
            now=self.now,
            tenant_of=self.shop.tenant_of,
            after_turn=[*graded, self.ladder.learn],
            # The ladder stays at every chapter: with the kill switch on (kept: chapters.KEPT) a
            # turn is answered from its model-free rungs. `degradation` (chapter 9) is its switch.
            ladder=self.ladder,
            others_data=self.people.others,
            people=self.people.names,
            approvals=self.approvals,
            admission=self.admission,
            budget_s=self.settings.turn_budget_s,
            prompt_versions=self.rollouts.versions_for,
            answers=self._if_wired("semantic_cache", self.answers),
            after_save=[self.charge_rate_limits, self.count_turn],
            kill_switch=self.gateway.kill_switch,
            traces=self._if_wired("tracing", self.traces),
            call_log=self.call_log,
            window=(self.settings.stream_window, self.settings.stream_stall_s),
            masks=self.masker,
            redacts="pii_redaction" in self.guards,
        )

    @cached_property
    def masker(self) -> Callable[[str], str]:
        """One cached PII masker for the process: the record, its timeline and its call log quote
        the same texts (privacy.text_masker)."""
        return text_masker()

    @cached_property
    def call_log(self) -> CallLog:
        return CallLog(self.sessions, self.masker)

    @cached_property
    def replayer(self) -> CallReplayer:
        """Replays of stored calls, charged to the operator's replay window, not a storefront's."""
        return CallReplayer(self.gateway, lambda spent: self.spend.charge_keys([replay_key(self.now())], spent))

    @cached_property
    def admission(self) -> Admission:
        return Admission(self.settings.max_concurrent_turns, max_wait_s=self.settings.shed_max_wait_s)

    @cached_property
    def telemetry(self) -> Telemetry:
        """A registry per app, never prometheus-client's global one; gauges read when scraped."""
        telemetry = Telemetry()
        telemetry.watch(LiveGauges(self.breaker_states, self.admission))
        return telemetry

    def breaker_states(self) -> dict[str, State]:
        """Each provider's breaker as a call would meet it now (closed until it has seen a call)."""
        breakers = self.gateway.policies.breakers
        return {name: breakers[name].state if name in breakers else "closed" for name in self.chaos.providers}

    def budget_from_now(self) -> float | None:
        """A decision resumed in the Human console keeps to a turn's budget from when it resumes."""
        if not self.flags.snapshot().get("latency_budget"):
            return None
        return time.monotonic() + self.settings.turn_budget_s

    def make_context(
        self,
        customer_id: str,
        conversation_id: str,
        snapshot: dict[str, bool],
        vault: Vault | None,
        deadline: float | None,
        tenant_id: str,
    ) -> TurnContext:
        """`deadline`: the time.monotonic() instant the graph must be done by (None: no budget).
        `tenant_id`: the customer's storefront, as the shop's records have it."""
        shop, knowledge = self._planted(conversation_id)
        return TurnContext(
            customer_id=customer_id,
            conversation_id=conversation_id,
            tenant_id=tenant_id,
            shop_name=self.tenants[tenant_id].name,
            reply_within=self.tenants[tenant_id].policy.reply_within,
            flags=snapshot,
            gateway=self.gateway,
            shop=shop,
            knowledge=knowledge,
            prompts=self.prompts,
            model=self.settings.model,
            router_model=self.settings.router_model,
            small_model=self.settings.router_model,
            routing=self.routing,
            context_budget=self.context_budget,
            fallback_below=self.settings.router_fallback_threshold,
            deadline=deadline,
            turn_id=new_id("turn_"),
            scanner=self.scanner,
            canary=Canary.new(),
            vault=vault,
            spend=self._if_wired("token_budget", self.spend),
            answers=self._if_wired("semantic_cache", self.answers),
        )
