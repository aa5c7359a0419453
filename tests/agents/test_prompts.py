"""The prompt registry: every version of a prompt, a diff between any two, the book's hash."""

from __future__ import annotations

import pytest

from switchboard.agents.prompts import PromptBook, UnknownPrompt, book_version


@pytest.fixture(scope="module")
def book() -> PromptBook:
    return PromptBook()


def test_the_router_lists_its_earlier_versions_and_the_teaching_candidate_in_order(book: PromptBook) -> None:
    versions = [p.version for p in book.history("router")]
    assert versions == ["2", "3", "4", "5", "5-worse"]
    assert book.get("router").version == "5"  # the shipped file is not displaced by the candidate
    assert "TEACHING EXAMPLE" in book.get("router", "5-worse").note


def test_a_prompt_with_no_stored_versions_has_its_shipped_one(book: PromptBook) -> None:
    assert [p.version for p in book.history("judge")] == [book.get("judge").version]


def test_the_diff_between_two_versions_shows_what_changed(book: PromptBook) -> None:
    diff = book.diff("router", "4", "5")
    assert diff.startswith("--- router@4\n+++ router@5\n")
    assert "-You are the router of Tidewater Outfitters'" in diff
    assert "+You are the router of {shop}'" in diff
    assert book.diff("router", "5", "5") == ""


def test_the_worse_candidate_drops_the_how_to_rule(book: PromptBook) -> None:
    diff = book.diff("router", "5", "5-worse")
    assert "-How-to questions" in diff


def test_unknown_prompts_and_versions_are_named(book: PromptBook) -> None:
    with pytest.raises(UnknownPrompt, match=r"no prompt 'routr'.*router"):
        book.get("routr")
    with pytest.raises(UnknownPrompt, match=r"no version '9'.*5-worse"):
        book.diff("router", "5", "9")


def test_the_books_hash_changes_with_a_chosen_version_only(book: PromptBook) -> None:
    assert book.version({"router": "5"}) == book.version() == book_version(book.versions())
    assert book.version({"router": "5-worse"}) != book.version()
