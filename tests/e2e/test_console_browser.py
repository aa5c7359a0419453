"""A refund above the limit, end to end in a browser: the customer asks, it waits in the Human
console, a person approves it there, and the customer's conversation shows the decision."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import DOCS, ask

pytestmark = pytest.mark.e2e


def test_a_big_refund_waits_for_a_person_and_the_approval_reaches_the_customer(page: Page) -> None:
    page.goto("/")
    page.click("#new-conversation")
    answer = ask(page, "I want a refund for order 10049")
    expect(answer).to_contain_text("asked a colleague to approve it")
    conversation = page.locator("#conversations [data-conversation]").first.get_attribute("data-conversation")

    page.goto("/console")
    waiting = page.locator(".approval", has_text="order #10049")
    expect(waiting).to_contain_text("Refund of $357.05")
    expect(waiting.locator(".context")).to_contain_text("I want a refund for order 10049")
    page.screenshot(path=DOCS / "console.png", full_page=True)
    waiting.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("#approvals")).to_contain_text("Nothing is waiting for a person")

    page.goto("/")
    page.click(f'#conversations [data-conversation="{conversation}"]')
    expect(page.locator("#messages")).to_contain_text("a colleague approved your refund of $357.05 for order #10049")


def test_customers_without_the_admin_cookie_do_not_see_the_console(page: Page) -> None:
    page.context.clear_cookies()
    response = page.goto("/console")
    assert response is not None and response.status == 401
