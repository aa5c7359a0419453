"""The book in the app: anyone reads the chapters; only the operator serves a chapter's preset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from switchboard.app.web.main import create_app
from tests.conftest import ADMIN, SAME_SITE, fast_settings, sign_in


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app whose book is two small chapters, and a client with no credentials of its own."""
    book = tmp_path_factory.mktemp("book")
    (book / "01-streaming.md").write_text("# Chapter 1 — Streaming\n\n## The problem\n\nSlow.\n", encoding="utf-8")
    (book / "02-router.md").write_text("# Chapter 2 — The router\n\nAfter [one](01-streaming.md).\n", encoding="utf-8")
    settings = fast_settings(tmp_path_factory.mktemp("app")).model_copy(update={"book_dir": book})
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(autouse=True)
def _signed_out(reader: TestClient) -> None:
    reader.cookies.clear()


def test_anyone_reads_the_list_and_a_chapter(reader: TestClient) -> None:
    listing = reader.get("/chapters")
    assert listing.status_code == 200
    assert 'href="/chapters/1"' in listing.text and "The router" in listing.text
    chapter = reader.get("/chapters/2")
    assert chapter.status_code == 200 and 'href="/chapters/1"' in chapter.text
    assert 'id="apply-preset"' not in chapter.text  # no operator, no button


def test_a_signed_in_customer_reads_them_too(reader: TestClient) -> None:
    sign_in(reader)
    page = reader.get("/chapters/1")
    assert page.status_code == 200 and "Slow." in page.text and 'id="apply-preset"' not in page.text


def test_a_chapter_the_book_does_not_have_is_a_page_saying_so(reader: TestClient) -> None:
    page = reader.get("/chapters/7")
    assert page.status_code == 404 and "no chapter 7" in page.text and 'href="/chapters/2"' in page.text
    assert reader.get("/chapters/seven").status_code == 422


def test_the_operator_serves_a_chapter_s_preset_and_the_audit_log_says_who(reader: TestClient) -> None:
    assert 'id="apply-preset"' in reader.get("/chapters/1", headers=ADMIN).text
    served = reader.post("/chapters/1/preset", headers={**ADMIN, **SAME_SITE}, follow_redirects=False)
    assert (served.status_code, served.headers["location"]) == (303, "/switchboard")
    flags = reader.get("/api/flags", headers=ADMIN).json()["flags"]
    assert flags["streaming"] is True and flags["router"] is False  # chapter 1 on, chapter 2 off
    entry = reader.get("/api/audit", params={"limit": 1}, headers=ADMIN).json()["entries"][0]
    assert (entry["action"], entry["target"]) == ("flags.preset", "chapter-1")
    reader.patch("/api/flags", json={"preset": "all-on"}, headers=ADMIN)


def test_nobody_else_serves_a_preset_and_no_chapter_means_404(reader: TestClient) -> None:
    assert reader.post("/chapters/1/preset", headers=SAME_SITE).status_code == 401
    sign_in(reader)
    assert reader.post("/chapters/1/preset", headers=SAME_SITE).status_code in (401, 403)
    missing = reader.post("/chapters/9/preset", headers={**ADMIN, **SAME_SITE})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "chapter_not_found"


def test_the_shipped_book_folder_is_the_default(tmp_path: Path) -> None:
    assert fast_settings(tmp_path).book_dir.name == "chapters"
