"""Retries with exponential backoff and full jitter, paid for from a shared retry budget.

Naive retries multiply load exactly when a provider is struggling: three retries per call
turn an outage into four times the traffic. Two small pieces keep retries useful and safe.

`Backoff` — the wait before retry n (n = 1, 2, ...), with "full jitter" so that clients that
failed together do not retry together:

    wait(n) = min(max_wait, max(uniform(0, min(cap, base · 2^(n−1))), retry_after))

A server's Retry-After is honoured — a retry sooner would be refused again — but only up to
`max_wait`: a Retry-After is the remote side's say, and an absurd one (an hour, 1e308, ∞) must
not park a caller for that long. A caller with a deadline also checks the wait fits in it.

`RetryBudget` — every first attempt deposits `ratio` of a token (up to `max_tokens`), every
retry withdraws a whole one. Retries can therefore add at most `ratio` extra load over time
(20% by default), however many callers fail at once; `min_tokens` lets a quiet service still
retry its first few failures.

Several processes can hold one budget between them: each keeps a copy, counts its own first
attempts (`requests`) and retries (`spent`), and `absorb`s the counts the others report, as if
made here. A copy can go below zero when retries elsewhere spent tokens it had not yet heard of;
the debt is repaid by later deposits before it grants another retry.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    base: float = 0.2
    cap: float = 5.0
    max_wait: float = 10.0  # the longest wait ever returned, a Retry-After included
    rng: random.Random = field(default_factory=random.Random)

    def wait(self, retry: int, retry_after: float | None = None) -> float:
        ceiling = min(self.cap, self.base * 2 ** (retry - 1))
        jittered = self.rng.uniform(0, ceiling)
        asked = retry_after if retry_after is not None and not math.isnan(retry_after) else 0.0
        return min(self.max_wait, max(jittered, asked))


class RetryBudget:
    def __init__(self, ratio: float = 0.2, max_tokens: float = 10.0, min_tokens: float = 3.0) -> None:
        self._ratio = ratio
        self._max = max_tokens
        self._tokens = min_tokens
        self.requests = 0
        self.spent = 0
        self.refused = 0

    @property
    def tokens(self) -> float:
        return self._tokens

    def on_request(self) -> None:
        """A first attempt: earn a fraction of a retry."""
        self.requests += 1
        self._tokens = min(self._max, self._tokens + self._ratio)

    def try_spend(self) -> bool:
        """Take one retry from the budget; False (and no retry) when it is empty."""
        if self._tokens < 1.0:
            self.refused += 1
            return False
        self._tokens -= 1.0
        self.spent += 1
        return True

    def absorb(self, requests: int, retries: int) -> None:
        """First attempts and retries counted by another holder of this budget, applied here:

        tokens = min(max_tokens, tokens + ratio · requests) − retries   (may go below zero)
        """
        self._tokens = min(self._max, self._tokens + self._ratio * requests) - retries
