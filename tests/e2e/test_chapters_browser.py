"""End to end in a real browser: `switchboard serve --chapter 3` is the chapter-3 app — its
pages say so, and its panel has no switch of a later chapter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from switchboard.app.lab.registry import REGISTRY
from tests.e2e.browsing import ask
from tests.e2e.conftest import serving, signed_in_tab

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chapter_3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("e2e-chapter-3"), "--chapter", "3") as base_url:
        yield base_url


def test_a_chapter_3_server_shows_its_badge_and_only_chapters_1_to_3(browser: Browser, chapter_3_server: str) -> None:
    with signed_in_tab(browser, chapter_3_server) as page:
        page.goto("/")
        expect(page.locator("#chapter-badge")).to_have_text("Chapter 3 of 12")
        answer = ask(page, "where is my order?")
        expect(answer.locator(".bubble")).to_contain_text("#100")

        page.goto("/switchboard")
        expect(page.locator("#chapter-badge")).to_have_text("Chapter 3 of 12")
        shown = page.locator("#flags [data-flag]").evaluate_all("(boxes) => boxes.map((b) => b.dataset.flag)")
        assert set(shown) == {f.name for f in REGISTRY if f.chapter <= 3}
        legends = page.locator("#flags legend").all_inner_texts()
        assert [legend.split(" · ")[0] for legend in legends] == ["Chapter 1", "Chapter 2", "Chapter 3"]
