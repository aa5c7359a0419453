"""`GET /healthz`: whether this replica can serve, for a load balancer's or compose's health check.

Open to anyone (it says nothing private) and cheap: one `SELECT 1` on the database. A replica
whose database is unreachable answers 503, so the proxy stops sending it customers.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from switchboard.app.web.deps import ServicesDep
from switchboard.app.web.errors import ApiError
from switchboard.app.web.schemas import Health

router = APIRouter()
log = logging.getLogger(__name__)


@router.get("/healthz", responses={503: {"description": "the database did not answer"}}, tags=["ops"])
async def healthz(services: ServicesDep) -> Health:
    """200 with the database's engine name and this process's identity (which of several workers
    or replicas answered) while the database answers; 503 `unhealthy` when it does not."""
    try:
        async with services.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as failure:
        log.warning("health check: the database did not answer: %s", failure)
        raise ApiError(503, "unhealthy", "the database did not answer") from failure
    me = services.leases.identity
    chapter = services.settings.chapter
    return Health(status="ok", database=services.engine.dialect.name, replica=me.lease, pid=me.pid, chapter=chapter)
