"""The agent view beside the chat, in a real browser: it builds while the answer streams, never
shows the customer's raw personal data, fills from a past answer's record; the chat at 390 px;
citations that open their article.

The e2e server streams at 40 tokens a second, so an answer is on screen for about a second:
the view's items are checked while the answer's bubble still has the `streaming` class.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import DOCS, ask
from tests.e2e.conftest import ADMIN

pytestmark = pytest.mark.e2e

# True once, while the newest answer is still streaming, the agent view shows every kind asked
# for, a tool call with its arguments, and the orders node lit with the router's behind it:
# polled by Playwright on every animation frame, so it can only pass before `done`.
SEEN_WHILE_STREAMING = """
(kinds) => {
  const answers = document.querySelectorAll("#messages .msg.assistant");
  const last = answers[answers.length - 1];
  if (!last || !last.classList.contains("streaming")) return false;
  const timeline = document.getElementById("av-timeline");
  const tools = [...timeline.querySelectorAll('[data-kind="tool"]')];
  return kinds.every((kind) => timeline.querySelector(kind))
    && tools.some((tool) => tool.textContent.includes("order_id="))
    && document.querySelector('#av-graph .node.active[data-node="orders"]') !== null
    && document.querySelector('#av-graph .node.visited[data-node="router"]') !== null;
}
"""
DURING_THE_ANSWER = [
    '[data-kind="route"]',
    '[data-kind="handoff"]',
    '[data-kind="tool"]',
    '[data-kind="model"]',
    '[data-kind="guard"].passed',
]


def set_flags(base_url: str, **flags: bool) -> None:
    response = httpx.patch(f"{base_url}/api/flags", json={"flags": flags}, headers=ADMIN, timeout=10)
    response.raise_for_status()


@pytest.fixture
def pii_redaction(server: str) -> Iterator[None]:
    before = httpx.get(f"{server}/api/flags", headers=ADMIN, timeout=10).json()["flags"]["pii_redaction"]
    set_flags(server, pii_redaction=True)
    yield
    set_flags(server, pii_redaction=before)


def _no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} px wide in a {widths[1]} px window"


def test_the_agent_view_lights_nodes_and_lists_the_turn_while_it_streams(page: Page, server: str) -> None:
    set_flags(server, streaming=True)
    page.goto("/")
    mapped = page.evaluate("() => JSON.parse(document.getElementById('agent-graph').textContent).nodes.length")
    assert mapped >= 11, f"the server's map of the graph has only {mapped} nodes"
    expect(page.locator("#av-graph .node")).to_have_count(mapped)  # every node of the server's map is drawn
    page.fill("#text", "where is my order?")
    page.click("#send")
    page.wait_for_function(SEEN_WHILE_STREAMING, arg=DURING_THE_ANSWER, timeout=20_000)
    timeline = page.locator("#av-timeline")
    expect(timeline.locator('[data-kind="route"]').first).to_contain_text("orders")
    expect(timeline.locator('[data-kind="tool"]').first).to_contain_text("order")
    expect(page.locator('#av-graph .node[data-node="router"]')).to_have_class("node visited")

    answer = page.locator("#messages .msg.assistant").last
    expect(answer.locator("details.strip")).to_be_visible(timeout=20_000)
    expect(page.locator("#av-turn")).to_contain_text("answered")
    expect(page.locator('#av-graph .node[data-node="__end__"]')).to_have_class("node active")
    guards = timeline.locator('[data-kind="guard"]')
    expect(guards.filter(has_text="injection_scan")).to_contain_text("passed")
    expect(timeline.locator('[data-kind="model"]').first).to_contain_text("in /")
    expect(page.locator('#av-context [data-field="order"]')).to_contain_text("#")


def test_with_pii_redaction_the_agent_view_shows_placeholders_not_the_customer_s_email(
    page: Page, pii_redaction: None
) -> None:
    page.goto("/")
    page.click("#new-conversation")
    answer = ask(page, "what email do you have on my account?")
    email = "maya.okafor@example.com"
    expect(answer.locator(".bubble")).to_contain_text(email)  # the owner reads it restored
    view = page.locator("#agent-view")
    expect(view.locator('#av-context [data-field="placeholders"]')).to_contain_text("<EMAIL_1>")
    tool = view.locator('#av-timeline [data-kind="tool"]').first
    tool.locator("summary").click()
    expect(tool.locator("pre")).to_contain_text("<EMAIL_1>")
    assert email not in (view.text_content() or "")
    assert email not in view.inner_html()


def test_a_past_answer_fills_the_agent_view_from_its_record(page: Page) -> None:
    page.goto("/")
    page.click("#new-conversation")
    ask(page, "how do I return a tent?")
    ask(page, "where is my order?")
    page.click("#new-conversation")
    expect(page.locator("#av-timeline .item")).to_have_count(0)
    page.locator("#conversations [data-conversation]").first.click()  # the newest conversation
    strips = page.locator("#messages details.strip")
    expect(strips).to_have_count(2)
    shown = page.locator("#av-turn")
    # Opened, the conversation shows its last answer's view; a click on a summary, that answer's.
    expect(shown).to_have_attribute("data-record", strips.last.get_attribute("data-record") or "?")
    expect(page.locator('#av-timeline [data-kind="tool"]').first).to_be_visible()
    strips.first.locator("summary").click()
    expect(shown).to_have_attribute("data-record", strips.first.get_attribute("data-record") or "?")
    expect(page.locator('#av-timeline [data-kind="retrieval"]').first).to_contain_text("passages")
    expect(page.locator('#av-timeline [data-kind="guard"].passed').first).to_be_visible()
    expect(page.locator('#av-graph .node[data-node="knowledge"]')).to_have_class("node visited")


def test_a_citation_opens_its_article(page: Page) -> None:
    page.goto("/")
    page.click("#new-conversation")
    answer = ask(page, "how do I return a tent?")
    citation = answer.locator(".bubble a.cite").first
    expect(citation).to_be_visible()
    article_id = (citation.text_content() or "").strip("[]")
    with page.expect_popup() as opened:
        citation.click()
    article = opened.value
    expect(article.locator(f'article[data-article="{article_id}"] h1')).to_be_visible()
    missing = article.goto("/help/no-such-article")
    assert missing is not None and missing.status == 404
    expect(article.locator("h1")).to_have_text("No such article")


def test_the_chat_is_usable_at_390_px(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    _no_horizontal_scroll(page)
    composer = page.locator("#composer")
    expect(composer).to_be_in_viewport()
    expect(page.locator("#conversations")).not_to_be_in_viewport()  # a drawer, closed
    answer = ask(page, "where is my order?")
    expect(answer.locator(".bubble")).to_be_in_viewport()
    expect(composer).to_be_in_viewport()
    _no_horizontal_scroll(page)
    box = answer.locator(".bubble").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=DOCS / "chat-390.png")

    page.click("#toggle-agent-view")
    view = page.locator("#agent-view")
    expect(view).to_be_in_viewport()
    expect(view.locator('#av-timeline [data-kind="model"]').first).to_be_visible()
    _no_horizontal_scroll(page)
    view.locator(".drawer-close").click()
    expect(view).not_to_be_in_viewport()
    page.click("#toggle-conversations")
    expect(page.locator("#conversations [data-conversation]").first).to_be_in_viewport()


@pytest.fixture
def semantic_cache(server: str) -> Iterator[None]:
    before = httpx.get(f"{server}/api/flags", headers=ADMIN, timeout=10).json()["flags"]["semantic_cache"]
    set_flags(server, semantic_cache=True)
    yield
    set_flags(server, semantic_cache=before)


def test_a_cached_answer_shows_as_a_hit_in_the_strip_and_the_agent_view(page: Page, semantic_cache: None) -> None:
    page.goto("/")
    page.click("#new-conversation")
    question = "how do I clean a down sleeping bag?"
    first = ask(page, question)
    expect(first.locator("details.strip .tag.cache")).to_have_text("cache miss")
    page.click("#new-conversation")
    again = ask(page, question)
    expect(again.locator("details.strip .tag.cache")).to_have_text("cache hit")
    expect(again.locator(".bubble")).to_have_text(first.locator(".bubble").inner_text())
    expect(page.locator('#av-timeline [data-kind="cache"]')).to_contain_text("Answer cache: hit")
    expect(page.locator('#av-timeline [data-kind="model"]')).to_have_count(0)
    expect(page.locator('#av-graph .node[data-node="cache_lookup"]')).to_have_class(re.compile(r"\bvisited\b"))
    expect(page.locator('#av-graph .node[data-node="router"]')).not_to_have_class(re.compile(r"\bvisited\b"))
