"""The app factory: `create_app(settings)` builds services once, in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from switchboard.app import errors
from switchboard.app.routes import api, chat, pages, runs
from switchboard.app.runs import RunJobs
from switchboard.app.services import running_services
from switchboard.app.settings import REPO, Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_services(settings) as services:
            app.state.services = services
            app.state.jobs = RunJobs()
            yield
            await app.state.jobs.close()

    app = FastAPI(title="Switchboard", lifespan=lifespan)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=REPO / "ui" / "static"), name="static")
    app.include_router(chat.router)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(runs.router)
    return app
