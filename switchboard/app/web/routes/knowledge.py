"""The knowledge base's index health, for operators.

GET /api/knowledge/health   article and chunk counts, stale chunks, embedder, layout, last
                            ingest and the storefronts being re-embedded (operator)
GET /ui/knowledge           the panel's Knowledge base box (polled)
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from switchboard.app.services import Services
from switchboard.app.shop.knowledge import IndexHealth
from switchboard.app.web.auth import ADMIN_ONLY
from switchboard.app.web.deps import ServicesDep
from switchboard.app.web.errors import error_responses
from switchboard.app.web.responses import KnowledgeHealthView
from switchboard.app.web.templates import templates

router = APIRouter()


@router.get("/api/knowledge/health", dependencies=ADMIN_ONLY, responses=error_responses(401), tags=["api"])
async def knowledge_health(services: ServicesDep) -> KnowledgeHealthView:
    return await health_now(services)


@router.get("/ui/knowledge", response_class=HTMLResponse, include_in_schema=False, dependencies=ADMIN_ONLY)
async def knowledge_partial(request: Request, services: ServicesDep) -> HTMLResponse:
    context = {"knowledge": await health_now(services)}
    return templates.TemplateResponse(request, "partials/knowledge.html", context)


async def health_now(services: Services) -> KnowledgeHealthView:
    """Off the event loop: counting asks Chroma, whose client is synchronous."""
    return health_view(await asyncio.to_thread(services.knowledge.health))


def health_view(health: IndexHealth) -> KnowledgeHealthView:
    ingested = None if health.last_ingest is None else datetime.fromtimestamp(health.last_ingest, UTC)
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
    )
