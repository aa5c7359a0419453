"""Who is asking, tried the way an attacker would: no session, someone else's session, a forged
or expired token, a body that names another customer, a cross-site form, odd bytes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from switchboard.app.cli import operator_sign_in
from switchboard.app.web.auth import COOKIE, SESSION_COOKIE, admin_token
from switchboard.app.web.main import create_app
from switchboard.app.web.signing import CUSTOMER_SALT
from tests.conftest import ADMIN, SAME_SITE, fast_settings, sign_in

JSON = {"Accept": "application/json"}


pytestmark = pytest.mark.usefixtures("signed_out")


def conversation_of(client: TestClient, customer: dict[str, str], text: str = "where is my last order?") -> str:
    conversation = str(client.post("/api/conversations", json={}, headers=customer).json()["id"])
    asked = client.post(
        f"/api/conversations/{conversation}/messages", json={"text": text}, headers={**customer, **JSON}
    )
    assert asked.status_code == 200
    return conversation


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/conversations"),
        ("GET", "/api/conversations"),
        ("GET", "/api/conversations/c_any/messages"),
        ("POST", "/api/conversations/c_any/messages"),
        ("GET", "/api/session"),
        ("GET", "/ui/conversations"),
        ("GET", "/ui/conversations/c_any"),
    ],
)
def test_without_a_session_every_customer_endpoint_is_a_401(app_client: TestClient, method: str, path: str) -> None:
    response = app_client.request(method, path, json={"text": "hi"} if method == "POST" else None)
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_signed_in"


def test_another_customers_conversation_messages_and_records_do_not_exist(app_client: TestClient) -> None:
    ada, ben = sign_in(app_client, "C1001"), sign_in(app_client, "C1002")
    app_client.cookies.clear()
    theirs = conversation_of(app_client, ada)
    (_, answer) = app_client.get(f"/api/conversations/{theirs}/messages", headers=ada).json()
    for method, path in [
        ("GET", f"/api/conversations/{theirs}/messages"),
        ("POST", f"/api/conversations/{theirs}/messages"),
        ("GET", f"/ui/conversations/{theirs}"),
        ("GET", f"/api/records/{answer['record_id']}"),
        ("GET", f"/ui/records/{answer['record_id']}"),
    ]:
        response = app_client.request(method, path, json={"text": "and the tracking?"}, headers={**ben, **JSON})
        assert response.status_code == 404, (method, path)
    assert len(app_client.get(f"/api/conversations/{theirs}/messages", headers=ada).json()) == 2  # nothing posted
    listed = app_client.get("/api/conversations", params={"customer_id": "C1001"}, headers=ben).json()
    assert theirs not in {c["id"] for c in listed}  # a query string names nobody
    assert app_client.get(f"/api/records/{answer['record_id']}", headers=ada).status_code == 200


def test_a_body_naming_another_customer_is_refused_not_obeyed(app_client: TestClient) -> None:
    ben = sign_in(app_client, "C1002")
    response = app_client.post("/api/conversations", json={"customer_id": "C1001"}, headers=ben)
    assert response.status_code == 422 and "customer_id" in response.json()["error"]["message"]
    made = app_client.post("/api/conversations", headers=ben)  # no body at all is fine
    assert made.status_code == 201 and made.json()["customer_id"] == "C1002"


def test_the_answer_is_about_the_signed_in_customer(app_client: TestClient) -> None:
    ben = sign_in(app_client, "C1002")
    conversation = str(app_client.post("/api/conversations", json={}, headers=ben).json()["id"])
    asked = app_client.post(
        f"/api/conversations/{conversation}/messages", json={"text": "where is order 10057?"}, headers={**ben, **JSON}
    ).json()
    assert asked["record"]["customer_id"] == "C1002" and "couldn't find order #10057" in asked["answer"]


def test_forged_foreign_and_expired_tokens_are_no_session(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = sign_in(app_client, "C1001")["Authorization"].removeprefix("Bearer ")
    app_client.cookies.clear()
    assert app_client.get("/api/session", headers=bearer(token)).json()["customer_id"] == "C1001"
    payload, _, signature = token.rpartition(".")
    flipped = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    foreign = URLSafeTimedSerializer("someone else's secret", salt=CUSTOMER_SALT).dumps({"customer": "C1001"})
    for bad in (flipped, foreign, "", "not-a-token", token + "x", token[:-1]):
        assert app_client.get("/api/session", headers=bearer(bad)).status_code == 401, bad
        app_client.cookies.set(SESSION_COOKIE, bad)
        assert app_client.get("/api/session").status_code == 401, bad
        app_client.cookies.clear()
    odd = {"Authorization": b"Bearer " + "é✓".encode() * 20}  # raw UTF-8 bytes in a header
    assert app_client.get("/api/session", headers=odd).status_code == 401
    later = time.time() + 13 * 3600  # past the 12 hours a sign-in lasts
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert app_client.get("/api/session", headers=bearer(token)).status_code == 401


def test_an_operator_token_does_not_pass_for_a_customer_session(app_client: TestClient) -> None:
    app_client.get("/admin", params={"token": "test-admin"}, follow_redirects=False)
    proof = app_client.cookies.get(COOKIE)
    assert proof and app_client.get("/api/session", headers=bearer(proof)).status_code == 401


def test_the_browser_signs_in_by_picking_a_demo_customer(app_client: TestClient) -> None:
    picker = app_client.get("/").text
    assert 'action="/ui/session"' in picker and "C1002" in picker and 'id="composer"' not in picker
    signed = app_client.post("/ui/session", data={"customer_id": "C1002"}, headers=SAME_SITE, follow_redirects=False)
    assert signed.status_code == 303 and "httponly" in signed.headers["set-cookie"].lower()
    page = app_client.get("/").text
    assert 'data-customer="C1002"' in page and 'id="composer"' in page
    app_client.post("/ui/session/end", headers=SAME_SITE)
    assert app_client.get("/api/session").status_code == 401


def test_without_demo_sign_in_only_an_issued_token_signs_a_customer_in(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path).model_copy(update={"demo_sign_in": False})
    with TestClient(create_app(settings)) as client:
        refused = client.post("/api/session", json={"customer_id": "C1001"})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "demo_sign_in_off"
        assert "C1002" not in client.get("/").text  # no picker listing the customers
        issued = client.app.state.signer.customer_token("C1001")  # type: ignore[attr-defined]
        assert client.get("/api/session", headers=bearer(issued)).json()["customer_id"] == "C1001"


def test_sessions_survive_a_restart_on_the_same_data_folder(tmp_path: Path) -> None:
    with TestClient(create_app(fast_settings(tmp_path))) as first:
        token = sign_in(first, "C1003")
    with TestClient(create_app(fast_settings(tmp_path))) as second:
        assert second.get("/api/session", headers=token).json()["customer_id"] == "C1003"
    assert (tmp_path / "session_secret").stat().st_mode & 0o077 == 0  # readable by the owner only


def test_the_customer_list_is_the_operators(app_client: TestClient) -> None:
    assert app_client.get("/api/customers").status_code == 401
    assert app_client.get("/api/customers", headers=ADMIN).status_code == 200


# The operator's side.


def test_the_admin_cookie_holds_a_signed_proof_not_the_token(app_client: TestClient) -> None:
    app_client.get("/admin", params={"token": "test-admin"}, follow_redirects=False)
    proof = app_client.cookies.get(COOKIE)
    assert proof and "test-admin" not in proof
    assert app_client.get("/api/chaos").status_code == 200
    app_client.cookies.clear()
    app_client.cookies.set(COOKIE, "test-admin")  # the raw token as a cookie is not a sign-in
    assert app_client.get("/api/chaos").status_code == 401


def test_a_new_admin_token_signs_every_earlier_operator_out(tmp_path: Path) -> None:
    def app_with(token: str) -> TestClient:
        return TestClient(create_app(fast_settings(tmp_path).model_copy(update={"admin_token": token})))

    with app_with("first-token") as first:
        first.get("/admin", params={"token": "first-token"}, follow_redirects=False)
        proof = first.cookies.get(COOKIE)
        assert first.get("/api/chaos").status_code == 200
    with app_with("second-token") as second:  # same data folder, so the same signing secret
        second.cookies.set(COOKIE, proof or "")
        assert second.get("/api/chaos").status_code == 401


@pytest.mark.parametrize("given", ["é", "tëst-admin", "\u00ff" * 30, "test-admin\u00e9"])
def test_odd_bytes_in_the_admin_token_are_just_wrong(app_client: TestClient, given: str) -> None:
    response = app_client.get("/api/chaos", headers={"X-Admin-Token": given.encode()})  # raw UTF-8 bytes
    assert response.status_code == 401
    assert app_client.get("/admin", params={"token": given}, follow_redirects=False).status_code == 401


def test_a_cross_site_form_cannot_switch_a_guard_off(app_client: TestClient) -> None:
    app_client.get("/admin", params={"token": "test-admin"}, follow_redirects=False)
    evil = {"Origin": "https://evil.example"}
    form = {"name": "injection_scan", "value": "off"}
    assert app_client.post("/ui/flags", data=form, headers=evil).status_code == 403
    assert app_client.post("/ui/flags", data=form).status_code == 403  # nothing says where it came from
    sneaky = app_client.patch("/api/flags", json={"flags": {"injection_scan": False}}, headers={"Referer": "http://x/"})
    assert sneaky.status_code == 403 and sneaky.json()["error"]["code"] == "cross_site_request"
    assert app_client.get("/api/flags").json()["flags"]["injection_scan"] is True
    assert app_client.post("/ui/flags", data=form, headers=SAME_SITE).status_code == 200  # from the panel itself
    assert app_client.get("/api/flags").json()["flags"]["injection_scan"] is False
    app_client.patch("/api/flags", json={"preset": "all-on"}, headers=ADMIN)


def test_a_cross_site_page_cannot_post_as_the_signed_in_customer(app_client: TestClient) -> None:
    app_client.post("/ui/session", data={"customer_id": "C1001"}, headers=SAME_SITE)
    made = app_client.post("/api/conversations", json={}, headers={"Origin": "null"})
    assert made.status_code == 403
    swapped = app_client.post("/ui/session", data={"customer_id": "C1002"}, headers={"Origin": "https://evil.example"})
    assert swapped.status_code == 403
    assert app_client.get("/api/session").json()["customer_id"] == "C1001"  # no sign-in swapped from outside
    assert app_client.post("/api/conversations", json={}, headers=SAME_SITE).status_code == 201


def test_the_token_is_printed_only_when_it_was_made_here() -> None:
    configured, made = admin_token("set-by-me"), admin_token("")
    assert "set-by-me" not in operator_sign_in(configured, "http://h:1")
    assert made.generated and len(made.value) >= 20 and made.value != admin_token("").value
    assert f"/admin?token={made.value}" in operator_sign_in(made, "http://h:1")
