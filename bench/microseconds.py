"""Rows of per-call timings in microseconds, for the benches that time one check against a no-op
(rate_limit.py, model_quota.py). Percentiles are the eval reports' nearest-rank ones."""

from __future__ import annotations

import statistics

from switchboard.evals.report import percentile


def p(samples: list[float], q: float) -> float:
    """The q-th percentile (0..100) of a non-empty list."""
    value = percentile(samples, q)
    assert value is not None, "no samples"
    return value


def row(name: str, samples: list[float], width: int = 24) -> str:
    p50, p99, mean = p(samples, 50), p(samples, 99), statistics.fmean(samples)
    return f"{name:<{width}} p50 {p50:6.1f} µs   p99 {p99:6.1f} µs   mean {mean:6.1f} µs"
