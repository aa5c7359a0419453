"""Per-customer rate limits: messages and model tokens per minute, kept by the `limits` library.

One customer sending messages as fast as a script can, or asking for long answers over and
over, takes the model's time from everyone else. Each message is checked before anything is
stored or any model called; a refused one is told when to come back.

    messages:  admitted while fewer than M were admitted in the last 60 s     (a moving window)
    tokens:    admitted while the tokens charged in the current window are < T (a fixed window,
               60 s from the first turn charged in it): a turn's tokens are known only after it,
               so they are charged then and count against the customer's next message
    refused:   Retry-After = max(1, floor(reset − now) + 1) seconds, `reset` being the instant
               the window has room again (its oldest message leaves it, or it closes): the first
               whole second strictly after it, since `limits` still counts a message exactly 60 s
               old as in the window
    M or T = 0: that limit is off

Keys are what the caller passes (the signed-in customer and their tenant), never anything a
request's body says. The storage is given, a `limits` storage with moving windows: by default its
in-memory one, per process; the app passes `limits`' Redis storage when several processes must
share the counts (app/services.py, `rate_limit_storage`), and nothing here changes. `limits` reads
`time.time()`; the clock given here must be the same one (it is injectable only so the refusal is
a pure function of the window's reset and now, `refusal`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, MovingWindowSupport, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

LimitKind = Literal["messages", "tokens"]


@dataclass(frozen=True)
class Refusal:
    """A message not admitted: which limit it met, and in how many whole seconds to try again."""

    limit: LimitKind
    retry_after_s: int


def refusal(limit: LimitKind, reset: float, now: float) -> Refusal:
    """The refusal for a window that has room again at `reset` (at least a second away: a client
    told 0 would retry at once into the same refusal)."""
    return Refusal(limit, max(1, math.floor(reset - now) + 1))


class CustomerLimits:
    """Messages and tokens per minute per key; built once per process (app/services.py)."""

    def __init__(
        self,
        messages_per_minute: int,
        tokens_per_minute: int,
        storage: Storage | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        store = storage or MemoryStorage()
        if not isinstance(store, MovingWindowSupport):
            raise ValueError("the messages limit needs a storage with moving windows")
        self._messages = self._item(messages_per_minute)
        self._tokens = self._item(tokens_per_minute)
        self._moving = MovingWindowRateLimiter(store)
        self._fixed = FixedWindowRateLimiter(store)
        self._clock = clock

    @staticmethod
    def _item(per_minute: int) -> RateLimitItem | None:
        if per_minute < 0:
            raise ValueError("a rate limit is 0 (off) or a positive number per minute")
        return RateLimitItemPerMinute(per_minute) if per_minute else None

    async def admit(self, *key: str) -> Refusal | None:
        """None, and the message counted, if both limits have room; else why not. A refused
        message is not counted: a customer who waits as told is let in."""
        if self._tokens is not None and not await self._fixed.test(self._tokens, "tokens", *key):
            stats = await self._fixed.get_window_stats(self._tokens, "tokens", *key)
            return refusal("tokens", stats.reset_time, self._clock())
        if self._messages is not None and not await self._moving.hit(self._messages, "messages", *key):
            stats = await self._moving.get_window_stats(self._messages, "messages", *key)
            return refusal("messages", stats.reset_time, self._clock())
        return None

    async def charge(self, tokens: int, *key: str) -> None:
        """A finished turn's tokens, counted against the key's next message. Always recorded,
        even past the limit (a fixed window's counter only grows until the window closes)."""
        if self._tokens is not None and tokens > 0:
            await self._fixed.hit(self._tokens, "tokens", *key, cost=tokens)
