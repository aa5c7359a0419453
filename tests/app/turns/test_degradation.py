"""The degradation ladder never serves one customer an answer made for another."""

from __future__ import annotations

from switchboard.app.services import Services
from tests.app.playing import turn


def _all_down(services: Services) -> None:
    services.flags.apply_preset("all-on")
    services.chaos.apply_preset("all-down")


async def test_a_cached_answer_about_an_account_is_not_served_to_another_customer(services: Services) -> None:
    question = "what email do you have on my account?"
    mine, _ = await turn(services, "C1001", question)
    c1001 = await services.shop.account("C1001")
    assert c1001 is not None and c1001.email in mine  # the model answered with C1001's own data
    _all_down(services)
    theirs, record = await turn(services, "C1002", question)
    assert c1001.email not in theirs and c1001.name not in theirs
    assert record["outcome"] == "degraded" and record["tier_served"] != "cache"


async def test_a_cached_answer_about_an_order_is_not_served_to_another_customer(services: Services) -> None:
    question = "where is my last order?"
    mine, _ = await turn(services, "C1001", question)
    assert "10057" in mine
    _all_down(services)
    theirs, record = await turn(services, "C1002", question)
    assert "10057" not in theirs and record["tier_served"] != "cache"


async def test_the_customer_who_was_answered_gets_the_cached_answer_back(services: Services) -> None:
    question = "where is my last order?"
    mine, _ = await turn(services, "C1001", question)
    _all_down(services)
    again, record = await turn(services, "C1001", question)
    assert record["tier_served"] == "cache" and again == mine


async def test_a_rung_carrying_another_customers_data_is_withheld(services: Services) -> None:
    # However an answer came to be on the ladder, it passes the same filter as a model's.
    c1001 = await services.shop.account("C1001")
    assert c1001 is not None
    question = "what email do you have on my account?"
    services.ladder.answers.remember("tidewater", "C1002", question, f"It is {c1001.email}.")
    _all_down(services)
    theirs, record = await turn(services, "C1002", question)
    assert c1001.email not in theirs
    assert any(g["guard"] == "pii_redaction" and g["action"] == "block" for g in record["guards"])


async def test_the_last_rungs_ticket_promises_the_customers_own_shops_reply_time(services: Services) -> None:
    _all_down(services)
    question = "where is order 18016?"  # names an order: no article may answer it, so a ticket is opened
    summit, record = await turn(services, "S2001", question)
    tidewater, _ = await turn(services, "C1001", "where is order 10057?")
    assert record["tier_served"] == "unavailable" and "within 2 business days" in summit
    assert "within 1 business day" in tidewater
