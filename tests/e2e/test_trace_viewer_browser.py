"""The trace viewer in a real browser: a turn's waterfall draws nested bars on one time axis,
reached from the answer's details strip, and a click shows a span's attributes."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import DOCS, ask
from tests.e2e.conftest import ADMIN

pytestmark = pytest.mark.e2e

# Each row's bar, with its depth and its parent's bar: nested rows must sit inside their parent's.
BARS = """
() => [...document.querySelectorAll("#waterfall .span-row")].map((row) => {
  const box = row.querySelector(".bar").getBoundingClientRect();
  const parent = document.querySelector(`#waterfall .span-row[data-span="${row.dataset.parent}"] .bar`);
  const outer = parent ? parent.getBoundingClientRect() : null;
  return {name: row.querySelector(".label").textContent, depth: Number(row.dataset.depth),
          left: box.left, right: box.right, width: box.width,
          parentLeft: outer ? outer.left : null, parentRight: outer ? outer.right : null};
})
"""


@pytest.fixture
def tracing(server: str) -> Iterator[None]:
    def switch(on: bool) -> None:
        httpx.patch(
            f"{server}/api/flags", json={"flags": {"tracing": on}}, headers=ADMIN, timeout=10
        ).raise_for_status()

    switch(True)
    yield
    switch(False)


def test_a_turn_s_trace_opens_from_its_strip_as_a_waterfall_of_nested_bars(page: Page, tracing: None) -> None:
    page.goto("/")
    page.click("#new-conversation")
    answer = ask(page, "where is my order?")
    link = answer.locator("details.strip a.trace-link")
    href = link.get_attribute("href") or ""
    assert href.startswith("/traces/")
    page.goto(href)
    rows = page.locator("#waterfall .span-row")
    expect(rows.first).to_be_visible()
    bars = page.evaluate(BARS)
    assert bars[0]["name"].startswith("POST ") and bars[0]["depth"] == 0
    assert max(b["depth"] for b in bars) >= 3  # request → turn → node → gateway call → attempt
    for bar in bars:
        assert bar["width"] >= 1, bar
        if bar["parentLeft"] is not None:  # a child's bar lies within its parent's (a pixel of rounding)
            assert bar["left"] >= bar["parentLeft"] - 1 and bar["right"] <= bar["parentRight"] + 1, bar
    page.locator("#waterfall .span-row", has_text="chat demo").first.click()
    detail = page.locator("#span-detail")
    expect(detail).to_contain_text("gen_ai.request.model")
    expect(detail).to_contain_text("switchboard.call_index")
    page.screenshot(path=str(DOCS / "trace-viewer.png"), full_page=True)
    detail.locator("a.replay").click()  # the operator's: the call's stored request, to send again
    expect(page).to_have_url(re.compile(r"/records/[^/]+/calls/\d+$"))


def test_the_agent_view_links_the_turn_s_trace(page: Page, tracing: None) -> None:
    page.goto("/")
    page.click("#new-conversation")
    ask(page, "how do I return a tent?")
    expect(page.locator("#av-turn a.trace-link")).to_have_attribute("href", re.compile(r"^/traces/[0-9a-f]{32}$"))
