"""The app factory: `create_app(settings)` builds services once, in the lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from switchboard.app.runs.replay import RunJobs
from switchboard.app.services import Services, running_services
from switchboard.app.settings import REPO, Settings
from switchboard.app.web import errors
from switchboard.app.web.arrival import StampArrival
from switchboard.app.web.auth import admin_token
from switchboard.app.web.boards import PullBoards
from switchboard.app.web.origin import SameOriginWrites
from switchboard.app.web.routes import (
    api,
    audit,
    budgets,
    calls,
    chapters,
    chat,
    console,
    cost,
    health,
    kill_switch,
    knowledge,
    live,
    pages,
    prometheus,
    prompts,
    runs,
    session,
    traces,
)
from switchboard.app.web.signing import make_signer
from switchboard.app.web.templates import templates
from switchboard.app.web.tracing import TraceRequests

log = logging.getLogger(__name__)

API_DESCRIPTION = """
**Customers** sign in with `POST /api/session` (the demo picks a demo customer) and then send the
session cookie it sets, or its `token` as `Authorization: Bearer <token>`. Conversation, message
and record endpoints answer only for that customer: another customer's conversation is a 404,
no session a 401. **The operator's** endpoints (switches, chaos, runs, approvals, the console)
take the admin token as the `X-Admin-Token` header. State-changing requests that carry cookies
must come from this site (an `Origin` or `Referer` naming this host), or they get a 403.
Errors are `{"error": {"code", "message"}}`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_services(settings) as services:
            app.state.services = services
            sweeper = asyncio.create_task(_expire_approvals(services))
            app.state.jobs = RunJobs()
            yield
            await app.state.jobs.close()
            sweeper.cancel()

    app = FastAPI(title="Switchboard", lifespan=lifespan, description=API_DESCRIPTION)
    app.state.admin_token = admin_token(settings.admin_token)
    app.state.signer = make_signer(settings)
    app.add_middleware(PullBoards)  # innermost: the boards as the fleet set them, for the route
    app.add_middleware(SameOriginWrites)
    app.add_middleware(TraceRequests)  # `tracing`: the request's span, around everything but the stamp
    app.add_middleware(StampArrival)  # added last, so it runs first
    errors.install(app, templates)
    app.mount("/static", StaticFiles(directory=REPO / "ui" / "static"), name="static")
    app.include_router(session.router)
    app.include_router(chat.router)
    app.include_router(live.router)
    app.include_router(api.router)
    app.include_router(budgets.router)
    app.include_router(knowledge.router)
    app.include_router(kill_switch.router)
    app.include_router(pages.router)
    app.include_router(runs.router)
    app.include_router(cost.router)
    app.include_router(console.router)
    app.include_router(prometheus.router)
    app.include_router(audit.router)
    app.include_router(traces.router)
    app.include_router(calls.router)
    app.include_router(prompts.router)
    app.include_router(health.router)
    app.include_router(chapters.router)
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    return app


FAVICON = REPO / "ui" / "static" / "favicon.svg"


async def _favicon() -> FileResponse:
    """Browsers ask for /favicon.ico whatever the page links: the same icon, not a 404."""
    return FileResponse(FAVICON, media_type="image/svg+xml")


SWEEP_EVERY_S = 30.0


async def _expire_approvals(services: Services) -> None:
    """Declines approvals past their deadline, every SWEEP_EVERY_S, for as long as the app runs."""
    while True:
        await asyncio.sleep(SWEEP_EVERY_S)
        try:
            await services.boards.pull()  # no request came before it: its declines run on the fleet's flags
            await services.approvals.expire_overdue()
        except Exception:  # a failed sweep is logged and retried on the next tick
            log.exception("expiring approvals failed")
