"""The book in a real browser: from the header to a chapter, across to a related one, readable
on a phone (nothing scrolls sideways), with no script or console error."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

pytestmark = pytest.mark.e2e


def test_a_reader_goes_from_the_header_to_a_chapter_and_on_to_a_related_one(page: Page) -> None:
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.get_by_role("link", name="Book").click()
    expect(page.locator(".chapters li")).to_have_count(12)
    page.locator('.chapters a[data-chapter="4"]').click()
    expect(page.locator("h1")).to_contain_text("Retrieval and citations")
    expect(page.locator("h2#the-problem")).to_be_visible()
    expect(page.locator("h2")).to_have_count(12)  # every section of the book's layout
    page.locator('.chapter-body a[href="/chapters/1"]').first.click()  # a related chapter's link
    expect(page.locator("article.chapter")).to_have_attribute("data-chapter", "1")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the chapter scrolls sideways: {widths[0]} px in a {widths[1]} px window"
    assert errors == []
