"""Replay in a real browser: a past turn's model call in the agent view links to its stored
request, and the page replays it against another model, the two answers side by side."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import DOCS, ask

pytestmark = pytest.mark.e2e


def test_a_model_call_in_the_agent_view_replays_against_another_model_side_by_side(page: Page) -> None:
    page.goto("/")
    ask(page, "do you ship to Canada?")
    link = page.locator('#av-timeline [data-kind="model"] a.replay').last
    expect(link).to_have_attribute("href", re.compile(r"^/records/r_\w+/calls/\d+$"))
    link.click()
    expect(page.locator("#answer-original .text")).not_to_be_empty()
    page.select_option("#replay-model", "demo-small")
    page.click("#replay-button")
    replayed = page.locator("#answer-replayed")
    expect(replayed.locator("h2")).to_contain_text("demo-small", timeout=20_000)
    expect(replayed.locator(".text")).not_to_be_empty()
    expect(replayed.locator(".figures")).to_contain_text(" in / ")
    box = page.locator("#answer-original").bounding_box(), replayed.bounding_box()
    assert box[0] is not None and box[1] is not None and box[0]["x"] < box[1]["x"]  # side by side
    page.screenshot(path=str(DOCS / "call_replay.png"), full_page=True)
