"""Live comparison: request records aggregated per flag configuration."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from switchboard.agents.record import Outcome, TurnRecord
from switchboard.evals.report import percentile


def summarise(records: Iterable[TurnRecord]) -> list[dict[str, Any]]:
    groups: dict[str, list[TurnRecord]] = defaultdict(list)
    for record in records:
        groups[record.flags_key].append(record)
    return [_row(key, rows) for key, rows in sorted(groups.items(), key=lambda kv: -len(kv[1]))]


def _row(key: str, rows: list[TurnRecord]) -> dict[str, Any]:
    totals = [r.total_ms for r in rows if r.total_ms is not None]
    ttfts = [r.ttft_ms for r in rows if r.ttft_ms is not None]
    count = len(rows)
    return {
        "flags_key": key,
        "count": count,
        "p50_ms": percentile(totals, 50),
        "p95_ms": percentile(totals, 95),
        "p50_ttft_ms": percentile(ttfts, 50),
        "p95_ttft_ms": percentile(ttfts, 95),
        "mean_cost_usd": sum(r.cost_usd for r in rows) / count,
        "mean_tokens": sum(r.input_tokens + r.output_tokens for r in rows) / count,
        "answered_rate": _share(rows, "answered"),
        "escalated_rate": _share(rows, "escalated"),
        "error_rate": _share(rows, "error"),
    }


def _share(rows: list[TurnRecord], outcome: Outcome) -> float:
    return sum(1 for r in rows if r.outcome == outcome) / len(rows)
