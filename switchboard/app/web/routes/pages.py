"""HTML pages and the htmx partials they swap in. Each partial renders one piece of the page,
on first load and on every later swap alike."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from switchboard.agents.record import TurnRecord
from switchboard.app.lab.chaos import AGENT, ChaosError
from switchboard.app.lab.flags import CHAPTERS, config_name
from switchboard.app.shop.help_centre import HelpCentre
from switchboard.app.shop.models import Customer
from switchboard.app.shop.tenants import Tenant
from switchboard.app.turns.records import turn_record
from switchboard.app.web.article_view import article_view, cited
from switchboard.app.web.auditing import chaos_changed, flags_changed
from switchboard.app.web.auth import ADMIN_ONLY, CustomerDep, actor_of, customer_id_of
from switchboard.app.web.deps import OwnConversationDep, RecordDep, ServicesDep
from switchboard.app.web.routes.budgets import spend_now
from switchboard.app.web.routes.knowledge import health_now
from switchboard.app.web.templates import templates
from switchboard.app.web.views import chaos_view, current_name, flag_presets, live_metrics_view
from switchboard.patterns.chunking import STRATEGIES

router = APIRouter(include_in_schema=False)


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context)


@router.get("/", response_class=HTMLResponse)
async def chat_page(request: Request, services: ServicesDep) -> HTMLResponse:
    """The chat for the signed-in customer; otherwise the sign-in (the demo's customer picker)."""
    settings = services.settings
    signed_in = customer_id_of(request)
    customer = await services.shop.customer(signed_in) if signed_in else None
    pickable = await _by_storefront(services) if customer is None and settings.demo_sign_in else []
    return _page(
        request,
        "chat.html",
        customer=customer,
        storefront=services.tenants.get(customer.tenant_id) if customer is not None else None,
        pickable=pickable,
        model=settings.model,
        router_model=settings.router_model,
        agent_map=services.agent_map.model_dump(mode="json"),
    )


async def _by_storefront(services: ServicesDep) -> list[tuple[Tenant, list[Customer]]]:
    """The demo picker's customers, grouped by the storefront they shop at."""
    customers = await services.shop.customers()
    groups = [(t, [c for c in customers if c.tenant_id == t.id]) for t in services.tenants]
    return [(tenant, theirs) for tenant, theirs in groups if theirs]


@router.get("/help/{article_id}", response_class=HTMLResponse)
async def help_article(request: Request, article_id: str, services: ServicesDep, tenant: str = "") -> HTMLResponse:
    """The help-centre article an answer cites, from the viewer's storefront: a signed-in
    customer's own, whatever the link says (article ids are only unique within a storefront);
    for anyone else, the storefront `tenant` names. A page saying so for an id there is none of."""
    shop = await _viewers_tenant(request, services, tenant)
    article = HelpCentre([shop.kb_dir]).article(article_id) if shop is not None else None
    view = article_view(article) if article is not None else None
    context = {"article": view, "article_id": article_id, "storefront": shop, "tenants": list(services.tenants)}
    return templates.TemplateResponse(request, "article.html", context, status_code=200 if view else 404)


async def _viewers_tenant(request: Request, services: ServicesDep, named: str) -> Tenant | None:
    signed_in = customer_id_of(request)
    customer = await services.shop.customer(signed_in) if signed_in else None
    return services.tenants.get(customer.tenant_id if customer is not None else named)


@router.get("/switchboard", response_class=HTMLResponse, dependencies=ADMIN_ONLY)
async def switchboard_page(request: Request, services: ServicesDep) -> HTMLResponse:
    return _page(
        request,
        "switchboard.html",
        **_flag_context(services),
        **await _metrics_context(services),
        chaos=chaos_view(services),
        spend=await spend_now(services),
        kill=services.kill_switch.view(),
        knowledge=await health_now(services),
        strategies=STRATEGIES,
    )


@router.get("/ui/conversations", response_class=HTMLResponse)
async def conversations_partial(request: Request, customer: CustomerDep, services: ServicesDep) -> HTMLResponse:
    conversations = await services.conversations.for_customer(customer.id)
    return _page(request, "partials/conversations.html", conversations=conversations)


@router.get("/ui/conversations/{conversation_id}", response_class=HTMLResponse)
async def messages_partial(request: Request, conversation: OwnConversationDep, services: ServicesDep) -> HTMLResponse:
    messages = await services.conversations.messages(conversation.id)
    rows = await services.records.many([m.record_id for m in messages if m.record_id])
    records = {k: turn_record(v) for k, v in rows.items()}
    sources = {m.id: records[m.record_id].sources for m in messages if m.record_id in records}
    return _page(
        request,
        "partials/messages.html",
        messages=messages,
        parts={m.id: cited(m.content, sources.get(m.id, [])) for m in messages},
        records={k: _details(v, services) for k, v in records.items()},
    )


@router.get("/ui/records/{record_id}", response_class=HTMLResponse)
async def details_partial(request: Request, record: RecordDep, services: ServicesDep) -> HTMLResponse:
    return _page(request, "partials/details.html", **_details(record, services))


def _details(record: TurnRecord, services: ServicesDep) -> dict[str, Any]:
    """What the details strip needs: the record, and its configuration named by what differs."""
    return {"record": record, "config": config_name(record.flags, services.flags.registry)}


@router.post("/ui/flags", response_class=HTMLResponse, dependencies=ADMIN_ONLY)
async def toggle_flag(
    request: Request,
    services: ServicesDep,
    name: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    preset: Annotated[str, Form()] = "",
) -> HTMLResponse:
    before = services.flags.snapshot()
    if preset:
        services.flags.apply_preset(preset)
    else:
        services.flags.set_many({name: value == "on"})
    await flags_changed(services, actor_of(request), before, preset or None)
    return _page(request, "partials/flags.html", **_flag_context(services))


@router.get("/ui/chaos", response_class=HTMLResponse, dependencies=ADMIN_ONLY)
async def chaos_partial(request: Request, services: ServicesDep) -> HTMLResponse:
    return _page(request, "partials/chaos.html", chaos=chaos_view(services))


@router.post("/ui/chaos", response_class=HTMLResponse, dependencies=ADMIN_ONLY)
async def chaos_preset(request: Request, services: ServicesDep, preset: Annotated[str, Form()] = "") -> HTMLResponse:
    before = services.chaos.view()
    services.chaos.apply_preset(preset)
    await chaos_changed(services, actor_of(request), before, preset)
    return _page(request, "partials/chaos.html", chaos=chaos_view(services))


DIAL_FIELDS = (
    "error_rate",
    "rate_limit_rate",
    "timeout_rate",
    "cut_rate",
    "malformed_rate",
    "loop_rate",
    "bounce_rate",
    "citation_fault_rate",
    "latency_multiplier",
)
AGENT_FIELDS = ("tool_fault_rate",)


def _dial_numbers(form: FormData, names: tuple[str, ...]) -> dict[str, float]:
    """The dials the form sets: a field left out or empty keeps its dial as it is (0 is out of
    range for some dials); one that is not a number is refused like one out of range."""
    sent = {name: str(form.get(name) or "").strip() for name in names}
    try:
        return {name: float(value) for name, value in sent.items() if value}
    except ValueError as exc:
        raise ChaosError(str(exc)) from exc


@router.post("/ui/chaos/dials", response_class=HTMLResponse, dependencies=ADMIN_ONLY)
async def chaos_dials(request: Request, services: ServicesDep) -> HTMLResponse:
    form = await request.form()
    provider = str(form.get("provider", ""))
    numbers, switch = (AGENT_FIELDS, "poisoned_article") if provider == AGENT else (DIAL_FIELDS, "outage")
    dials: dict[str, object] = {**_dial_numbers(form, numbers), switch: form.get(switch) == "on"}
    before = services.chaos.view()
    services.chaos.set_many({provider: dials})
    await chaos_changed(services, actor_of(request), before, None)
    return _page(request, "partials/chaos.html", chaos=chaos_view(services))


@router.get("/ui/metrics", response_class=HTMLResponse, dependencies=ADMIN_ONLY)
async def metrics_partial(request: Request, services: ServicesDep) -> HTMLResponse:
    return _page(request, "partials/metrics.html", **await _metrics_context(services))


def _flag_context(services: ServicesDep) -> dict[str, Any]:
    board = services.flags
    values = board.snapshot()
    chapters = [
        (number, title, [f for f in board.registry if f.chapter == number]) for number, title in CHAPTERS.items()
    ]
    return {
        "chapters": chapters,
        "values": values,
        "max_chapter": board.max_chapter,
        "presets": flag_presets(board),
        "current_name": current_name(board),
    }


async def _metrics_context(services: ServicesDep) -> dict[str, Any]:
    return {
        "live": await live_metrics_view(services),
        "online": services.online.snapshot(),
        "online_on": services.flags.snapshot().get("online_evals", False),
        "load": services.admission.load(),
        "shed": services.telemetry.shed_total(),
        "shedding_on": services.flags.snapshot().get("load_shedding", False),
    }
