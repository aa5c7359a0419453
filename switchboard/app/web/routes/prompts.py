"""The prompt registry and canary rollout (chapter 12), for the operator only.

    GET  /prompts                          the page: prompts, versions, a diff, the rollout form,
                                           the two versions' live figures side by side
    GET  /api/prompts                      every prompt: its versions and its rollout
    GET  /api/prompts/{name}               one prompt: every version's text, and its rollout
    GET  /api/prompts/{name}/diff?a=&b=    a unified diff from version a to version b
    GET  /api/prompts/{name}/figures       the stable and candidate versions' live figures
    PUT  /api/prompts/{name}/rollout       `{"candidate": "5-worse", "share": 20}`: serve it to 20%
    POST /api/prompts/{name}/promote       the candidate becomes stable, for everyone
    POST /api/prompts/{name}/rollback      the candidate is withdrawn (share 0)

An unknown prompt or version is a 404 naming the ones there are, a share outside 0–100 a 422;
every change is in the audit log. The page's forms post to `/prompts/{name}/…` and come back.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from switchboard.agents.prompts import Prompt
from switchboard.app.runs.prompt_figures import CanaryFigures, canary_figures
from switchboard.app.services import Services
from switchboard.app.shop.audit import Actor
from switchboard.app.shop.prompt_rollouts import RolloutView
from switchboard.app.web.auth import ADMIN_ONLY, ActorDep, actor_of
from switchboard.app.web.deps import ServicesDep
from switchboard.app.web.errors import error_responses
from switchboard.app.web.templates import templates

router = APIRouter(dependencies=ADMIN_ONLY)
READ = error_responses(401, 404)
EDIT = error_responses(400, 401, 404, 422)


class VersionView(BaseModel):
    version: str
    note: str


class VersionText(VersionView):
    text: str


class PromptSummary(BaseModel):
    name: str
    shipped: str  # the version in <name>.md
    versions: list[VersionView]
    rollout: RolloutView


class PromptDetail(PromptSummary):
    texts: list[VersionText]


class PromptDiff(BaseModel):
    prompt: str
    a: str
    b: str
    diff: str  # unified diff; "" when the two are the same


class RolloutChange(BaseModel):
    candidate: str = Field(min_length=1, max_length=64)
    share: float = Field(ge=0, le=100, description="the percentage of conversations served the candidate")


async def _summary(services: Services, name: str) -> PromptSummary:
    rollout = RolloutView.of(await services.rollouts.get(name))
    history = services.prompts.history(name)
    shipped = services.prompts.get(name).version
    versions = [VersionView(version=p.version, note=p.note) for p in history]
    return PromptSummary(name=name, shipped=shipped, versions=versions, rollout=rollout)


@router.get("/api/prompts", responses=error_responses(401), tags=["api"])
async def list_prompts(services: ServicesDep) -> list[PromptSummary]:
    return [await _summary(services, name) for name in services.prompts.names()]


@router.get("/api/prompts/{name}", responses=READ, tags=["api"])
async def get_prompt(name: str, services: ServicesDep) -> PromptDetail:
    summary = await _summary(services, name)
    texts = [_text(p) for p in services.prompts.history(name)]
    return PromptDetail(**summary.model_dump(), texts=texts)


def _text(prompt: Prompt) -> VersionText:
    return VersionText(version=prompt.version, note=prompt.note, text=prompt.text)


@router.get("/api/prompts/{name}/diff", responses=READ, tags=["api"])
async def get_diff(
    name: str,
    services: ServicesDep,
    a: Annotated[str, Query(description="the version diffed from")],
    b: Annotated[str, Query(description="the version diffed to")],
) -> PromptDiff:
    return PromptDiff(prompt=name, a=a, b=b, diff=services.prompts.diff(name, a, b))


@router.get("/api/prompts/{name}/figures", responses=READ, tags=["api"])
async def get_figures(name: str, services: ServicesDep) -> CanaryFigures:
    return await canary_of(services, name)


async def canary_of(services: Services, name: str) -> CanaryFigures:
    return await canary_figures(name, services.rollouts, services.records, services.online)


@router.put("/api/prompts/{name}/rollout", responses=EDIT, tags=["api"])
async def put_rollout(name: str, body: RolloutChange, services: ServicesDep, actor: ActorDep) -> RolloutView:
    """Serve `candidate` to `share`% of conversations (sticky per conversation), with `prompt_canary` on."""
    return await _roll_out(services, actor, name, body)


@router.post("/api/prompts/{name}/promote", responses=EDIT, tags=["api"])
async def post_promote(name: str, services: ServicesDep, actor: ActorDep) -> RolloutView:
    return await services.rollouts.promote(name, services.audit.stamp(actor, "prompts.promote", name))


@router.post("/api/prompts/{name}/rollback", responses=EDIT, tags=["api"])
async def post_rollback(name: str, services: ServicesDep, actor: ActorDep) -> RolloutView:
    return await services.rollouts.roll_back(name, services.audit.stamp(actor, "prompts.rollback", name))


async def _roll_out(services: Services, actor: Actor, name: str, change: RolloutChange) -> RolloutView:
    stamp = services.audit.stamp(actor, "prompts.rollout", name)
    return await services.rollouts.set_candidate(name, change.candidate, change.share, stamp)


@router.get("/prompts", response_class=HTMLResponse, include_in_schema=False)
async def prompts_page(
    request: Request,
    services: ServicesDep,
    name: Annotated[str, Query()] = "router",
    a: Annotated[str | None, Query()] = None,
    b: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    summary = await _summary(services, name)
    canary = await canary_of(services, name)
    a = a or summary.rollout.stable
    b = b or summary.rollout.candidate or summary.versions[-1].version
    context = {
        "active": "prompts",
        "prompts": [await _summary(services, n) for n in services.prompts.names()],
        "chosen": summary,
        "diff": PromptDiff(prompt=name, a=a, b=b, diff=services.prompts.diff(name, a, b)),
        "canary": canary,
        "canary_on": services.flags.snapshot().get("prompt_canary", False),
    }
    return templates.TemplateResponse(request, "prompts.html", context)


def _back(name: str) -> RedirectResponse:
    return RedirectResponse(f"/prompts?name={name}", status_code=303)


@router.post("/prompts/{name}/rollout", include_in_schema=False)
async def form_rollout(
    request: Request,
    name: str,
    services: ServicesDep,
    candidate: Annotated[str, Form(min_length=1, max_length=64)],
    share: Annotated[float, Form(ge=0, le=100)],
) -> RedirectResponse:
    await _roll_out(services, actor_of(request), name, RolloutChange(candidate=candidate, share=share))
    return _back(name)


@router.post("/prompts/{name}/promote", include_in_schema=False)
async def form_promote(request: Request, name: str, services: ServicesDep) -> RedirectResponse:
    await services.rollouts.promote(name, services.audit.stamp(actor_of(request), "prompts.promote", name))
    return _back(name)


@router.post("/prompts/{name}/rollback", include_in_schema=False)
async def form_rollback(request: Request, name: str, services: ServicesDep) -> RedirectResponse:
    await services.rollouts.roll_back(name, services.audit.stamp(actor_of(request), "prompts.rollback", name))
    return _back(name)
