"""The knowledge base's index health and chunking strategy, for operators.

GET /api/knowledge/health     article and chunk counts, stale chunks, embedder, layout, last
                              ingest, the storefronts being re-embedded and any chunking strategy
                              being built, with its progress (operator)
GET /api/knowledge/chunking   the strategy serving, the one being built, the last failure (operator)
PUT /api/knowledge/chunking   `{"strategy": "sentence"}`: 202 while the index is cut again in the
                              background (the old one serves until then), 200 if it serves already;
                              422 for an unknown strategy, 409 while another build runs (operator)
GET /ui/knowledge             the panel's Knowledge base box (polled)
POST /ui/knowledge/chunking   its strategy control
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, field_validator

from switchboard.app.services import Services
from switchboard.app.shop.chunking_switch import SwitchBusy, SwitchState, unknown_strategy
from switchboard.app.shop.knowledge import IndexHealth
from switchboard.app.web.auth import ADMIN_ONLY, ActorDep, actor_of
from switchboard.app.web.deps import ServicesDep
from switchboard.app.web.errors import error_responses
from switchboard.app.web.responses import ChunkingView, KnowledgeHealthView
from switchboard.app.web.templates import templates
from switchboard.patterns.chunking import STRATEGIES

router = APIRouter()


class ChunkingChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strategy: str

    @field_validator("strategy")
    @classmethod
    def known(cls, strategy: str) -> str:
        if (problem := unknown_strategy(strategy)) is not None:
            raise ValueError(problem)
        return strategy


@router.get("/api/knowledge/health", dependencies=ADMIN_ONLY, responses=error_responses(401), tags=["api"])
async def knowledge_health(services: ServicesDep) -> KnowledgeHealthView:
    return await health_now(services)


@router.get("/api/knowledge/chunking", dependencies=ADMIN_ONLY, responses=error_responses(401), tags=["api"])
async def get_chunking(services: ServicesDep) -> ChunkingView:
    return chunking_view(services.chunking.state())


@router.put(
    "/api/knowledge/chunking",
    dependencies=ADMIN_ONLY,
    responses=error_responses(400, 401, 409, 422),
    status_code=202,
    tags=["api"],
)
async def put_chunking(
    body: ChunkingChoice, services: ServicesDep, actor: ActorDep, response: Response
) -> ChunkingView:
    """Cut every article again the chosen way, in the background; kept across restarts once swapped in."""
    if not await choose(services, body.strategy, actor):
        response.status_code = 200  # it serves already: nothing to build
    return chunking_view(services.chunking.state())


async def choose(services: Services, strategy: str, actor: ActorDep) -> bool:
    """Start the build (SwitchBusy while one runs) and audit the operator's choice."""
    before = services.chunking.state().serving
    started = services.chunking.choose(strategy)
    if started:
        await services.audit.record(actor, "knowledge.chunking", {"chunking": before}, {"chunking": strategy})
    return started


@router.get("/ui/knowledge", response_class=HTMLResponse, include_in_schema=False, dependencies=ADMIN_ONLY)
async def knowledge_partial(request: Request, services: ServicesDep) -> HTMLResponse:
    return await knowledge_box(request, services)


@router.post("/ui/knowledge/chunking", response_class=HTMLResponse, include_in_schema=False, dependencies=ADMIN_ONLY)
async def choose_chunking(
    request: Request, services: ServicesDep, strategy: Annotated[str, Form(max_length=40)]
) -> HTMLResponse:
    """The box again, with the build under way, or saying why the choice was refused."""
    try:
        if (problem := unknown_strategy(strategy)) is not None:
            raise ValueError(problem)
        await choose(services, strategy, actor_of(request))
    except (ValueError, SwitchBusy) as refused:
        return await knowledge_box(request, services, str(refused), 409 if isinstance(refused, SwitchBusy) else 422)
    return await knowledge_box(request, services)


async def knowledge_box(request: Request, services: Services, refused: str = "", status: int = 200) -> HTMLResponse:
    context = {"knowledge": await health_now(services), "strategies": STRATEGIES, "refused": refused}
    return templates.TemplateResponse(request, "partials/knowledge.html", context, status_code=status)


async def health_now(services: Services) -> KnowledgeHealthView:
    """Off the event loop: counting asks Chroma, whose client is synchronous."""
    return health_view(await asyncio.to_thread(services.knowledge.health), services.chunking.state())


def health_view(health: IndexHealth, switch: SwitchState | None = None) -> KnowledgeHealthView:
    ingested = None if health.last_ingest is None else datetime.fromtimestamp(health.last_ingest, UTC)
    build = health.building
    return KnowledgeHealthView(
        tenants=health.tenants,
        articles=health.articles,
        chunks=health.chunks,
        stale_chunks=health.stale_chunks,
        embedder=health.embedder,
        layout=health.layout,
        last_ingest=None if ingested is None else ingested.isoformat(timespec="seconds"),
        rebuilding=list(health.rebuilding),
        chunking=health.chunking,
        building=(switch and switch.building) or (build and build.chunking),
        built=build.done if build else 0,
        to_build=build.total if build else 0,
        chunking_failure=switch.failure if switch else None,
    )


def chunking_view(state: SwitchState) -> ChunkingView:
    return ChunkingView(serving=state.serving, building=state.building, failure=state.failure, strategies=[*STRATEGIES])
