"""The turn's clock starts when the request reached the app, not when the route got to it."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

from switchboard.app.services import Services
from switchboard.app.turns.outgoing import OUT_OF_TIME
from switchboard.app.web.arrival import StampArrival, arrived


async def test_the_middleware_stamps_each_request_before_the_app_runs() -> None:
    seen: list[float | None] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope.get("state", {}).get("arrived"))

    stamped = StampArrival(app, clock=lambda: 42.0)
    await stamped({"type": "http", "method": "GET"}, None, None)  # type: ignore[arg-type]
    await stamped({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    assert seen == [42.0, None]  # http only: a lifespan is not a request


def test_a_request_the_middleware_did_not_see_has_no_arrival() -> None:
    assert arrived(SimpleNamespace()) is None
    assert arrived(SimpleNamespace(arrived="soon")) is None
    assert arrived(SimpleNamespace(arrived=1.5)) == 1.5


async def test_a_request_that_waited_in_the_app_has_that_much_less_of_its_budget(services: Services) -> None:
    """It waited nine of its ten seconds before the route began it: the graph's deadline has
    passed already, and the record counts the wait."""
    conversation = await services.conversations.create("C1001")
    flags = {**services.flags.snapshot(), "latency_budget": True, "degradation": False}
    budget = services.settings.turn_budget_s
    waited = time.monotonic() - (budget - 1)
    turn = await services.turns.begin(conversation.id, "C1001", "where is my order?", flags=flags, arrived=waited)
    events = [e async for e in services.turns.stream(turn)]
    answer = "".join(e.data["text"] for e in events if e.kind == "token")
    record = events[-1].data
    assert answer.endswith(OUT_OF_TIME) and record["calls"] == []
    assert record["total_ms"] >= (budget - 1) * 1000
