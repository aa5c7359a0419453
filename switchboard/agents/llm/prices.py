"""One price table for every model the gateway can call, in US dollars per million tokens.

Real prices change; these are list prices at the time of writing, kept here so that a fork
updates them in one place. The demo models' prices are invented to give model routing a real
trade-off: `demo-small` is about 15x cheaper than `demo-large`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1e6


DEFAULT_PRICES: Mapping[str, Price] = {
    "demo-small": Price(0.15, 0.60),
    "demo-large": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4o": Price(2.50, 10.00),
    "claude-3-5-haiku-latest": Price(0.80, 4.00),
    "claude-sonnet-4-5": Price(3.00, 15.00),
    "local": Price(0.0, 0.0),
}

FREE = Price(0.0, 0.0)


def price_of(model: str, table: Mapping[str, Price] = DEFAULT_PRICES) -> Price:
    """The model's price; an unknown model (say a local one) is treated as free."""
    return table.get(model, FREE)
