"""A model call within the turn's budgets: the verdict decides whether it is made, on which model,
and with what said about it; whatever it spends is charged — a call cut off by the customer
leaving included."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest

from switchboard.agents.calling import ask_model
from switchboard.agents.context import TurnContext
from switchboard.agents.events import GuardPassed, GuardTripped, Token
from switchboard.agents.llm.gateway import Gateway
from switchboard.agents.llm.prices import DEFAULT_PRICES
from switchboard.agents.llm.tokens import output_tokens, prompt_tokens
from switchboard.agents.llm.types import ChatRequest, Chunk, TextDelta, Usage
from switchboard.agents.spending import BudgetRefused, expected_spend
from switchboard.patterns.spend_budget import Budget, BudgetVerdict, Owners, Spend
from tests.fakes import SpendGuardFake

REQUEST = ChatRequest([{"role": "user", "content": "Can I return boots I bought last month?"}], "demo-large")
DAILY = Budget("customer_day", "refuse", max_usd=0.5)


class Answering:
    """Answers "Yes, within 30 days." in three pieces; notes the model each request asked for.
    With `hold`, it stops after the second piece until the test releases it (never, to cut it off)."""

    name = "answering"

    def __init__(self, hold: asyncio.Event | None = None) -> None:
        self.asked: list[str] = []
        self._hold = hold

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        self.asked.append(request.model)
        for index, piece in enumerate(["Yes, ", "within ", "30 days."]):
            if index == 2 and self._hold is not None:
                await self._hold.wait()
            yield TextDelta(piece)
        yield Usage(prompt_tokens(request), output_tokens("Yes, within 30 days.", 0))


def context(provider: Answering, guard: SpendGuardFake, **flags: bool) -> TurnContext:
    nothing = cast(Any, None)  # no shop, help centre or prompts: only the model is called here
    return TurnContext(
        customer_id="C1001",
        conversation_id="conv-1",
        flags={"token_budget": True, "streaming": True, **flags},
        gateway=Gateway({"demo-large": provider, "demo-small": provider}),
        shop=nothing,
        knowledge=nothing,
        prompts=nothing,
        model="demo-large",
        router_model="demo-small",
        tenant_id="tidewater",
        turn_id="turn-1",
        spend=guard,
    )


async def call(ctx: TurnContext) -> list[object]:
    written: list[object] = []
    await ask_model(ctx, written.append, REQUEST, purpose="knowledge", shows_text=True)
    return written


def exhausted(action: str) -> BudgetVerdict:
    return BudgetVerdict(cast(Any, action), Budget("customer_day", cast(Any, action), max_usd=0.5), Spend(900, 0.499))


async def test_the_expected_spend_is_the_prompt_counted_and_the_answer_at_its_cap() -> None:
    guard = SpendGuardFake()
    await call(context(Answering(), guard))
    ((owners, expected),) = guard.checks
    tokens_in = prompt_tokens(REQUEST)
    assert expected == Spend(tokens_in + REQUEST.max_tokens, DEFAULT_PRICES["demo-large"].cost(tokens_in, 600))
    assert expected == expected_spend(context(Answering(), guard), REQUEST)
    assert owners == Owners("turn-1", "C1001", "tidewater")


async def test_refuse_makes_no_call_and_says_which_budget() -> None:
    provider = Answering()
    with pytest.raises(BudgetRefused) as refused:
        await call(context(provider, SpendGuardFake(exhausted("refuse"))))
    assert provider.asked == []
    assert refused.value.window == "customer_day" and "$0.4990 spent" in refused.value.detail


async def test_degrade_sends_the_call_to_the_cheaper_model() -> None:
    provider = Answering()
    written = await call(context(provider, SpendGuardFake(exhausted("degrade"))))
    assert provider.asked == ["demo-small"]
    (tripped,) = [e for e in written if isinstance(e, GuardTripped)]
    assert tripped.action == "degrade" and "answered by demo-small" in tripped.detail


async def test_warn_lets_the_call_go_ahead_and_says_so() -> None:
    provider = Answering()
    written = await call(context(provider, SpendGuardFake(exhausted("warn"))))
    assert provider.asked == ["demo-large"]
    assert [e.action for e in written if isinstance(e, GuardTripped)] == ["warn"]
    assert "".join(e.text for e in written if isinstance(e, Token)) == "Yes, within 30 days."


async def test_room_in_every_budget_is_a_passed_check() -> None:
    written = await call(context(Answering(), SpendGuardFake()))
    assert [e.guard for e in written if isinstance(e, GuardPassed)] == ["token_budget"]


async def test_with_the_switch_off_nothing_is_checked_but_the_call_is_still_charged() -> None:
    guard = SpendGuardFake(exhausted("refuse"))
    await call(context(Answering(), guard, token_budget=False))
    assert guard.checks == []
    ((_, spent),) = guard.charges
    assert spent.tokens == prompt_tokens(REQUEST) + output_tokens("Yes, within 30 days.", 0)


async def test_a_call_cut_off_by_the_customer_leaving_is_charged_for_its_prompt_and_what_it_wrote() -> None:
    guard = SpendGuardFake()
    written: list[object] = []
    two_pieces_out = asyncio.Event()

    def write(event: object) -> None:
        written.append(event)
        if sum(isinstance(e, Token) for e in written) == 2:
            two_pieces_out.set()

    ctx = context(Answering(hold=asyncio.Event()), guard)
    answering = asyncio.create_task(ask_model(ctx, write, REQUEST, purpose="knowledge", shows_text=True))
    await two_pieces_out.wait()
    answering.cancel()  # the browser went away
    with pytest.raises(asyncio.CancelledError):
        await answering
    ((_, spent),) = guard.charges
    tokens_in, tokens_out = prompt_tokens(REQUEST), output_tokens("Yes, within ", 0)
    assert spent == Spend(tokens_in + tokens_out, DEFAULT_PRICES["demo-large"].cost(tokens_in, tokens_out))


async def test_the_charge_settles_the_reservation_the_check_made() -> None:
    guard = SpendGuardFake(BudgetVerdict("allow", hold="hold-1"))
    await call(context(Answering(), guard))
    assert guard.holds == ["hold-1"]


class Failing(Answering):
    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        raise ConnectionError("the provider is down")
        yield TextDelta("")  # an async generator that fails on its first step


async def test_a_failed_call_still_settles_its_reservation() -> None:
    guard = SpendGuardFake(BudgetVerdict("warn", Budget("customer_day", "warn", max_usd=0.5), hold="hold-1"))
    with pytest.raises(Exception):  # noqa: B017 - whichever error the gateway makes of it
        await call(context(Failing(), guard))
    assert guard.holds == ["hold-1"]


async def test_a_refused_call_has_nothing_to_settle() -> None:
    guard = SpendGuardFake(exhausted("refuse"))
    with pytest.raises(BudgetRefused):
        await call(context(Answering(), guard))
    assert guard.charges == [] and guard.holds == []
