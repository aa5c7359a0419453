"""The operator's side over HTTP: customers are kept out, and the console decides approvals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.conftest import ADMIN, SAME_SITE, fast_settings, sign_in


@pytest.fixture
def app_client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(fast_settings(tmp_path)))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/api/flags"),
        ("PATCH", "/api/chaos"),
        ("GET", "/api/chaos"),
        ("GET", "/api/approvals"),
        ("GET", "/console"),
        ("GET", "/switchboard"),
        ("GET", "/runs"),
        ("POST", "/api/runs"),
    ],
)
def test_a_customer_without_the_token_is_kept_out(app_client: TestClient, method: str, path: str) -> None:
    with app_client as client:
        response = client.request(method, path, json={})
        assert response.status_code == 401 and response.json()["error"]["code"] == "admin_only"
        assert client.request(method, path, json={}, headers={"X-Admin-Token": "guess"}).status_code == 401


def test_signing_in_once_sets_a_cookie_for_the_browser(app_client: TestClient) -> None:
    with app_client as client:
        assert client.get("/admin", params={"token": "wrong"}, follow_redirects=False).status_code == 401
        signed = client.get("/admin", params={"token": "test-admin"}, follow_redirects=False)
        assert signed.status_code == 303 and signed.headers["location"] == "/console"
        assert client.get("/console").status_code == 200  # the cookie now travels with every request
        assert client.get("/").status_code == 200


def test_the_console_queues_a_big_refund_and_a_decision_reaches_the_customer(app_client: TestClient) -> None:
    with app_client as client:
        customer = sign_in(client, "C1001")
        conversation = client.post("/api/conversations", json={}, headers=customer).json()["id"]
        asked = client.post(
            f"/api/conversations/{conversation}/messages",
            json={"text": "I want a refund for order 10049"},
            headers={**customer, "Accept": "application/json"},
        )
        assert asked.status_code == 200 and "asked a colleague" in asked.json()["answer"]
        (waiting,) = client.get("/api/approvals", headers=ADMIN).json()
        assert waiting["request"]["order_id"] == "10049" and waiting["exchange"][0]["role"] == "user"
        page = client.get("/console", headers=ADMIN).text
        assert "Refund of $357.05 for order #10049" in page and "Approve" in page
        bad = client.post(f"/api/approvals/{waiting['id']}", json={"decision": "edit"}, headers=ADMIN)
        assert bad.status_code == 422 and "positive amount" in bad.json()["error"]["message"]
        as_the_page_sends_it = {"decision": "approve", "amount": "", "note": ""}
        decided = client.post(f"/ui/approvals/{waiting['id']}", data=as_the_page_sends_it, headers=ADMIN)
        assert decided.status_code == 200 and "Nothing is waiting" in decided.text
        again = client.post(f"/api/approvals/{waiting['id']}", json={"decision": "deny"}, headers=ADMIN)
        assert again.status_code == 409
        messages = client.get(f"/api/conversations/{conversation}/messages", headers=customer).json()
        assert "approved your refund of $357.05" in messages[-1]["content"]


def test_a_taken_over_conversation_waits_for_a_person_and_gets_their_reply(app_client: TestClient) -> None:
    with app_client as client:
        customer = sign_in(client, "C1001")
        conversation = client.post("/api/conversations", json={}, headers=customer).json()["id"]
        held = client.post(f"/api/conversations/{conversation}/takeover", json={"on": True}, headers=ADMIN)
        assert held.status_code == 200
        waiting = client.post(
            f"/api/conversations/{conversation}/messages",
            json={"text": "where is my order?"},
            headers={**customer, "Accept": "application/json"},
        ).json()
        assert "colleague is looking after this conversation" in waiting["answer"] and not waiting["record"]["calls"]
        record = waiting["record"]
        assert record["outcome"] == "escalated" and record["guards"][0]["guard"] == "human_takeover"
        client.post(f"/api/conversations/{conversation}/human-reply", json={"text": "It ships today."}, headers=ADMIN)
        latest = client.get(f"/api/conversations/{conversation}/messages", headers=customer).json()[-1]
        assert latest["content"].endswith("ships today.")
        assert "Hand back" in client.get("/console", headers=ADMIN).text
        client.post(f"/api/conversations/{conversation}/takeover", json={"on": False}, headers=ADMIN)
        back = client.post(
            f"/api/conversations/{conversation}/messages",
            json={"text": "where is my order?"},
            headers={**customer, "Accept": "application/json"},
        ).json()
        assert back["record"]["calls"] and "colleague" not in back["answer"]
        as_customer = client.post(f"/api/conversations/{conversation}/takeover", json={"on": True}, headers=customer)
        assert as_customer.status_code == 401


def open_big_refund(client: TestClient) -> str:
    """A turn asks for C1001's $364 refund, which then waits in the console. Its approval's id."""
    customer = sign_in(client, "C1001")
    conversation = client.post("/api/conversations", json={}, headers=customer).json()["id"]
    client.post(
        f"/api/conversations/{conversation}/messages",
        json={"text": "I want a refund for order 10049"},
        headers={**customer, "Accept": "application/json"},
    )
    (waiting,) = client.get("/api/approvals", headers=ADMIN).json()
    return str(waiting["id"])


# 10049 cost $364.00: 1e12 and a cent over are more than is left to refund on it.
BAD_AMOUNTS = ["inf", "-inf", "nan", "1e12", "364.01", "-5", "0", "abc"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_an_amount_from_the_form_that_is_no_refund_is_refused_and_the_approval_waits(
    app_client: TestClient, amount: str
) -> None:
    with app_client as client:
        waiting = open_big_refund(client)
        refused = client.post(f"/ui/approvals/{waiting}", data={"decision": "edit", "amount": amount}, headers=ADMIN)
        assert refused.status_code == 422 and "amount" in refused.json()["error"]["message"]
        assert [a["id"] for a in client.get("/api/approvals", headers=ADMIN).json()] == [waiting]


@pytest.mark.parametrize("amount", ["Infinity", "-Infinity", "NaN", "1e12", "364.01", "-5", "0", '"abc"'])
def test_an_amount_over_the_api_that_is_no_refund_is_refused_and_the_approval_waits(
    app_client: TestClient, amount: str
) -> None:
    with app_client as client:
        waiting = open_big_refund(client)
        body = f'{{"decision": "edit", "amount": {amount}}}'  # as sent: Python's json reads Infinity and NaN
        headers = {**ADMIN, "Content-Type": "application/json"}
        refused = client.post(f"/api/approvals/{waiting}", content=body, headers=headers)
        assert refused.status_code == 422 and "amount" in refused.json()["error"]["message"]
        assert [a["id"] for a in client.get("/api/approvals", headers=ADMIN).json()] == [waiting]


def test_a_decision_on_no_such_approval_is_a_404(app_client: TestClient) -> None:
    with app_client as client:
        missing = client.post("/api/approvals/ap_nothing", json={"decision": "deny"}, headers=ADMIN)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "approval_not_found"


def ask(client: TestClient, customer: dict[str, str], conversation: str, text: str) -> str:
    asked = client.post(
        f"/api/conversations/{conversation}/messages",
        json={"text": text},
        headers={**customer, "Accept": "application/json"},
    )
    return str(asked.json()["answer"])


def test_a_card_shows_the_exchange_that_raised_the_request_and_when_it_declines_by_itself(
    app_client: TestClient,
) -> None:
    with app_client as client:
        customer = sign_in(client, "C1001")
        conversation = client.post("/api/conversations", json={}, headers=customer).json()["id"]
        ask(client, customer, conversation, "where is my last order?")
        answer = ask(client, customer, conversation, "I want a refund for order 10049")
        ask(client, customer, conversation, "how do I return a tent?")
        (waiting,) = client.get("/api/approvals", headers=ADMIN).json()
        assert waiting["exchange"] == [
            {"role": "user", "content": "I want a refund for order 10049"},
            {"role": "assistant", "content": answer},
        ]
        card = client.get("/ui/approvals", headers=ADMIN).text
        assert "The customer asked" in card and "The assistant answered" in card
        assert "where is my last order?" not in card and "return a tent" not in card
        minutes = client.app.state.services.settings.approval_deadline_minutes  # type: ignore[attr-defined]
        declines = r"declined automatically at \d\d:\d\d UTC if nobody decides \(in (\d+) min\)"
        found = re.search(declines, card)
        assert found and int(found.group(1)) in (minutes - 1, minutes)


def test_the_queue_refreshes_with_a_new_request_and_a_decision_is_confirmed(app_client: TestClient) -> None:
    with app_client as client:
        assert "Nothing is waiting" in client.get("/ui/approvals", headers=ADMIN).text
        page = client.get("/console", headers=ADMIN).text
        assert 'hx-get="/ui/approvals" hx-trigger="every 2s [consoleIdle(this)]"' in page
        waiting = open_big_refund(client)
        assert "Refund of $357.05 for order #10049" in client.get("/ui/approvals", headers=ADMIN).text
        form = {"decision": "edit", "amount": "120", "note": ""}
        decided = client.post(f"/ui/approvals/{waiting}", data=form, headers=ADMIN).text
        assert "Nothing is waiting" in decided and 'hx-swap-oob="afterbegin:#decisions"' in decided
        confirmed = "Refund of $120.00 (asked: $357.05) on order #10049 approved; the customer has been told."
        assert confirmed in decided


def test_a_persons_reply_from_the_page_is_confirmed(app_client: TestClient) -> None:
    with app_client as client:
        customer = sign_in(client, "C1001")
        conversation = client.post("/api/conversations", json={}, headers=customer).json()["id"]
        client.cookies.clear()
        held = client.post(f"/ui/conversations/{conversation}/takeover", data={"on": "1"}, headers=ADMIN).text
        assert f"{conversation}: You answer this conversation now" in held
        replied = client.post(
            f"/ui/conversations/{conversation}/human-reply", data={"text": "On its way."}, headers=ADMIN
        ).text
        assert f"{conversation}: your reply is in the customer&#39;s conversation" in replied
        assert "On its way." in client.get("/ui/console/conversations", headers={**ADMIN, **SAME_SITE}).text


def waiting_at_each_shop(client: TestClient) -> tuple[str, str]:
    """A Tidewater customer's big refund and a Summit customer's address change after shipping,
    both waiting for a person: their conversations' ids."""
    tidewater, summit = sign_in(client, "C1001"), sign_in(client, "S2001")
    client.cookies.clear()
    ours = client.post("/api/conversations", json={}, headers=tidewater).json()["id"]
    theirs = client.post("/api/conversations", json={}, headers=summit).json()["id"]
    ask(client, tidewater, ours, "I want a refund for order 10049")
    ask(client, summit, theirs, "please send my order 18024 to 12 Pearl Street, Boulder, CO 80302")  # shipped
    return ours, theirs


def test_the_queue_is_labelled_by_tenant_and_narrows_to_one(app_client: TestClient) -> None:
    with app_client as client:
        waiting_at_each_shop(client)
        every = client.get("/api/approvals", headers=ADMIN).json()
        assert sorted((a["tenant_id"], a["tenant_name"], a["customer_id"]) for a in every) == [
            ("summit", "Summit Cycles", "S2001"),
            ("tidewater", "Tidewater Outfitters", "C1001"),
        ]
        (summit,) = client.get("/api/approvals", params={"tenant": "summit"}, headers=ADMIN).json()
        assert summit["request"]["order_id"] == "18024" and summit["request"]["kind"] == "address"
        (tidewater,) = client.get("/api/approvals", params={"tenant": "tidewater"}, headers=ADMIN).json()
        assert tidewater["request"]["order_id"] == "10049"


@pytest.mark.parametrize("path", ["/api/approvals", "/console", "/ui/approvals", "/ui/console/conversations"])
def test_a_tenant_there_is_none_of_is_a_404_naming_it(app_client: TestClient, path: str) -> None:
    with app_client as client:
        response = client.get(path, params={"tenant": "atlantis"}, headers=ADMIN)
        assert response.status_code == 404 and response.json()["error"]["code"] == "tenant_not_found"
        assert "'atlantis'" in response.json()["error"]["message"]


def test_the_console_page_narrows_to_the_chosen_storefront_and_its_polls_keep_to_it(app_client: TestClient) -> None:
    with app_client as client:
        ours, theirs = waiting_at_each_shop(client)
        page = client.get("/console", headers=ADMIN).text
        assert '<option value="summit">Summit Cycles</option>' in page and "every storefront" in page
        assert "order #10049" in page and "order #18024" in page and ours in page and theirs in page
        summit = client.get("/console", params={"tenant": "summit"}, headers=ADMIN).text
        assert '<option value="summit" selected>Summit Cycles</option>' in summit
        assert "order #18024" in summit and "order #10049" not in summit
        assert theirs in summit and ours not in summit
        assert 'hx-get="/ui/approvals?tenant=summit"' in summit and 'hx-post="/ui/approvals/' in summit
        assert "?tenant=summit" in summit.split('class="decide"')[1].split(">")[0]  # a decision keeps the filter
        held = client.get("/ui/console/conversations", params={"tenant": "tidewater"}, headers=ADMIN).text
        assert ours in held and theirs not in held and 'data-tenant="tidewater"' in held
        assert "Tidewater Outfitters" in held
