"""Live comparison: request records aggregated per flag configuration.

Records are grouped by their `flags_key` (the built flags and their states), so the groups stay
the same whatever the registry's baselines are; each group is named for people with
`config_name` and keeps its full snapshot. Every configuration counts every outcome and every
tier that served any configuration, zeros included, so charts and tables line up.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import get_args

from pydantic import BaseModel, ConfigDict

from switchboard.agents.record import Outcome, TurnRecord
from switchboard.app.lab.flags import Flag, config_name
from switchboard.evals.report import percentile

OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
# The chain's tiers, then the degradation ladder's rungs (app/turns/degradation.py), best first;
# "none" is a turn nothing served (blocked or declined before a model, or an error).
TIER_ORDER = ("primary", "secondary", "tertiary", "cache", "kb-only", "unavailable")
NO_TIER = "none"


class ConfigurationSummary(BaseModel):
    """Live turns under one flag configuration."""

    model_config = ConfigDict(frozen=True)

    flags_key: str
    name: str
    flags: dict[str, bool]
    count: int
    p50_ms: float | None
    p95_ms: float | None
    p50_ttft_ms: float | None
    p95_ttft_ms: float | None
    mean_cost_usd: float
    mean_tokens: float
    answered_rate: float
    escalated_rate: float
    error_rate: float
    outcomes: dict[str, int]  # every outcome of OUTCOMES, in that order
    tiers: dict[str, int]  # every tier that served any configuration, best first


class LiveMetrics(BaseModel):
    """The configurations compared, the tiers seen, and which switches tell them apart."""

    model_config = ConfigDict(frozen=True)

    configurations: list[ConfigurationSummary]
    tiers: list[str]
    differing: list[str]  # built flags whose state is not the same in every configuration


def summarise(records: Iterable[TurnRecord], registry: Sequence[Flag] = ()) -> list[ConfigurationSummary]:
    """One summary per configuration, most turns first (ties keep the order first seen)."""
    return live_metrics(records, registry).configurations


def live_metrics(records: Iterable[TurnRecord], registry: Sequence[Flag] = ()) -> LiveMetrics:
    """The whole comparison. `registry` names the configurations; without one, names are keys."""
    groups: dict[str, list[TurnRecord]] = defaultdict(list)
    for record in records:
        groups[record.flags_key].append(record)
    tiers = tiers_seen(r for rows in groups.values() for r in rows)
    ordered = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    configurations = [_summary(key, rows, tiers, list(registry)) for key, rows in ordered]
    return LiveMetrics(configurations=configurations, tiers=tiers, differing=differing_flags(configurations, registry))


def tiers_seen(records: Iterable[TurnRecord]) -> list[str]:
    """The tiers that served these records, best first; rungs this module does not know come
    before "none", by name."""
    seen = {record.tier_served or NO_TIER for record in records}
    known = [tier for tier in TIER_ORDER if tier in seen]
    others = sorted(seen - set(TIER_ORDER) - {NO_TIER})
    return known + others + ([NO_TIER] if NO_TIER in seen else [])


def differing_flags(configurations: Sequence[ConfigurationSummary], registry: Sequence[Flag]) -> list[str]:
    """The built flags, in registry order, that are on in some configurations and off in others."""
    states = {f.name: {bool(c.flags.get(f.name)) for c in configurations} for f in registry if f.built}
    return [name for name, values in states.items() if len(values) > 1]


def _summary(key: str, rows: list[TurnRecord], tiers: list[str], registry: list[Flag]) -> ConfigurationSummary:
    totals = [r.total_ms for r in rows if r.total_ms is not None]
    ttfts = [r.ttft_ms for r in rows if r.ttft_ms is not None]
    count = len(rows)
    outcomes = Counter(r.outcome for r in rows)
    served = Counter(r.tier_served or NO_TIER for r in rows)
    snapshot = rows[0].flags
    return ConfigurationSummary(
        flags_key=key,
        name=config_name(snapshot, registry) if registry else key,
        flags=snapshot,
        count=count,
        p50_ms=percentile(totals, 50),
        p95_ms=percentile(totals, 95),
        p50_ttft_ms=percentile(ttfts, 50),
        p95_ttft_ms=percentile(ttfts, 95),
        mean_cost_usd=sum(r.cost_usd for r in rows) / count,
        mean_tokens=sum(r.input_tokens + r.output_tokens for r in rows) / count,
        answered_rate=outcomes["answered"] / count,
        escalated_rate=outcomes["escalated"] / count,
        error_rate=outcomes["error"] / count,
        outcomes={outcome: outcomes[outcome] for outcome in OUTCOMES},
        tiers={tier: served[tier] for tier in tiers},
    )
