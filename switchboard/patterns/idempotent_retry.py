"""Idempotent tool retries: retry a failed tool call without doing its work twice.

Tools fail transiently — a database timeout, a payment API that drops the connection. A
retry usually fixes it, but a write may already have happened before the failure was seen:
refund, connection lost, retry, refund again. So every attempt of one logical call carries
the same idempotency key (a hash of the conversation, the tool and its arguments); the
system of record stores the key with the result and answers a repeat with the stored result
instead of acting again. Each attempt also has its own timeout, so a hung tool cannot hold
the turn.

    delay(n) = base · 2ⁿ   for attempt n = 0, 1, …  (no jitter: attempts are few and local)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

R = TypeVar("R")


class TransientToolError(Exception):
    """A tool failure that a retry may fix (the tool raises it; policies decide)."""


def idempotency_key(scope: str, tool: str, arguments: dict[str, Any]) -> str:
    body = json.dumps([scope, tool, arguments], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ToolRetry:
    attempts: int = 3
    timeout_s: float = 5.0
    base_delay_s: float = 0.05
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def run(self, attempt: Callable[[], Awaitable[R]]) -> tuple[R, int]:
        """The result and the number of attempts it took; the last attempt's failure propagates."""
        for number in range(self.attempts - 1):
            try:
                return await self._once(attempt), number + 1
            except (TransientToolError, TimeoutError):
                await self.sleep(self.base_delay_s * 2**number)
        return await self._once(attempt), self.attempts

    async def _once(self, attempt: Callable[[], Awaitable[R]]) -> R:
        async with asyncio.timeout(self.timeout_s):
            return await attempt()
