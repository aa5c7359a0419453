"""Chapter 10's token budget around one model call: checked before it, charged after it.

Before: with `token_budget` on, the call's expected spend — its prompt counted, its output at
the cap it asks for, priced from the gateway's table — is weighed against what the turn, the
customer today and the tenant this month have spent or reserved (patterns/spend_budget.py), and
reserved in the same step, so calls checked at once cannot together overrun. The verdict is a
value; this module acts on it: refuse raises `BudgetRefused` (the turn answers politely with no
model, and nothing is reserved), degrade sends the call to the cheaper model, warn lets it go
and says so.

After: every attempt the gateway reported is charged, however it ended — streamed, failed but
billed, or cut off by a customer who left (the gateway estimates what such a call consumed) —
and the charge settles the check's reservation, even when no attempt was made.
Charging does not depend on the switch: a budget turned on at noon must know the morning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from switchboard.agents.context import TurnContext
from switchboard.agents.events import GuardPassed, GuardTripped
from switchboard.agents.llm.gateway import CallRecord
from switchboard.agents.llm.tokens import prompt_tokens
from switchboard.agents.llm.types import ChatRequest
from switchboard.patterns.spend_budget import Spend, Window, explain

Writer = Callable[[Any], None]


class BudgetRefused(Exception):
    """A budget whose action is refuse would be overrun by the next model call: the turn is
    answered without one."""

    def __init__(self, window: Window, detail: str) -> None:
        super().__init__(detail)
        self.window, self.detail = window, detail


def expected_spend(ctx: TurnContext, request: ChatRequest) -> Spend:
    """The most this call can spend: the prompt as it is, the answer at its cap."""
    tokens_in = prompt_tokens(request)
    return Spend(tokens_in + request.max_tokens, ctx.gateway.price(request.model).cost(tokens_in, request.max_tokens))


@dataclass(frozen=True)
class Budgeted:
    """A request as the budgets let it go, and the reservation its charge must settle."""

    request: ChatRequest
    hold: str | None = None  # None: nothing was reserved (the switch off)


async def within_budget(ctx: TurnContext, write: Writer, request: ChatRequest) -> Budgeted:
    """The request as the budgets let it go: as it is, or on the cheaper model."""
    if ctx.spend is None or not ctx.on("token_budget"):
        return Budgeted(request)
    expected = expected_spend(ctx, request)
    verdict = await ctx.spend.check(ctx.owners, expected)
    detail = explain(verdict, expected)
    if verdict.budget is None:
        write(GuardPassed("token_budget", detail))
        return Budgeted(request, verdict.hold)
    if verdict.action == "refuse":
        raise BudgetRefused(verdict.budget.window, detail)
    if verdict.action == "degrade":
        write(GuardTripped("token_budget", "degrade", f"{detail}: answered by {ctx.router_model}"))
        return Budgeted(replace(request, model=ctx.router_model), verdict.hold)
    write(GuardTripped("token_budget", "warn", detail))
    return Budgeted(request, verdict.hold)


def charge(ctx: TurnContext, calls: Sequence[CallRecord], hold: str | None = None) -> None:
    """Count what the calls spent, in every window of the turn's owners, in place of `hold`."""
    if ctx.spend is None or (not calls and hold is None):
        return
    spent = Spend(sum(c.input_tokens + c.output_tokens for c in calls), sum(c.cost_usd for c in calls))
    ctx.spend.charge(ctx.owners, spent, hold)
