from __future__ import annotations

import asyncio

import pytest

from switchboard.patterns.idempotent_retry import ToolRetry, TransientToolError, idempotency_key
from tests.fakes import Sleeps


def test_the_key_is_stable_for_one_logical_call_and_differs_otherwise() -> None:
    key = idempotency_key("conv_1", "request_refund", {"order_id": "10049", "reason": "too small"})
    assert key == idempotency_key("conv_1", "request_refund", {"reason": "too small", "order_id": "10049"})
    assert key != idempotency_key("conv_2", "request_refund", {"order_id": "10049", "reason": "too small"})


async def test_transient_failures_are_retried_with_growing_waits() -> None:
    sleeps = Sleeps()
    failures = iter([TransientToolError("db timeout"), TransientToolError("db timeout")])

    async def attempt() -> str:
        error = next(failures, None)
        if error:
            raise error
        return "done"

    assert await ToolRetry(attempts=3, base_delay_s=0.1, sleep=sleeps).run(attempt) == ("done", 3)
    assert sleeps.waits == [0.1, 0.2]


async def test_a_hung_tool_times_out_and_the_last_failure_propagates() -> None:
    async def hangs() -> str:
        await asyncio.Event().wait()
        return "never"

    with pytest.raises(TimeoutError):
        await ToolRetry(attempts=2, timeout_s=0.01, sleep=Sleeps()).run(hangs)


async def test_other_errors_are_not_retried() -> None:
    calls = 0

    async def broken() -> str:
        nonlocal calls
        calls += 1
        raise ValueError("a bug, not a blip")

    with pytest.raises(ValueError):
        await ToolRetry(sleep=Sleeps()).run(broken)
    assert calls == 1
