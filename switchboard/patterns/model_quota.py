"""Per-model quotas: the requests and tokens per minute a provider allows one model, kept here.

A provider's rate limit answers a call over quota with a 429 — after the request has gone out,
taken its connection and cost its latency. Counting the same quota on our side lets the gateway
skip a provider at quota before calling it, and go on to the next one in the chain at once.

    requests:  admitted while fewer than R were sent in the last 60 s (a moving window); an
               admitted request is counted as it is admitted
    tokens:    admitted while the tokens charged in the last 60 s are < T (a sliding window
               counter: this clock minute's count plus the last one's, weighted by the share of
               it still inside the last 60 s): a call's tokens are known only after it, so they
               are charged then, from its usage, and count against the next request
    R or T = 0 (or left out of the setting): that limit is off

The setting names each quota by provider and model, comma-separated:

    demo-a:demo-large=60rpm/200000tpm, demo-b:demo-small=30rpm, openai:gpt-4o-mini=90000tpm

Why two kinds of window: `limits`' moving window keeps one entry per unit counted, which is right
for a few dozen requests but cost about a millisecond a call with millions of tokens in the window
(bench/model_quota.py measured it); the sliding window counter is two counters whatever the
count, and approximates the moving window by taking the last minute's tokens as spread evenly.

`limits` refuses, and does not record, a cost that would not fit in the window, so a call whose
tokens overrun what is left of it is charged what is left: the window is then full (at quota)
until its older tokens leave it, as the provider's would be; the tokens beyond the quota are not
remembered. The storage is `limits`' in-memory one (per process, synchronous: no await on the
call's path); `limits` reads `time.time()`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

QuotaKind = Literal["requests", "tokens"]
QuotaKey = tuple[str, str]  # (provider, model)

_ENTRY = re.compile(r"(?P<provider>[^\s:=]+):(?P<model>[^\s=]+)=(?P<limits>.*)")
_LIMIT = re.compile(r"(?P<amount>\d+)(?P<unit>rpm|tpm)")


@dataclass(frozen=True)
class Quota:
    """One model's quota at one provider, per minute (0: that limit is off)."""

    requests_per_minute: int = 0
    tokens_per_minute: int = 0


def parse_quotas(text: str) -> dict[QuotaKey, Quota]:
    """The quotas a setting names; empty text: none. A bad entry raises ValueError naming it."""
    quotas: dict[QuotaKey, Quota] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        key, quota = _parse_entry(entry)
        if key in quotas:
            raise ValueError(f"model quota {entry!r}: {key[0]}:{key[1]} is given twice")
        quotas[key] = quota
    return quotas


def _parse_entry(entry: str) -> tuple[QuotaKey, Quota]:
    matched = _ENTRY.fullmatch(entry)
    if matched is None:
        raise ValueError(f"model quota {entry!r}: expected provider:model=<N>rpm/<N>tpm (either limit may be left out)")
    amounts: dict[str, int] = {}
    for part in matched["limits"].split("/"):
        limit = _LIMIT.fullmatch(part.strip())
        if limit is None:
            raise ValueError(f"model quota {entry!r}: {part.strip()!r} is not <N>rpm or <N>tpm")
        if limit["unit"] in amounts:
            raise ValueError(f"model quota {entry!r}: {limit['unit']} is given twice")
        amounts[limit["unit"]] = int(limit["amount"])
    return (matched["provider"], matched["model"]), Quota(amounts.get("rpm", 0), amounts.get("tpm", 0))


def _item(per_minute: int) -> RateLimitItem | None:
    return RateLimitItemPerMinute(per_minute) if per_minute > 0 else None


class ModelQuotas:
    """Each (provider, model)'s requests and tokens per minute; built once per process
    (app/services.py) and handed to the gateway. A pair with no quota is always admitted."""

    def __init__(self, quotas: Mapping[QuotaKey, Quota] | None = None, storage: MemoryStorage | None = None) -> None:
        self._items = {
            key: (_item(q.requests_per_minute), _item(q.tokens_per_minute)) for key, q in (quotas or {}).items()
        }
        store = storage or MemoryStorage()
        self._requests = MovingWindowRateLimiter(store)
        self._tokens = SlidingWindowCounterRateLimiter(store)

    @property
    def keys(self) -> frozenset[QuotaKey]:
        return frozenset(self._items)

    def admit(self, provider: str, model: str) -> QuotaKind | None:
        """None, and the request counted, if both windows have room; else the quota it met. A
        request refused is not counted."""
        requests, tokens = self._items.get((provider, model), (None, None))
        if tokens is not None and not self._tokens.test(tokens, "tokens", provider, model):
            return "tokens"
        if requests is not None and not self._requests.hit(requests, "requests", provider, model):
            return "requests"
        return None

    def charge(self, provider: str, model: str, tokens: int) -> None:
        """A finished call's tokens, counted against the pair's next request (up to what is left
        of the window: see the module's docstring)."""
        item = self._items.get((provider, model), (None, None))[1]
        if item is None or tokens <= 0:
            return
        if self._tokens.hit(item, "tokens", provider, model, cost=tokens):
            return
        room = self._tokens.get_window_stats(item, "tokens", provider, model).remaining
        if room > 0:  # it did not fit whole: fill the window to its quota
            self._tokens.hit(item, "tokens", provider, model, cost=min(tokens, room))
