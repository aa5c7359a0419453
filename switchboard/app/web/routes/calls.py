"""The call log and replay (issue 14), for the operator only.

    GET  /api/records/{record_id}/calls                  every stored call of a turn, in the record's order
    GET  /api/records/{record_id}/calls/{index}          one: its exact request and what came back
    POST /api/records/{record_id}/calls/{index}/replay   `{"model": "demo-small"}` (default: the same
                                                         model): the same request again, both answers back
    GET  /records/{record_id}/calls/{index}              the page: the two answers side by side

Index N is the record's `calls[N]` (and a trace span's `switchboard.call_index`). `?tenant=`
narrows every route to one storefront's turns: another's is a 404, as an unknown one is. A
model no provider serves is a 422 naming the models there are; with the kill switch on a
replay is refused with a 503 and no model is called. Every replay is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from switchboard.agents.llm.types import CallsStopped
from switchboard.agents.record import CallRecordView
from switchboard.app.shop.models import ModelCall
from switchboard.app.shop.tenants import Tenant
from switchboard.app.turns.call_replay import Replayed, UnknownModel
from switchboard.app.turns.records import turn_record
from switchboard.app.web.auth import ADMIN_ONLY, ActorDep
from switchboard.app.web.deps import ServicesDep, TenantFilterDep
from switchboard.app.web.errors import ApiError, error_responses, not_found
from switchboard.app.web.templates import templates

router = APIRouter(dependencies=ADMIN_ONLY)
READ = error_responses(401, 404)
REPLAY = error_responses(401, 404, 422, 503)
MODEL_CHARS = 80
Index = Annotated[int, Path(ge=0, le=10_000, description="The call's index in the record's `calls`.")]


class StoredCall(BaseModel):
    """A call as the log keeps it, with the figures its record kept of it."""

    record_id: str
    index: int
    conversation_id: str
    customer_id: str
    tenant_id: str
    run_id: str | None
    purpose: str
    model: str
    provider: str
    masked: bool  # pii_redaction was on: what was said keeps placeholders, other personal data is masked
    request: dict[str, Any]
    answer: dict[str, Any]
    call: CallRecordView


class ReplayAsk(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str | None = Field(default=None, min_length=1, max_length=MODEL_CHARS, description="Default: the same.")


def _in_scope(row: ModelCall | None, tenant: Tenant | None) -> bool:
    return row is not None and (tenant is None or row.tenant_id == tenant.id)


async def stored_call(record_id: str, index: Index, services: ServicesDep, tenant: TenantFilterDep) -> StoredCall:
    row = await services.call_log.get(record_id, index)
    record_row = await services.records.get(record_id) if _in_scope(row, tenant) else None
    calls = turn_record(record_row).calls if record_row is not None else []
    if row is None or index >= len(calls):
        raise not_found("call", f"{record_id}/{index}")
    return StoredCall(**row.model_dump(exclude={"call_index", "created_at"}), index=index, call=calls[index])


StoredCallDep = Annotated[StoredCall, Depends(stored_call)]


@router.get("/api/records/{record_id}/calls", responses=READ, tags=["api"])
async def list_calls(record_id: str, services: ServicesDep, tenant: TenantFilterDep) -> list[StoredCall]:
    """A turn's stored calls; an unknown record (or one outside `?tenant=`) is a 404."""
    rows = [r for r in await services.call_log.of_record(record_id) if _in_scope(r, tenant)]
    record_row = await services.records.get(record_id)
    if record_row is None or (tenant is not None and not rows):
        raise not_found("record", record_id)
    calls = turn_record(record_row).calls
    return [
        StoredCall(**r.model_dump(exclude={"call_index", "created_at"}), index=r.call_index, call=calls[r.call_index])
        for r in rows
        if r.call_index < len(calls)
    ]


@router.get("/api/records/{record_id}/calls/{index}", responses=READ, tags=["api"])
async def get_call(call: StoredCallDep) -> StoredCall:
    return call


@router.post("/api/records/{record_id}/calls/{index}/replay", responses=REPLAY, tags=["api"])
async def replay_call(call: StoredCallDep, body: ReplayAsk, services: ServicesDep, actor: ActorDep) -> Replayed:
    """The stored request again, as one attempt (no retries, tools not run); both answers back."""
    row = await services.call_log.get(call.record_id, call.index)
    if row is None:  # gone since the dependency found it
        raise not_found("call", f"{call.record_id}/{call.index}")
    try:
        replayed = await services.replayer.replay(row, call.call, body.model)
    except UnknownModel as exc:
        raise ApiError(422, "unknown_model", str(exc)) from None
    except CallsStopped:
        raise ApiError(
            503, "kill_switch_on", "model calls are stopped by the kill switch: nothing was replayed"
        ) from None
    await services.audit.record(actor, "call.replay", None, _audited(replayed), target=f"{call.record_id}/{call.index}")
    return replayed


def _audited(replayed: Replayed) -> dict[str, Any]:
    side = replayed.replayed
    return {"model": side.model, "provider": side.provider, "cost_usd": side.cost_usd, "error": side.error}


@router.get("/records/{record_id}/calls/{index}", response_class=HTMLResponse, include_in_schema=False, responses=READ)
async def call_page(request: Request, call: StoredCallDep, services: ServicesDep) -> HTMLResponse:
    context = {"call": call, "models": services.gateway.models}
    return templates.TemplateResponse(request, "call_replay.html", context)
