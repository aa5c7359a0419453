"""`GET /metrics`: the app's Prometheus metrics (app/telemetry), for the operator's scraper.

Protected like the rest of the operator's side: the admin token as the `X-Admin-Token` header
(or the operator's sign-in cookie), else a 401. A scraper that asks for OpenMetrics
(`Accept: application/openmetrics-text`) gets it; any other Accept, however odd, gets
Prometheus's text format — a scrape never fails on content negotiation.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response

from switchboard.app.web.auth import ADMIN_ONLY
from switchboard.app.web.deps import ServicesDep
from switchboard.app.web.errors import error_responses

router = APIRouter()
TEXT = {
    "description": "The metrics, in Prometheus's text format (or OpenMetrics, if asked for).",
    "content": {"text/plain": {}},
}


@router.get(
    "/metrics",
    dependencies=ADMIN_ONLY,
    response_class=Response,
    responses={200: TEXT, **error_responses(401)},
    tags=["ops"],
)
async def metrics(services: ServicesDep, accept: Annotated[str | None, Header()] = None) -> Response:
    """The operator's: send the admin token as `X-Admin-Token` (or the /admin sign-in cookie).

    Turns by outcome and tier, latency and TTFT histograms, tokens and cost by model, cache
    lookups, breaker states, turns in flight and waiting, rate-limited and shed requests."""
    body, content_type = services.telemetry.exposition(accept)
    return Response(body, media_type=content_type)
