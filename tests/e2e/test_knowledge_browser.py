"""End to end in a real browser: the operator picks a chunking strategy in the Knowledge base box;
the index is cut again in the background and the box then names the new strategy.

The server is the session's: the test puts `heading` back (through the API, waiting for the
build) so that the other browser tests see the index they expect.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN

pytestmark = pytest.mark.e2e
BUILD_S = 60  # a whole help centre cut sentence by sentence on a loaded 2-core machine


@pytest.fixture
def heading_again(server: str) -> Iterator[None]:
    yield
    with httpx.Client(base_url=server, headers=ADMIN, timeout=10) as api:
        deadline = time.monotonic() + BUILD_S
        while time.monotonic() < deadline:
            state = api.get("/api/knowledge/chunking").json()
            if (state["serving"], state["building"]) == ("heading", None):
                return
            if state["building"] is None:
                api.put("/api/knowledge/chunking", json={"strategy": "heading"})
            time.sleep(0.2)  # polling interval, not a wait for a condition
        pytest.fail("the index was not cut back to heading")


def test_the_operator_switches_the_chunking_strategy_and_the_box_names_it(
    page: Page, server: str, heading_again: None
) -> None:
    page.goto("/switchboard")
    box = page.locator("#knowledge")
    expect(box.locator('[data-field="layout"]')).to_contain_text("heading chunks")
    box.locator("#chunking-strategy").select_option("sentence")
    box.locator("#switch-chunking").click()
    expect(box.locator('[data-field="building"]')).to_contain_text("sentence")  # the box says it is under way
    expect(box.locator('[data-field="layout"]')).to_contain_text("sentence chunks", timeout=BUILD_S * 1000)
    expect(box.locator('[data-field="layout"]')).to_contain_text("tenant-chunks/sentence")
    expect(box.locator('[data-field="building"]')).to_have_text("no")
    health = httpx.get(f"{server}/api/knowledge/health", headers=ADMIN).json()
    assert (health["chunking"], health["building"]) == ("sentence", None)
