"""Spend budgets: window keys follow the calendar, an overrun is caught before the call, and the
strictest exhausted budget decides."""

from __future__ import annotations

from datetime import UTC, datetime

from switchboard.patterns.spend_budget import Budget, BudgetVerdict, Owners, Spend, assess, window_key

OWNERS = Owners(request="r1", customer="C1001", tenant="tidewater")
NOON = datetime(2026, 12, 3, 12, tzinfo=UTC)
DAILY_TOKENS = Budget("customer_day", "refuse", max_tokens=1000)
MONTHLY_USD = Budget("tenant_month", "degrade", max_usd=50.0)
PER_REQUEST = Budget("request", "warn", max_tokens=400)


def test_window_keys_follow_the_utc_calendar() -> None:
    assert window_key("request", OWNERS, NOON) == "request:r1"
    assert window_key("customer_day", OWNERS, NOON) == "customer:tidewater/C1001:2026-12-03"
    assert window_key("tenant_month", OWNERS, NOON) == "tenant:tidewater:2026-12"
    tomorrow = datetime(2026, 12, 4, 0, 0, 1, tzinfo=UTC)
    assert window_key("customer_day", OWNERS, tomorrow) != window_key("customer_day", OWNERS, NOON)


def test_a_call_with_room_in_every_budget_is_allowed() -> None:
    spent = {"customer:tidewater/C1001:2026-12-03": Spend(500, 0.01)}
    verdict = assess([DAILY_TOKENS, MONTHLY_USD], spent, Spend(200, 0.001), OWNERS, NOON)
    assert verdict == BudgetVerdict("allow") and verdict.allowed


def test_a_call_that_would_overrun_is_stopped_before_it_starts() -> None:
    spent = {"customer:tidewater/C1001:2026-12-03": Spend(900, 0.01)}
    verdict = assess([DAILY_TOKENS], spent, Spend(101, 0.0), OWNERS, NOON)
    assert verdict == BudgetVerdict("refuse", DAILY_TOKENS, Spend(900, 0.01)) and not verdict.allowed


def test_reaching_a_limit_exactly_is_still_within_it() -> None:
    spent = {"customer:tidewater/C1001:2026-12-03": Spend(900, 0.0)}
    assert assess([DAILY_TOKENS], spent, Spend(100, 0.0), OWNERS, NOON).action == "allow"


def test_yesterdays_spend_does_not_count_today() -> None:
    spent = {"customer:tidewater/C1001:2026-12-02": Spend(5000, 1.0)}
    assert assess([DAILY_TOKENS], spent, Spend(10, 0.0), OWNERS, NOON).action == "allow"


def test_the_strictest_exhausted_budget_decides() -> None:
    spent = {"customer:tidewater/C1001:2026-12-03": Spend(990, 0.0), "tenant:tidewater:2026-12": Spend(0, 49.99)}
    verdict = assess([PER_REQUEST, MONTHLY_USD, DAILY_TOKENS], spent, Spend(450, 0.02), OWNERS, NOON)
    assert verdict.action == "refuse" and verdict.budget == DAILY_TOKENS


def test_a_dollar_budget_ignores_tokens_and_a_token_budget_ignores_dollars() -> None:
    spent = {"tenant:tidewater:2026-12": Spend(10**9, 10.0)}
    assert assess([MONTHLY_USD], spent, Spend(10**6, 1.0), OWNERS, NOON).action == "allow"
    assert assess([MONTHLY_USD], spent, Spend(0, 40.01), OWNERS, NOON).action == "degrade"
