"""Cost at three scales: what a run's measured mix of model calls would cost a day and a month.

A run's records say, per turn, which models were called and with how many tokens. The
projection prices that mix afresh from the app's own price table (so a fork can ask "the same
traffic on other prices"), then scales it linearly:

    per turn   = Σ over models m of  (input_m · in_price_m + output_m · out_price_m) / 1e6 / turns
    per day(N) = per turn · N            for N in 1,000 · 10,000 · 100,000 turns a day
    per month  = per day · 30

Linear on purpose: model spend is paid per token, so it has no economies of scale; what bends the
curve is a lower cost per turn (cache hits, a smaller model, shorter contexts), which shows up
here once those switches change the measured mix. Failed calls count: their tokens are paid too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from switchboard.agents.llm.prices import DEFAULT_PRICES, Price, price_of
from switchboard.agents.record import TurnRecord

SCALES = (1_000, 10_000, 100_000)  # turns a day
DAYS_A_MONTH = 30


@dataclass(frozen=True)
class ModelShare:
    """One model's part of the measured mix, per turn."""

    model: str
    input_tokens: float
    output_tokens: float
    cost_usd: float


@dataclass(frozen=True)
class Projection:
    turns: int
    per_turn_usd: float
    models: tuple[ModelShare, ...]  # most expensive first

    def per_day_usd(self, turns_a_day: int) -> float:
        return self.per_turn_usd * turns_a_day

    def per_month_usd(self, turns_a_day: int) -> float:
        return self.per_day_usd(turns_a_day) * DAYS_A_MONTH


def project(records: Sequence[TurnRecord], prices: Mapping[str, Price] = DEFAULT_PRICES) -> Projection:
    """The mix of `records`' model calls, priced from `prices`, per turn."""
    inputs: Counter[str] = Counter()
    outputs: Counter[str] = Counter()
    for call in (c for r in records for c in r.calls):
        inputs[call.model] += call.input_tokens
        outputs[call.model] += call.output_tokens
    turns = max(len(records), 1)
    shares = [
        ModelShare(m, inputs[m] / turns, outputs[m] / turns, price_of(m, prices).cost(inputs[m], outputs[m]) / turns)
        for m in inputs
    ]
    shares.sort(key=lambda s: -s.cost_usd)
    return Projection(len(records), sum(s.cost_usd for s in shares), tuple(shares))


def summary_figures(projection: Projection) -> dict[str, float]:
    """The run summary's flat keys: a day's spend at each scale."""
    return {f"projected_day_{n // 1000}k_usd": projection.per_day_usd(n) for n in SCALES}
