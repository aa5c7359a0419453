"""A turn past its latency budget — in a tool, not a model call — ends degraded, not in an error.
(With `degradation` off there is no ladder: the turn says it ran out of time.)

The agents raise `DeadlineExceeded`, a `ProviderError`, so the app's existing answer to "no model
answer in time" (the degradation ladder in turns/runner.py) serves it; no app code knows about deadlines.
"""

from __future__ import annotations

import time
from typing import Any

from switchboard.agents.context import TurnContext
from switchboard.app.services import Services
from switchboard.app.turns.degradation import Ladder
from switchboard.app.turns.outgoing import OUT_OF_TIME
from switchboard.app.turns.runner import TurnRunner
from switchboard.patterns.admission import Admission
from switchboard.patterns.degradation import RecentAnswers
from switchboard.patterns.pii.redaction import Vault

BUDGET = 10.0


class SlowShop:
    """The real shop; each call "takes" longer than the whole turn may (on the turn's clock)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.skipped = 0.0

    def clock(self) -> float:
        return time.monotonic() + self.skipped

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        async def slow(*args: Any, **kwargs: Any) -> Any:
            if name != "open_ticket":  # the ladder's ticket is the way out, not part of the turn
                self.skipped += BUDGET + 1
            return await method(*args, **kwargs)

        return slow


def runner(
    services: Services, shop: SlowShop, admission: Admission | None = None, clock: Any = time.monotonic
) -> TurnRunner:
    def make_context(
        customer: str,
        conversation: str,
        flags: dict[str, bool],
        vault: Vault | None,
        deadline: float | None,
        tenant: str,
    ) -> TurnContext:
        return TurnContext(
            customer_id=customer,
            tenant_id=tenant,
            conversation_id=conversation,
            flags=flags,
            gateway=services.gateway,
            shop=shop,
            knowledge=services.knowledge,
            prompts=services.prompts,
            deadline=shop.clock() + BUDGET if flags.get("latency_budget") else None,
            clock=shop.clock,
            vault=vault,
        )

    ladder = Ladder(RecentAnswers(), services.knowledge, services.shop, lambda tenant: "1 business day")
    return TurnRunner(
        services.graph,
        services.conversations,
        services.flags,
        make_context,
        services.now,
        services.shop.tenant_of,
        clock=clock,
        ladder=ladder,
        admission=admission,
        budget_s=BUDGET,
    )


async def play(services: Services, on_the_shops_clock: bool = False, **switches: bool) -> tuple[str, dict[str, Any]]:
    conversation = await services.conversations.create("C1001")
    flags = {**services.flags.snapshot(), "injection_scan": False, **switches}
    shop = SlowShop(services.shop)
    turns = runner(services, shop, clock=shop.clock) if on_the_shops_clock else runner(services, shop)
    events = [e async for e in turns.play(conversation.id, "C1001", "where is my order 10042?", flags=flags)]
    return "".join(e.data["text"] for e in events if e.kind == "token"), events[-1].data


async def test_a_turn_that_overruns_its_budget_in_a_tool_ends_degraded_with_a_ticket(services: Services) -> None:
    answer, record = await play(services, latency_budget=True, degradation=True)
    assert record["outcome"] == "degraded" and record["tier_served"] == "unavailable"
    assert record["error"] is None and record["tickets"]
    assert "trouble answering" in answer
    assert [t["name"] for t in record["tools"]] == ["get_order"]  # no model call or tool after the deadline


async def test_without_the_budget_the_slow_turn_is_answered(services: Services) -> None:
    _, record = await play(services, latency_budget=False, degradation=True)
    assert record["outcome"] == "answered"


async def test_with_no_ladder_to_fall_to_the_overrun_turn_says_so_plainly(services: Services) -> None:
    answer, record = await play(services, latency_budget=True, degradation=False)
    assert record["outcome"] == "degraded" and record["tier_served"] == "deadline" and record["error"] is None
    assert answer.endswith(OUT_OF_TIME)


async def test_a_turn_that_cannot_get_a_slot_in_time_is_not_started_and_says_so(services: Services) -> None:
    gate = Admission(1, queue=0)
    async with gate.slot(None):  # the only slot is busy, and there is no room to wait
        conversation = await services.conversations.create("C1001")
        flags = {**services.flags.snapshot(), "latency_budget": True, "degradation": False}
        turns = runner(services, SlowShop(services.shop), gate)
        events = [e async for e in turns.play(conversation.id, "C1001", "where is my order?", flags=flags)]
    record = events[-1].data
    assert record["outcome"] == "degraded" and record["tier_served"] == "deadline"
    assert record["calls"] == [] and record["path"] == []  # nothing ran: no model paid for


async def test_a_ladder_with_no_time_left_gives_way_to_saying_the_turn_ran_out_of_time(services: Services) -> None:
    """On the runner's own clock the slow tool spent the whole budget, fallback reserve and
    all: the ladder may not search or open a ticket past the budget's end (under load that is
    where late turns came from), so the turn ends with the answer that needs nothing."""
    answer, record = await play(services, on_the_shops_clock=True, latency_budget=True, degradation=True)
    assert record["outcome"] == "degraded" and record["tier_served"] == "deadline"
    assert record["tickets"] == [] and record["error"] is None
    assert answer.endswith(OUT_OF_TIME)
