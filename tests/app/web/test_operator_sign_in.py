"""The operator signs in on a page (or with the printed link); customers see no operator links;
a browser that is not signed in gets a page saying whose page it is, API clients the JSON."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.auth import COOKIE
from tests.conftest import SAME_SITE, sign_in

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
OPERATOR_LINKS = ('href="/switchboard"', 'href="/runs"', 'href="/console"')


pytestmark = pytest.mark.usefixtures("signed_out")


def test_the_sign_in_page_asks_for_the_token(app_client: TestClient) -> None:
    page = app_client.get("/admin")
    assert page.status_code == 200 and 'name="token"' in page.text and 'action="/admin"' in page.text
    assert COOKIE not in page.cookies


def test_a_wrong_token_is_refused_on_the_page_and_signs_nobody_in(app_client: TestClient) -> None:
    refused = app_client.post("/admin", data={"token": "guess"}, headers=SAME_SITE, follow_redirects=False)
    assert refused.status_code == 401 and "not the operator token" in refused.text and 'name="token"' in refused.text
    assert COOKIE not in refused.cookies
    assert app_client.get("/console", headers=BROWSER).status_code == 401


def test_the_right_token_sets_the_cookie_and_goes_on_to_the_page_asked_for(app_client: TestClient) -> None:
    form = {"token": " test-admin ", "next": "/runs"}  # pasted with the spaces around it
    signed = app_client.post("/admin", data=form, headers=SAME_SITE, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/runs" and signed.cookies.get(COOKIE)
    assert app_client.get("/runs").status_code == 200


@pytest.mark.parametrize("elsewhere", ["//evil.example/console", "https://evil.example/", "/\\evil.example"])
def test_signing_in_never_sends_the_browser_to_another_site(app_client: TestClient, elsewhere: str) -> None:
    signed = app_client.post(
        "/admin", data={"token": "test-admin", "next": elsewhere}, headers=SAME_SITE, follow_redirects=False
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/console"


def test_the_printed_link_still_signs_in(app_client: TestClient) -> None:
    signed = app_client.get("/admin", params={"token": "test-admin"}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/console"
    assert app_client.get("/console").status_code == 200


def test_operator_links_are_shown_to_the_operator_only(app_client: TestClient) -> None:
    sign_in(app_client, "C1001")
    as_customer = app_client.get("/").text
    assert 'href="/"' in as_customer and not any(link in as_customer for link in OPERATOR_LINKS)
    app_client.get("/admin", params={"token": "test-admin"})
    as_operator = app_client.get("/").text
    assert all(link in as_operator for link in OPERATOR_LINKS)


@pytest.mark.parametrize("path", ["/console", "/switchboard", "/runs"])
def test_a_browser_not_signed_in_gets_a_page_and_an_api_client_the_json(app_client: TestClient, path: str) -> None:
    sign_in(app_client, "C1001")  # a customer, but not the operator
    page = app_client.get(path, headers=BROWSER)
    assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
    assert "This page is for the shop's operators" in page.text and f'href="/admin?next={path}"' in page.text
    for client_accepts in ({"Accept": "application/json"}, {}, {**BROWSER, "HX-Request": "true"}):
        refused = app_client.get(path, headers=client_accepts)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "admin_only"


def test_a_browser_without_a_customer_session_is_told_to_sign_in(app_client: TestClient) -> None:
    page = app_client.get("/ui/conversations", headers=BROWSER)
    assert page.status_code == 401 and "Sign in first" in page.text and 'href="/"' in page.text


def test_every_page_links_an_icon_and_favicon_ico_answers(app_client: TestClient) -> None:
    assert '<link rel="icon" href="/static/favicon.svg"' in app_client.get("/").text
    for path in ("/favicon.ico", "/static/favicon.svg"):
        icon = app_client.get(path)
        assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
        assert icon.text.lstrip().startswith("<svg")
