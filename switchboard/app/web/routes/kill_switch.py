"""The operator's kill switch (chapter 12) on the API and the panel.

    GET /api/kill-switch     whether model calls are stopped, why, since when (operator)
    PUT /api/kill-switch     `{"on": true, "reason": "..."}`: turn it; takes effect for the next
                             model call and is kept across restarts (operator). A bad body is a 422.
    GET/POST /ui/kill-switch the banner on the Switchboard panel and the Human console, and its toggle

It is an operator control, not a pattern switch: no turn runs "with" or "without" it by choice,
and no eval compares it, so it is not on the flag board.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from switchboard.app.turns.kill_switch import MAX_REASON_CHARS, KillSwitchChange, KillSwitchView
from switchboard.app.web.auth import ADMIN_ONLY, ActorDep, actor_of
from switchboard.app.web.deps import ServicesDep
from switchboard.app.web.errors import error_responses
from switchboard.app.web.templates import templates

router = APIRouter()
OPERATOR_ONLY = error_responses(401)
OPERATOR_EDIT = error_responses(400, 401, 422)


@router.get("/api/kill-switch", dependencies=ADMIN_ONLY, responses=OPERATOR_ONLY, tags=["api"])
async def get_kill_switch(services: ServicesDep) -> KillSwitchView:
    return services.kill_switch.view()


@router.put("/api/kill-switch", dependencies=ADMIN_ONLY, responses=OPERATOR_EDIT, tags=["api"])
async def put_kill_switch(body: KillSwitchChange, services: ServicesDep, actor: ActorDep) -> KillSwitchView:
    """On: no provider is called; customers get a help-centre answer, else a ticket."""
    view = await services.kill_switch.change(body, services.audit.stamp(actor, "kill_switch.set"))
    await services.boards.push("kill_switch")  # stored, then in force on every replica
    return view


@router.get("/ui/kill-switch", response_class=HTMLResponse, include_in_schema=False, dependencies=ADMIN_ONLY)
async def kill_switch_partial(request: Request, services: ServicesDep) -> HTMLResponse:
    return kill_switch_banner(request, services)


@router.post("/ui/kill-switch", response_class=HTMLResponse, include_in_schema=False, dependencies=ADMIN_ONLY)
async def toggle_kill_switch(
    request: Request,
    services: ServicesDep,
    on: Annotated[bool, Form()],
    reason: Annotated[str, Form(max_length=MAX_REASON_CHARS)] = "",
) -> HTMLResponse:
    stamp = services.audit.stamp(actor_of(request), "kill_switch.set")
    await services.kill_switch.change(KillSwitchChange(on=on, reason=reason), stamp)
    await services.boards.push("kill_switch")
    return kill_switch_banner(request, services)


def kill_switch_banner(request: Request, services: ServicesDep) -> HTMLResponse:
    """The banner, red while the switch is on; the panel and the console both include it."""
    context = {"kill": services.kill_switch.view()}
    return templates.TemplateResponse(request, "partials/kill_switch.html", context)
