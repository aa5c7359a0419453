"""Where the money went: turn records summed by tenant, customer, configuration, model and day.

Pure: records in, a typed report out (the cost page and `GET /api/cost` show it as it is).

**Resolved** is evals/resolution.py's definition, the run summary's too: only an `answered`
turn is resolved (a hand-off to a person is not), and cost per resolved turn is all the spend
over the answered turns. (The run summary's `answered_rate` counts a hand-off as handled; the
cost figure is stricter on purpose.)

**The cache's saving** is an estimate, since a turn served from the cache never shows what it
would have cost. Per configuration (flags_key), the baseline is the mean cost of that
configuration's answered turns that the cache did not serve; each hit saved that baseline
minus what the hit itself still cost (the router, a verification). A configuration with hits
but no uncached answered turn has no baseline: its hits are counted as `unpriced_hits`, not
guessed at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import date, timedelta
from statistics import fmean

from pydantic import BaseModel, ConfigDict

from switchboard.agents.llm.prices import Price
from switchboard.agents.record import CallRecordView, TurnRecord
from switchboard.app.lab.flags import Flag, config_name
from switchboard.evals.projection import SCALES, project
from switchboard.evals.resolution import cost_per_resolved, is_resolved, resolved_count

NO_TENANT = "(none)"  # records written before tenants carry no tenant id


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class GroupSpend(_Frozen):
    """The turns of one tenant, customer or configuration, and what they cost."""

    key: str
    label: str
    turns: int
    cost_usd: float
    resolved: int
    cost_per_resolved_usd: float | None  # None: no turn of the group was resolved
    cache_hits: int = 0


class ModelSpend(_Frozen):
    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


class DaySpend(_Frozen):
    day: str  # YYYY-MM-DD, UTC
    turns: int
    cost_usd: float
    models: dict[str, float]  # each model's calls that day
    tenants: dict[str, float]


class CacheSaving(_Frozen):
    hits: int
    misses: int
    rejected: int  # a candidate was found and refused (another entity, stale)
    saved_usd: float
    unpriced_hits: int  # hits in a configuration with no uncached answered turn to compare with


class SpendReport(_Frozen):
    turns: int
    cost_usd: float
    resolved: int
    cost_per_resolved_usd: float | None
    tenants: list[GroupSpend]  # most spent first
    customers: list[GroupSpend]  # the top spenders only
    configurations: list[GroupSpend]
    models: list[ModelSpend]
    days: list[DaySpend]  # every day from the first turn to the last, quiet days as zeros
    cache: CacheSaving


class ScaleCost(_Frozen):
    turns_a_day: int
    per_day_usd: float
    per_month_usd: float


class ModelMix(_Frozen):
    model: str
    input_tokens: float  # per turn
    output_tokens: float
    cost_usd: float


class ProjectionView(_Frozen):
    """A measured mix of model calls, priced afresh, at 1K, 10K and 100K turns a day."""

    label: str
    turns: int
    per_turn_usd: float
    scales: list[ScaleCost]
    models: list[ModelMix]


def spend_report(
    records: Sequence[TurnRecord],
    registry: Sequence[Flag],
    names: Mapping[str, str] | None = None,
    top_customers: int = 10,
) -> SpendReport:
    """`names` label customers by name (an id not in it is shown as itself)."""
    named = names or {}
    return SpendReport(
        turns=len(records),
        cost_usd=sum(r.cost_usd for r in records),
        resolved=resolved_count(records),
        cost_per_resolved_usd=cost_per_resolved(records),
        tenants=_groups(records, lambda r: r.tenant_id, lambda key: key or NO_TENANT),
        customers=_groups(records, lambda r: r.customer_id, lambda key: named.get(key, key))[:top_customers],
        configurations=_groups(records, lambda r: r.flags_key, _namer(records, list(registry))),
        models=model_spend(records),
        days=day_spend(records),
        cache=cache_saving(records),
    )


def tenant_of(record: TurnRecord) -> str:
    """The tenant as charts label it."""
    return record.tenant_id or NO_TENANT


def _groups(
    records: Iterable[TurnRecord], key_of: Callable[[TurnRecord], str], label_of: Callable[[str], str]
) -> list[GroupSpend]:
    grouped: dict[str, list[TurnRecord]] = defaultdict(list)
    for record in records:
        grouped[key_of(record)].append(record)
    groups = [_group(key, label_of(key), rows) for key, rows in grouped.items()]
    return sorted(groups, key=lambda g: (-g.cost_usd, -g.turns, g.key))


def _group(key: str, label: str, rows: Sequence[TurnRecord]) -> GroupSpend:
    return GroupSpend(
        key=key,
        label=label,
        turns=len(rows),
        cost_usd=sum(r.cost_usd for r in rows),
        resolved=resolved_count(rows),
        cost_per_resolved_usd=cost_per_resolved(rows),
        cache_hits=sum(r.cache == "hit" for r in rows),
    )


def _namer(records: Iterable[TurnRecord], registry: list[Flag]) -> Callable[[str], str]:
    """A configuration's key to its name ("defaults − rag"), from a snapshot that ran under it."""
    snapshots = {r.flags_key: r.flags for r in records}
    return lambda key: config_name(snapshots[key], registry) if registry else key


def model_spend(records: Iterable[TurnRecord]) -> list[ModelSpend]:
    """Every model call, failed ones too (their tokens are paid), summed per model."""
    by_model: dict[str, list[CallRecordView]] = defaultdict(list)
    for call in (c for r in records for c in r.calls):
        by_model[call.model].append(call)
    rows = [_model(model, calls) for model, calls in by_model.items()]
    return sorted(rows, key=lambda m: (-m.cost_usd, m.model))


def _model(model: str, calls: Sequence[CallRecordView]) -> ModelSpend:
    return ModelSpend(
        model=model,
        calls=len(calls),
        input_tokens=sum(c.input_tokens for c in calls),
        output_tokens=sum(c.output_tokens for c in calls),
        cost_usd=sum(c.cost_usd for c in calls),
    )


def day_spend(records: Sequence[TurnRecord]) -> list[DaySpend]:
    by_day: dict[str, list[TurnRecord]] = defaultdict(list)
    for record in records:
        by_day[record.created_at[:10]].append(record)
    return [_day(day, by_day.get(day, [])) for day in _calendar(by_day)]


def _calendar(days: Iterable[str]) -> list[str]:
    """Every day from the earliest to the latest of `days`, so that a quiet day shows as zero."""
    known = sorted(date.fromisoformat(d) for d in days if d)
    if not known:
        return []
    span = (known[-1] - known[0]).days
    return [(known[0] + timedelta(days=n)).isoformat() for n in range(span + 1)]


def _day(day: str, rows: Sequence[TurnRecord]) -> DaySpend:
    models: dict[str, float] = defaultdict(float)
    tenants: dict[str, float] = defaultdict(float)
    for record in rows:
        tenants[tenant_of(record)] += record.cost_usd
        for call in record.calls:
            models[call.model] += call.cost_usd
    cost = sum(r.cost_usd for r in rows)
    return DaySpend(day=day, turns=len(rows), cost_usd=cost, models=dict(models), tenants=dict(tenants))


def cache_saving(records: Sequence[TurnRecord]) -> CacheSaving:
    """Hits × (the configuration's mean uncached answered cost − the hit's own cost)."""
    baselines = _uncached_means(records)
    saved, unpriced = 0.0, 0
    for hit in (r for r in records if r.cache == "hit"):
        baseline = baselines.get(hit.flags_key)
        if baseline is None:
            unpriced += 1
        else:
            saved += baseline - hit.cost_usd
    return CacheSaving(
        hits=sum(r.cache == "hit" for r in records),
        misses=sum(r.cache == "miss" for r in records),
        rejected=sum(r.cache == "rejected" for r in records),
        saved_usd=saved,
        unpriced_hits=unpriced,
    )


def _uncached_means(records: Iterable[TurnRecord]) -> dict[str, float]:
    costs: dict[str, list[float]] = defaultdict(list)
    for record in records:
        if record.cache != "hit" and is_resolved(record):
            costs[record.flags_key].append(record.cost_usd)
    return {key: fmean(values) for key, values in costs.items()}


def projection_view(label: str, records: Sequence[TurnRecord], prices: Mapping[str, Price]) -> ProjectionView:
    """evals/projection.py's projection of `records` at each scale, for a table."""
    p = project(records, prices)
    scales = [ScaleCost(turns_a_day=n, per_day_usd=p.per_day_usd(n), per_month_usd=p.per_month_usd(n)) for n in SCALES]
    return ProjectionView(
        label=label,
        turns=p.turns,
        per_turn_usd=p.per_turn_usd,
        scales=scales,
        models=[ModelMix(**asdict(share)) for share in p.models],
    )
