"""Everything long-lived, built once at start-up and handed to the routes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from sqlalchemy.ext.asyncio import AsyncEngine

from switchboard.agents.approval import build_approval_graph
from switchboard.agents.context import InputScanner, TurnContext
from switchboard.agents.embeddings import CachedEmbedder, Embedder, StaticEmbedder
from switchboard.agents.graph import Graph, build_graph
from switchboard.agents.llm.chaos import ChaosProvider
from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.llm.providers.anthropic import AnthropicProvider
from switchboard.agents.llm.providers.demo import DEMO_PROFILES, DemoProvider, with_speed
from switchboard.agents.llm.providers.local_gguf import LocalGGUFProvider, gguf_file, load_llama
from switchboard.agents.llm.providers.openai_compat import OpenAICompatProvider
from switchboard.agents.llm.types import Aliased, Provider
from switchboard.agents.prompts import PromptBook
from switchboard.app.lab.chaos import DEMO_VENDORS, ChaosBoard
from switchboard.app.lab.faulty_shop import FaultyShop
from switchboard.app.lab.flags import FlagBoard
from switchboard.app.lab.poisoned_knowledge import POISONED_SOURCE, PoisonableKnowledge
from switchboard.app.runs.online_evals import OnlineEvaluator
from switchboard.app.settings import Settings
from switchboard.app.shop.db import Sessions, create_tables, make_engine, make_sessions
from switchboard.app.shop.knowledge import KnowledgeBase
from switchboard.app.shop.seed import seed_if_empty
from switchboard.app.shop.store import ShopStore
from switchboard.app.turns.approvals import ApprovalDesk
from switchboard.app.turns.conversations import ConversationStore, new_id
from switchboard.app.turns.degradation import Ladder
from switchboard.app.turns.privacy import PeopleIndex
from switchboard.app.turns.records import RecordStore
from switchboard.app.turns.runner import TurnRunner
from switchboard.evals.judge import Judge
from switchboard.patterns.admission import Admission
from switchboard.patterns.degradation import RecentAnswers
from switchboard.patterns.injection import Canary, Scanner, default_bank_path, load_bank
from switchboard.patterns.pii import Vault
from switchboard.patterns.scan_cache import CachedScanner

SHIPPED_KB = "shipped"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
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
    turns: TurnRunner
    online: OnlineEvaluator
    now: Callable[[], datetime]
    chaos: ChaosBoard
    approvals: ApprovalDesk
    ladder: Ladder


def build_gateway(settings: Settings, embedder: Embedder, client: httpx.AsyncClient) -> tuple[Gateway, ChaosBoard]:
    """Every model is served by one chain, primary first: any real providers configured, then two
    simulated vendors — so that retries, breakers and failover have somewhere to go offline.
    Each provider sits behind its own fault injector, set from the chaos board."""
    ttft = None if settings.demo_ttft_ms is None else settings.demo_ttft_ms / 1000
    profiles = with_speed(DEMO_PROFILES, ttft, settings.demo_tokens_per_s)
    demo = [(DemoProvider(embedder, profiles, name=name), None) for name in DEMO_VENDORS]
    vendors = [*real_providers(settings, client), *demo]
    chaos = ChaosBoard(tuple(provider.name for provider, _ in vendors))
    chain: list[Provider] = []
    for seed, (provider, serves) in enumerate(vendors, start=settings.chaos_seed):
        faulty = ChaosProvider(provider, chaos.dials_for(provider.name), seed=seed)
        chain.append(faulty if serves is None else Aliased(faulty, serves))
    return Gateway({model: chain for model in profiles}, idle_timeout=settings.call_timeout_s), chaos


def real_providers(settings: Settings, client: httpx.AsyncClient) -> list[tuple[Provider, str]]:
    """The configured real providers, each with the model it serves in place of the demo models."""
    found: list[tuple[Provider, str]] = []
    if settings.openai_base_url:
        real = OpenAICompatProvider(
            client, settings.openai_base_url, settings.openai_api_key, "openai", settings.openai_json_mode
        )
        found.append((real, settings.openai_model or settings.model))
    if settings.anthropic_api_key:
        claude = AnthropicProvider(client, settings.anthropic_api_key, settings.anthropic_base_url)
        found.append((claude, settings.anthropic_model))
    if settings.local_model:
        path = gguf_file(settings.local_model)
        local = LocalGGUFProvider(lambda: load_llama(path, settings.local_context, settings.local_threads))
        found.append((local, path.stem))
    return found


def open_knowledge(settings: Settings, embedder: Embedder) -> KnowledgeBase:
    """Open the collection and bring the shipped articles up to date (cheap when unchanged).
    The chaos panel's poisoned article is indexed too; searches hide it unless it is switched on."""
    kb = KnowledgeBase.open(settings.chroma_path, settings.kb_collection, embedder)
    kb.ingest(settings.kb_dir, source=SHIPPED_KB)
    kb.ingest(settings.chaos_kb_dir, source=POISONED_SOURCE)
    return kb


@asynccontextmanager
async def running_services(
    settings: Settings, now: Callable[[], datetime] = utcnow, scanner: InputScanner | None = None
) -> AsyncIterator[Services]:
    """Everything long-lived, for as long as the app runs. `now` and `scanner` are seams for tests."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedder = CachedEmbedder(StaticEmbedder(settings.embedding_model_dir))
    engine = make_engine(settings.resolved_database_url)
    await create_tables(engine)
    sessions = make_sessions(engine)
    await seed_if_empty(sessions, settings.seed_dir, now())
    knowledge = await asyncio.to_thread(open_knowledge, settings, embedder)
    http = httpx.AsyncClient(timeout=httpx.Timeout(60, connect=5))
    async with http, AsyncSqliteSaver.from_conn_string(str(settings.checkpoint_path)) as saver:
        gateway, chaos = build_gateway(settings, embedder, http)
        scanner = scanner or CachedScanner(Scanner(embedder.embed, load_bank(default_bank_path())))
        services = _assemble(settings, engine, sessions, knowledge, gateway, saver, now, chaos, scanner)
        await services.approvals.release_claims()
        await services.turns.recover_interrupted()  # turns the last run of the server died in
        yield services
        await services.online.close()
    await engine.dispose()


def _assemble(
    settings: Settings,
    engine: AsyncEngine,
    sessions: Sessions,
    knowledge: KnowledgeBase,
    gateway: Gateway,
    saver: AsyncSqliteSaver,
    now: Callable[[], datetime],
    chaos: ChaosBoard,
    scanner: InputScanner,
) -> Services:
    shop = ShopStore(sessions, now)
    visible = PoisonableKnowledge(knowledge, chaos.agent_faults)
    conversations = ConversationStore(sessions, now)
    records = RecordStore(sessions)
    prompts = PromptBook()
    flags = FlagBoard(max_chapter=settings.chapter)
    graph = build_graph(saver)
    faulty_shop = FaultyShop(shop, chaos.agent_faults, seed=settings.chaos_seed)

    def make_context(
        customer_id: str,
        conversation_id: str,
        snapshot: dict[str, bool],
        vault: Vault | None,
        started: float | None = None,
    ) -> TurnContext:
        """`started`: the instant (time.monotonic) the turn began, which its latency budget counts from."""
        began = time.monotonic() if started is None else started
        return TurnContext(
            customer_id=customer_id,
            conversation_id=conversation_id,
            flags=snapshot,
            gateway=gateway,
            shop=faulty_shop,
            knowledge=visible,
            prompts=prompts,
            model=settings.model,
            router_model=settings.router_model,
            deadline=began + settings.turn_budget_s if snapshot.get("latency_budget") else None,
            turn_id=new_id("turn_"),
            scanner=scanner,
            canary=Canary.new(),
            vault=vault,
        )

    approvals = ApprovalDesk(
        sessions,
        build_approval_graph(saver),
        shop,
        lambda customer, conversation: make_context(customer, conversation, flags.snapshot(), None),
        now,
        timedelta(minutes=settings.approval_deadline_minutes),
    )
    judge = Judge(gateway, prompts.get("judge").text, settings.judge_model)
    online = OnlineEvaluator(judge, every=settings.online_eval_every)
    ladder = Ladder(RecentAnswers(), visible, shop)
    turns = TurnRunner(
        graph,
        conversations,
        records,
        flags,
        make_context,
        now,
        after_turn=[online.consider, ladder.learn],
        ladder=ladder,
        others_data=PeopleIndex(shop).others,
        approvals=approvals,
        admission=Admission(settings.max_concurrent_turns),
        budget_s=settings.turn_budget_s,
    )
    return Services(
        settings,
        engine,
        sessions,
        shop,
        conversations,
        records,
        knowledge,
        gateway,
        prompts,
        flags,
        graph,
        turns,
        online,
        now,
        chaos,
        approvals,
        ladder,
    )
