"""The Human console and the chat, live, in two browser tabs: a big refund asked for in the chat
appears in the console by itself; the person's decision is confirmed there and reaches the open
chat without a reload; so do a take-over, a person's reply and the hand-back. The operator signs
in on a page; a customer sees no operator links, and a page instead of JSON at /console."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.browsing import DOCS, ask
from tests.e2e.conftest import ADMIN_TOKEN

pytestmark = pytest.mark.e2e

PUSHED_WITHIN_MS = 2_000  # pushed at once; the margin is for a loaded test machine
NO_RELOAD = "window.__notReloaded = true"  # a page that reloads forgets it


@pytest.fixture
def operator(browser: Browser, server: str) -> Iterator[BrowserContext]:
    """A second browser, signed in as the operator only (through the sign-in page's form)."""
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    sign_in = context.new_page()
    sign_in.goto("/admin")
    sign_in.fill("#token", ADMIN_TOKEN)
    sign_in.get_by_role("button", name="Sign in").click()
    expect(sign_in).to_have_url(f"{server}/console")
    sign_in.close()
    yield context
    context.close()


@pytest.fixture
def customer_only(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    context.request.post(f"{server}/ui/session", form={"customer_id": "C1002"}, headers={"Origin": server})
    yield context.new_page()
    context.close()


def not_reloaded(page: Page) -> bool:
    return bool(page.evaluate("window.__notReloaded === true"))


def test_a_big_refund_appears_in_the_console_and_the_decision_reaches_the_open_chat(
    page: Page, operator: BrowserContext
) -> None:
    console = operator.new_page()
    console.goto("/console")
    console.evaluate(NO_RELOAD)
    page.goto("/")
    page.click("#new-conversation")
    page.evaluate(NO_RELOAD)
    answer = ask(page, "I want a refund for order 10049")
    expect(answer).to_contain_text("asked a colleague to approve it")

    waiting = console.locator(".approval", has_text="order #10049")
    expect(waiting).to_contain_text("Refund of $357.05")  # polled in, not reloaded
    expect(waiting.locator(".exchange dd.user")).to_have_text("I want a refund for order 10049")
    expect(waiting.locator(".exchange dd.assistant")).to_contain_text("asked a colleague to approve it")
    expect(waiting).to_contain_text("declined automatically at")
    console.screenshot(path=DOCS / "console.png", full_page=True)
    amount = waiting.locator('input[name="amount"]')
    amount.fill("100000")
    waiting.get_by_role("button", name="Approve this amount").click()
    expect(console.locator("#decisions .problem")).to_contain_text("Not done: amount: $100000.00 is more than")
    amount.fill("")
    waiting.get_by_role("button", name="Approve", exact=True).click()
    confirmed = "Refund of $357.05 on order #10049 approved; the customer has been told"
    expect(console.locator("#decisions .confirm")).to_contain_text(confirmed)
    expect(waiting).to_have_count(0)

    told = "a colleague approved your refund of $357.05 for order #10049"
    expect(page.locator("#messages .msg.assistant").last).to_contain_text(told, timeout=PUSHED_WITHIN_MS)
    assert not_reloaded(page) and not_reloaded(console)


def test_a_take_over_a_reply_and_the_hand_back_show_in_the_open_chat(page: Page, operator: BrowserContext) -> None:
    page.goto("/")
    page.click("#new-conversation")
    page.evaluate(NO_RELOAD)
    ask(page, "where is my last order?")
    conversation = page.locator("#conversations [data-conversation]").first.get_attribute("data-conversation")
    console = operator.new_page()
    console.goto("/console")
    row = console.locator(f'tr[data-conversation="{conversation}"]')

    row.get_by_role("button", name="Take over").click()
    expect(console.locator("#decisions .confirm").first).to_contain_text("You answer this conversation now")
    held = page.locator("#held")
    expect(held).to_be_visible(timeout=PUSHED_WITHIN_MS)
    expect(held).to_have_text("A person from our team is answering this conversation.")
    row.get_by_placeholder("Your reply").fill("Your tent ships today.")
    row.get_by_role("button", name="Send").click()
    reply = page.locator("#messages .msg.assistant").last
    expect(reply).to_have_text("From our team: Your tent ships today.", timeout=PUSHED_WITHIN_MS)
    page.screenshot(path=DOCS / "chat-taken-over.png")
    row.get_by_role("button", name="Hand back").click()
    expect(held).to_be_hidden(timeout=PUSHED_WITHIN_MS)
    assert not_reloaded(page)


def test_the_console_does_not_refresh_a_form_being_typed_in(page: Page, operator: BrowserContext) -> None:
    page.goto("/")
    page.click("#new-conversation")
    ask(page, "where is my order?")
    conversation = page.locator("#conversations [data-conversation]").first.get_attribute("data-conversation")
    console = operator.new_page()
    console.goto("/console")
    row = console.locator(f'tr[data-conversation="{conversation}"]')
    row.get_by_role("button", name="Take over").click()
    field = row.get_by_placeholder("Your reply")
    field.fill("half a sentence")
    asked: list[str] = []
    console.on("request", lambda request: asked.append(request.url))
    for _ in range(2):  # two rounds of polling: the queue is refreshed, the table being typed in is not
        with console.expect_request("**/ui/approvals"):
            pass
    assert not [url for url in asked if url.endswith("/ui/console/conversations")]
    expect(field).to_have_value("half a sentence")
    row.get_by_role("button", name="Hand back").click()


def test_a_customer_sees_no_operator_links_and_a_page_at_the_console(customer_only: Page) -> None:
    missing: list[str] = []
    customer_only.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    customer_only.goto("/")
    icon = customer_only.request.get("/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    nav = customer_only.locator("header nav")
    expect(nav.get_by_role("link", name="Chat")).to_be_visible()
    for operators in ("Switchboard", "Runs", "Console"):
        expect(nav.get_by_role("link", name=operators)).to_have_count(0)
    response = customer_only.goto("/console")
    assert response is not None and response.status == 401
    expect(customer_only.locator("h1")).to_have_text("This page is for the shop's operators")
    customer_only.get_by_role("link", name="Sign in as the operator").click()
    expect(customer_only.locator("h1")).to_have_text("Operator sign-in")
    assert not missing, missing  # the icon included


def test_the_sign_in_page_refuses_a_wrong_token_and_signs_the_operator_in(browser: Browser, server: str) -> None:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    sign_in = context.new_page()
    sign_in.goto("/runs")
    sign_in.get_by_role("link", name="Sign in as the operator").click()
    sign_in.screenshot(path=DOCS / "sign-in.png", full_page=True)
    sign_in.fill("#token", "not-it")
    sign_in.get_by_role("button", name="Sign in").click()
    expect(sign_in.get_by_role("alert")).to_contain_text("That is not the operator token")
    sign_in.fill("#token", ADMIN_TOKEN)
    sign_in.get_by_role("button", name="Sign in").click()
    expect(sign_in).to_have_url(f"{server}/runs")
    expect(sign_in.locator("header nav").get_by_role("link", name="Console")).to_be_visible()
    context.close()
