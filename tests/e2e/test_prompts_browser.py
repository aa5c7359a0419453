"""The Prompts page in a real browser: roll the worse router out from the form, chat as a
customer, see both versions' columns, then roll back in one click and see the candidate gone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import DOCS, ask

pytestmark = pytest.mark.e2e


def test_roll_out_from_the_form_and_roll_back_in_one_click(page: Page) -> None:
    page.goto("/prompts?name=router")
    expect(page.locator("#prompt-versions")).to_contain_text("TEACHING EXAMPLE")
    page.select_option("#rollout-form select[name=candidate]", "5-worse")
    page.fill("#rollout-form input[name=share]", "100")
    page.click("#rollout-form button[type=submit]")
    expect(page.locator('#figures-table th[data-version="5-worse"]')).to_be_visible()
    page.goto("/")
    ask(page, "how long do refunds take?")
    page.goto("/prompts?name=router")
    candidate = page.locator("#figures-table tbody tr").first.locator("td").nth(1)
    expect(candidate).to_have_text("1")  # the customer's turn was served the candidate
    page.screenshot(path=str(DOCS / "prompts.png"), full_page=True)
    page.click("#rollback")
    expect(page.locator('#figures-table th[data-version="5-worse"]')).to_have_count(0)
    expect(page.locator("#rollback")).to_have_count(0)
