"""JSON API: customers, flags, metrics and request records."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from switchboard.agents.record import TurnRecord
from switchboard.app.lab.flags import CHAPTERS, FlagBoard
from switchboard.app.runs import metrics
from switchboard.app.services import Services
from switchboard.app.web.auditing import chaos_changed, flags_changed
from switchboard.app.web.auth import ADMIN_ONLY, ActorDep
from switchboard.app.web.deps import RecordDep, ServicesDep, TenantFilterDep
from switchboard.app.web.errors import ApiError, error_responses
from switchboard.app.web.responses import (
    ChaosView,
    ConfigurationMetrics,
    CustomerSummary,
    FlagEntry,
    FlagsView,
    LiveMetricsView,
    MetricsView,
    TenantMetrics,
)
from switchboard.app.web.schemas import ChaosPatch, FlagsPatch
from switchboard.app.web.views import chaos_view, live_metrics_view

router = APIRouter(prefix="/api", tags=["api"])


OPERATOR_ONLY = error_responses(401)
OPERATOR_FILTERED = error_responses(401, 404)  # 404: a `?tenant=` there is none of
OPERATOR_EDIT = error_responses(400, 401, 422)


@router.get("/customers", dependencies=ADMIN_ONLY, responses=OPERATOR_ONLY)
async def customers(services: ServicesDep) -> list[CustomerSummary]:
    """Every customer, each with the storefront they shop at (the sign-in picker's data)."""
    return [
        CustomerSummary(
            id=c.id,
            name=c.name,
            loyalty_tier=c.loyalty_tier,
            tenant_id=c.tenant_id,
            tenant_name=_tenant_name(services, c.tenant_id),
        )
        for c in await services.shop.customers()
    ]


def _tenant_name(services: Services, tenant_id: str) -> str:
    tenant = services.tenants.get(tenant_id)
    return tenant.name if tenant is not None else (tenant_id or "before tenants")


def flags_view(board: FlagBoard) -> FlagsView:
    values = board.snapshot()
    registry = [
        FlagEntry(**f.__dict__, value=values[f.name], chapter_title=CHAPTERS[f.chapter]) for f in board.registry
    ]
    return FlagsView(flags=values, max_chapter=board.max_chapter, registry=registry)


@router.get("/flags")
async def get_flags(services: ServicesDep) -> FlagsView:
    return flags_view(services.flags)


@router.patch("/flags", dependencies=ADMIN_ONLY, responses=OPERATOR_EDIT)
async def patch_flags(body: FlagsPatch, services: ServicesDep, actor: ActorDep) -> FlagsView:
    if (body.flags is None) == (body.preset is None):
        raise ApiError(422, "invalid_input", 'send either "flags" or "preset"')
    before = services.flags.snapshot()
    if body.preset is not None:
        services.flags.apply_preset(body.preset)
    else:
        services.flags.set_many(body.flags or {})
    await flags_changed(services, actor, before, body.preset)
    return flags_view(services.flags)


@router.get("/chaos", dependencies=ADMIN_ONLY, responses=OPERATOR_ONLY)
async def get_chaos(services: ServicesDep) -> ChaosView:
    return chaos_view(services)


@router.patch("/chaos", dependencies=ADMIN_ONLY, responses=OPERATOR_EDIT)
async def patch_chaos(body: ChaosPatch, services: ServicesDep, actor: ActorDep) -> ChaosView:
    if (body.chaos is None) == (body.preset is None):
        raise ApiError(422, "invalid_input", 'send either "chaos" or "preset"')
    before = services.chaos.view()
    if body.preset is not None:
        services.chaos.apply_preset(body.preset)
    else:
        services.chaos.set_many(body.chaos or {})
    await chaos_changed(services, actor, before, body.preset)
    return chaos_view(services)


@router.get("/metrics", dependencies=ADMIN_ONLY, responses=OPERATOR_FILTERED)
async def get_metrics(services: ServicesDep, tenant: TenantFilterDep) -> MetricsView:
    """Live turns per configuration; `?tenant=` narrows them to one storefront's. `tenants` breaks
    the same figures down per storefront, each labelled."""
    records = await services.records.live()
    if tenant is not None:
        records = [r for r in records if r.tenant_id == tenant.id]
    return MetricsView.model_validate(
        {
            "tenant": tenant.id if tenant is not None else None,
            "configurations": _configurations(records),
            "turns": len(records),
            "tenants": _per_tenant(services, records),
            "online_evals": services.online.snapshot(),
        }
    )


def _configurations(records: Sequence[TurnRecord]) -> list[dict[str, object]]:
    fields = set(ConfigurationMetrics.model_fields)
    return [c.model_dump(include=fields) for c in metrics.summarise(records)]


def _per_tenant(services: Services, records: Sequence[TurnRecord]) -> list[TenantMetrics]:
    """Each tenant with turns in view, in tenant-id order."""
    ids = sorted({r.tenant_id for r in records})
    return [_tenant_metrics(services, t, [r for r in records if r.tenant_id == t]) for t in ids]


def _tenant_metrics(services: Services, tenant_id: str, records: list[TurnRecord]) -> TenantMetrics:
    return TenantMetrics.model_validate(
        {
            "tenant_id": tenant_id,
            "tenant_name": _tenant_name(services, tenant_id),
            "turns": len(records),
            "configurations": _configurations(records),
        }
    )


@router.get("/metrics/live", dependencies=ADMIN_ONLY, responses=OPERATOR_ONLY)
async def get_live_metrics(services: ServicesDep) -> LiveMetricsView:
    """What the Switchboard page's charts draw: every configuration of live turns, named, with
    its latency, time to first token, cost, outcome mix and the tiers that served it."""
    return await live_metrics_view(services)


# No 401: to anyone but the operator and the turn's customer, a record does not exist (404)
@router.get("/records/{record_id}", responses=error_responses(404, 422))
async def get_record(record: RecordDep) -> TurnRecord:
    """One turn's record: the operator's, or the signed-in customer's own."""
    return record
