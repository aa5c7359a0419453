"""End to end in a real browser: tokens stream into the chat, the switchboard turns streaming off.

The demo models are slowed down by the `server` fixture (40 tokens a second), so a streamed
answer of a few dozen words grows over about a second. A MutationObserver in the page records
every distinct length the answer bubble goes through; that is the proof of streaming.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import DOCS, ask
from tests.e2e.conftest import ADMIN

pytestmark = pytest.mark.e2e


def observed_lengths(page: Page) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = page.evaluate(
        "() => { window.__answerObserver.disconnect(); return window.__answerLengths; }"
    )
    return seen


def set_streaming(base_url: str, on: bool) -> None:
    response = httpx.patch(f"{base_url}/api/flags", json={"flags": {"streaming": on}}, headers=ADMIN, timeout=10)
    response.raise_for_status()
    assert response.json()["flags"]["streaming"] is on


def test_answers_stream_token_by_token(page: Page, server: str) -> None:
    set_streaming(server, True)
    page.goto("/")
    expect(page.locator("#signed-in")).to_have_attribute("data-customer", "C1001")

    answer = ask(page, "where is my order?")
    bubble = answer.locator(".bubble")
    final = bubble.inner_text()
    lengths = [entry["length"] for entry in observed_lengths(page)]
    grown = [n for n in lengths if n > 0]
    assert final.strip(), "the answer is empty"
    assert len(grown) >= 5, f"the answer did not arrive in steps: lengths {lengths}"
    assert grown == sorted(set(grown)), f"the answer did not only grow: {lengths}"
    assert grown[-1] == len(bubble.text_content() or "")
    strip = answer.locator("details.strip")
    expect(strip.locator("summary")).to_contain_text("orders")
    expect(strip.locator("summary")).to_contain_text("streamed")

    answer = ask(page, "how do I return a tent?")
    text = answer.locator(".bubble").inner_text()
    assert text.strip(), "the policy answer is empty"
    assert re.search(r"\[[^\]]+\]", text), f"no citation in the policy answer: {text!r}"
    expect(answer.locator("details.strip summary")).to_contain_text("knowledge")

    # The README's screenshot: both answers, the first one's details open.
    expect(page.locator("#conversations [data-conversation]").first).to_be_visible()
    first_strip = page.locator("#messages details.strip").first
    first_strip.locator("summary").click()
    expect(first_strip).to_have_attribute("open", "")
    expect(first_strip.locator("dl")).to_contain_text("Agent path")
    page.locator("#messages").evaluate("m => { m.scrollTop = 0; }")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=DOCS / "screenshot.png")


def test_streaming_off_sends_the_answer_whole(page: Page, server: str) -> None:
    # One streamed turn first, so the metrics table has both configurations in any test order.
    set_streaming(server, True)
    _turn_via_api(server, "where is my order?")
    try:
        page.goto("/switchboard")
        checkbox = page.locator('input[data-flag="streaming"]')
        expect(checkbox).to_be_checked()
        expect(checkbox).to_be_enabled()
        checkbox.evaluate("box => { box.dataset.stale = '1'; }")
        checkbox.click()
        # htmx re-renders #flags from the server: the new checkbox has no `stale` mark.
        rerendered = page.locator('#flags input[data-flag="streaming"]:not([data-stale])')
        expect(rerendered).to_be_attached()
        expect(rerendered).not_to_be_checked()
        flags = httpx.get(f"{server}/api/flags", headers=ADMIN, timeout=10).json()["flags"]
        assert flags["streaming"] is False

        page.goto("/")
        page.click("#new-conversation")
        expect(page.locator("#messages .msg")).to_have_count(0)
        answer = ask(page, "where is my order?")
        lengths = [entry["length"] for entry in observed_lengths(page)]
        final = answer.locator(".bubble").text_content() or ""
        assert final.strip(), "the answer is empty"
        assert [n for n in lengths if n > 0] == [len(final)], (
            f"with streaming off the answer should arrive whole; lengths {lengths}"
        )
        summary = answer.locator("details.strip summary")
        expect(summary).to_contain_text("whole")
        expect(summary).to_contain_text("orders")

        page.goto("/switchboard")
        rows = page.locator("table.metrics tbody tr")
        page.wait_for_function("() => document.querySelectorAll('table.metrics tbody tr').length >= 2")
        keys = rows.locator("td:first-child").all_inner_texts()
        assert any("streaming=on" in k for k in keys), keys
        assert any("streaming=off" in k for k in keys), keys
        DOCS.mkdir(exist_ok=True)
    finally:
        set_streaming(server, True)


def _turn_via_api(base_url: str, text: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        session = client.post("/api/session", json={"customer_id": "C1001"})
        session.raise_for_status()
        client.cookies.clear()  # an API client sends its token instead
        client.headers["Authorization"] = f"Bearer {session.json()['token']}"
        conversation = client.post("/api/conversations", json={})
        conversation.raise_for_status()
        response = client.post(
            f"/api/conversations/{conversation.json()['id']}/messages",
            json={"text": text},
            headers={"accept": "text/event-stream"},
        )
        response.raise_for_status()
        assert "event: done" in response.text, response.text[-500:]


def test_a_customer_signs_in_from_the_picker_and_sees_only_their_conversations(page: Page) -> None:
    page.goto("/")
    ask(page, "where is my order?")  # as C1001
    expect(page.locator("#conversations [data-conversation]").first).to_be_visible()
    page.click("#sign-out")
    expect(page.locator("#composer")).to_have_count(0)
    page.click('.customers button[data-customer="C1002"]')
    expect(page.locator("#signed-in")).to_have_attribute("data-customer", "C1002")
    expect(page.locator("#conversations")).to_contain_text("No conversations yet")
    answer = ask(page, "what email do you have on my account?")
    expect(answer.locator(".bubble")).to_contain_text("diego.ramirez@example.com")
    expect(answer.locator(".bubble")).not_to_contain_text("maya.okafor")


def set_rate_limit(base_url: str, on: bool) -> None:
    response = httpx.patch(f"{base_url}/api/flags", json={"flags": {"rate_limit": on}}, headers=ADMIN, timeout=10)
    response.raise_for_status()


def test_a_rate_limited_message_is_answered_with_when_to_try_again(page: Page, server: str) -> None:
    set_rate_limit(server, True)
    try:
        page.goto("/")
        page.click("#sign-out")
        page.click('.customers button[data-customer="C1007"]')  # nobody else's test signs in as them
        expect(page.locator("#signed-in")).to_have_attribute("data-customer", "C1007")
        ask(page, "where is my order?")  # the one message a minute the server allows
        page.fill("#text", "and where is my other order?")
        page.click("#send")
        refused = page.locator("#messages .msg.assistant").nth(1)
        expect(refused).to_have_class(re.compile(r"\bfailed\b"))
        expect(refused.locator(".bubble")).to_have_text(re.compile(r"Please try again in \d+ seconds?\."))
        expect(refused).not_to_have_class(re.compile(r"\bstreaming\b"))
        expect(page.locator("#send")).to_be_enabled()
        expect(page.locator("#av-turn")).not_to_contain_text("Working on")  # no turn began
        page.screenshot(path=DOCS / "rate_limited.png")
    finally:
        set_rate_limit(server, False)
