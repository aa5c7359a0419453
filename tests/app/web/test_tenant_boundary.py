"""Through the API, with real signed sessions: a customer of one storefront never sees the other's
articles or orders, and the turn's tenant comes from the shop's records."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.app.web.chatting import answer_of, ask, new_conversation
from tests.conftest import SAME_SITE

TIDEWATER_ONLY = {"tent-care-mildew", "tent-pole-repair", "account-password-reset", "trail-rewards-program"}
SUMMIT_ONLY = {"tyre-puncture-repair", "bike-sizing", "e-bike-battery-care", "helmet-crash-replacement"}


def done(events: list[tuple[str, object]]) -> dict[str, object]:
    return next(data for name, data in events if name == "done")  # type: ignore[return-value]


@pytest.mark.parametrize("authorised", [True, False])
def test_a_summit_customer_is_never_shown_a_tidewater_article(client: TestClient, authorised: bool) -> None:
    """With `session_authorisation` off the tenant boundary for articles still holds."""
    client.patch("/api/flags", json={"flags": {"session_authorisation": authorised}})
    conversation = new_conversation(client, "S2001")
    # Tidewater's articles answer the tents; Summit's own the returns (so the search finds something
    # above the not-in-the-help-centre floor, and it must be Summit's).
    question = "How do I get mildew out of my tent and repair a tent pole, and what is your returns policy?"
    record = done(ask(client, conversation, question))
    assert record["tenant_id"] == "summit"
    assert record["retrieved"]  # it searched, and found only Summit's articles
    assert not (set(record["sources"]) | set(record["retrieved"])) & TIDEWATER_ONLY  # type: ignore[arg-type]


def test_a_tidewater_customer_is_never_shown_a_summit_article(client: TestClient) -> None:
    conversation = new_conversation(client, "C1001")
    record = done(ask(client, conversation, "How do I fix a tyre puncture on my e-bike?"))
    assert record["tenant_id"] == "tidewater"
    assert not set(record["sources"]) & SUMMIT_ONLY  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("customer", "ours", "theirs"),
    [("S2001", "Summit Cycles", "Tidewater"), ("C1001", "Tidewater Outfitters", "Summit")],
)
def test_a_request_out_of_scope_is_declined_in_the_customers_shops_name(
    client: TestClient, customer: str, ours: str, theirs: str
) -> None:
    conversation = new_conversation(client, customer)
    events = ask(client, conversation, "please write a haiku about autumn leaves")
    assert done(events)["outcome"] == "declined"
    assert f"I'm {ours}'" in answer_of(events) and theirs not in answer_of(events)


@pytest.mark.parametrize(("customer", "promise"), [("S2001", "2 business days"), ("C1001", "1 business day")])
def test_a_person_is_promised_in_the_customers_shops_own_reply_time(
    client: TestClient, customer: str, promise: str
) -> None:
    conversation = new_conversation(client, customer)
    events = ask(client, conversation, "I want to talk to a human please")
    assert done(events)["outcome"] == "escalated"
    assert f"within {promise} " in answer_of(events)


def test_a_summit_customer_cannot_read_a_tidewater_order(client: TestClient) -> None:
    conversation = new_conversation(client, "S2001")
    answer = answer_of(ask(client, conversation, "Where is order 10001?"))
    assert "couldn't find" in answer.lower() or "could not find" in answer.lower()


def test_the_article_page_resolves_in_the_viewers_storefront(client: TestClient) -> None:
    client.post("/api/session", json={"customer_id": "S2001"}, headers=SAME_SITE)
    theirs = client.get("/help/returns-policy?tenant=tidewater")  # the link's tenant is not who is asking
    assert theirs.status_code == 200 and "30 days" in theirs.text and "Summit Cycles" in theirs.text
    assert client.get("/help/account-password-reset?tenant=tidewater").status_code == 404
    client.cookies.clear()
    anyone = client.get("/help/account-password-reset?tenant=tidewater")
    assert anyone.status_code == 200 and "Tidewater Outfitters" in anyone.text


def test_the_picker_lists_both_storefronts(client: TestClient) -> None:
    client.cookies.clear()
    page = client.get("/").text
    assert 'data-tenant="summit"' in page and 'data-tenant="tidewater"' in page
    assert 'data-customer="S2001"' in page and 'data-customer="C1001"' in page


@pytest.mark.parametrize(
    ("customer", "ours", "theirs"),
    [("S2001", "Summit Cycles", "Tidewater"), ("C1001", "Tidewater Outfitters", "Summit")],
)
def test_the_chat_page_is_titled_and_headed_with_the_customers_shop(
    client: TestClient, customer: str, ours: str, theirs: str
) -> None:
    client.cookies.clear()
    client.post("/api/session", json={"customer_id": customer}, headers=SAME_SITE)
    page = client.get("/", headers={"X-Admin-Token": ""}).text  # as the customer alone sees it
    assert f"<title>Chat · {ours} support</title>" in page
    assert f">{ours} <small>support" in page and f"at {ours}</small>" in page
    assert theirs not in page
