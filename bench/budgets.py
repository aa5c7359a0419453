"""A scripted customer spends past their daily budget: which turn the budget acts at, and whether
a restart of the app resets it.

    python bench/budgets.py                                   the settings' action (degrade) at $0.02 a day
    python bench/budgets.py --action refuse --usd 0.015 --turns 8 --restart-after 3

The app runs on the demo models in a temporary folder, under the default switches with
`token_budget` on (and the answer cache off, so every turn calls the models). The daily budget is
set the way the panel sets it (PUT /api/budgets' BudgetBook.change); the customer asks a short
script of questions, one conversation each; after `--restart-after` turns the app is shut down
and started again on the same folder, and the script goes on. Each turn prints what the customer
had spent today before it, what it cost, the models it used and what the budget did, so the turn
that acted can be checked against the limit by hand: it is the first whose spend so far plus its
next call's most (prompt counted, answer at its cap) is over the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from switchboard.agents.record import BudgetAction
from switchboard.app.cost.budgets import BudgetChanges, BudgetSpec
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.patterns.spend_budget import Owners, window_key

CUSTOMER = "C1001"
SCRIPT = (
    "Can I return boots I bought last month?",
    "Where is my order 10057?",
    "How do I clean a down sleeping bag?",
)
TODAY = datetime(2026, 12, 3, 9, tzinfo=UTC)  # one fixed day: the script never crosses midnight


async def spent_today(services: Services) -> float:
    await services.spend.settled()
    key = window_key("customer_day", Owners("", CUSTOMER, "tidewater"), services.now())
    found = await services.ledger.spent([key])
    return found[key].usd if key in found else 0.0


async def one_turn(services: Services, text: str) -> dict[str, Any]:
    conversation = await services.conversations.create(CUSTOMER)
    flags = {**services.flags.snapshot(), "token_budget": True, "semantic_cache": False}
    events = [e async for e in services.turns.play(conversation.id, CUSTOMER, text, flags)]
    return events[-1].data


async def play(settings: Settings, first: int, last: int, budget: BudgetChanges | None) -> list[tuple[Any, ...]]:
    rows = []
    async with running_services(settings, now=lambda: TODAY) as services:
        if budget is not None:
            await services.budgets.change(budget)
        for number in range(first, last + 1):
            before = await spent_today(services)
            record = await one_turn(services, SCRIPT[(number - 1) % len(SCRIPT)])
            rows.append((number, before, record))
    return rows


def show(number: int, before: float, record: dict[str, Any], restarted: bool) -> None:
    acted = record["budget_action"] or "-"
    models = ",".join(record["models"]) or "(none)"
    mark = "  <- after a restart" if restarted else ""
    print(f"{number:>4}  ${before:.5f}  ${record['cost_usd']:.5f}  {record['outcome']:<9} {models:<34} {acted}{mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--action", choices=["refuse", "degrade", "warn"], default="degrade")
    parser.add_argument("--usd", type=float, default=0.02, help="the customer's daily budget in dollars")
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--restart-after", type=int, default=4)
    args = parser.parse_args()
    action: BudgetAction = args.action
    budget = BudgetChanges(customer_day=BudgetSpec(action=action, max_usd=args.usd))
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), demo_ttft_ms=0, demo_tokens_per_s=0)
        before = asyncio.run(play(settings, 1, args.restart_after, budget))
        after = asyncio.run(play(settings, args.restart_after + 1, args.turns, None))  # the edit is kept
    print(f"daily budget ${args.usd} -> {action}; restart after turn {args.restart_after}")
    print("turn  spent before  cost     outcome   models                             budget")
    for number, spent, record in before + after:
        show(number, spent, record, restarted=number == args.restart_after + 1)
    acted = [n for n, _, r in before + after if r["budget_action"]]
    if acted:
        first = next(r for n, _, r in before + after if n == acted[0])
        print(f"first acted at turn {acted[0]}: {first['budget_detail']}")
        print(f"still acting after the restart: {'yes' if any(n > args.restart_after for n in acted) else 'no'}")
    else:
        print("the budget never acted: raise --turns or lower --usd")


if __name__ == "__main__":
    main()
