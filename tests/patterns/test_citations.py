from __future__ import annotations

import random

import pytest

from switchboard.patterns.citations import REMOVED_MARK, AllowedCitations, CitationFilter

ALLOWED = AllowedCitations(frozenset({"returns-policy", "boot-warranty"}))


def played(pieces: list[str], hold_cap: int = 80) -> tuple[str, CitationFilter]:
    check = CitationFilter(ALLOWED, hold_cap=hold_cap)
    return "".join([check.feed(p) for p in pieces] + [check.flush()]), check


def every_split(text: str) -> list[list[str]]:
    """The text cut at each position, and cut into single characters."""
    return [[text[:i], text[i:]] for i in range(len(text) + 1)] + [list(text)]


def test_a_retrieved_citation_is_kept_and_counted() -> None:
    shown, check = played(["Tents come back within 30 days [returns-policy]."])
    assert shown == "Tents come back within 30 days [returns-policy]."
    assert check.tally.valid == ("returns-policy",) and check.tally.removed == ()


def test_a_citation_of_an_article_not_retrieved_is_removed_visibly() -> None:
    shown, check = played(["See [price-match] and [returns-policy]."])
    assert shown == f"See {REMOVED_MARK} and [returns-policy]."
    assert check.tally.removed == ("price-match",) and check.tally.valid == ("returns-policy",)


@pytest.mark.parametrize("text", ["a [returns-policy] b [made-up] c", "[made-up][boot-warranty]", "x [made-up]"])
def test_wherever_the_chunks_split_the_result_is_the_same(text: str) -> None:
    expected, _ = played([text])
    for pieces in every_split(text):
        shown, check = played(pieces)
        assert shown == expected and check.tally.removed == ("made-up",)


def test_random_chunking_of_a_long_answer_agrees_with_the_whole() -> None:
    text = "Ünïcode 🎒 [returns-policy] then [nope] and [link](https://x/y) [see below] [boot-warranty]"
    expected, whole = played([text])
    rng = random.Random(7)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(text)), rng.randint(1, 12)))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        shown, check = played(pieces)
        assert shown == expected and check.tally == whole.tally
    assert whole.tally.removed == ("nope",) and whole.tally.valid == ("returns-policy", "boot-warranty")


def test_a_markdown_link_is_not_a_citation() -> None:
    for pieces in every_split("read [made-up](https://example.com/x) now"):
        shown, check = played(pieces)
        assert shown == "read [made-up](https://example.com/x) now" and check.tally.removed == ()


@pytest.mark.parametrize(
    "text",
    ["[see below]", "[[returns-policy", "an unclosed [made-up", "[]", "[Returns]", "[rückgabe]", "a ] stray", "[-x]"],
)
def test_what_is_not_a_complete_citation_passes_through_untouched(text: str) -> None:
    for pieces in every_split(text):
        shown, check = played(pieces)
        assert shown == text and check.tally.removed == ()


def test_nested_brackets_judge_the_innermost_citation() -> None:
    shown, check = played(["[[made-up]] and [note [boot-warranty]]"])
    assert shown == f"[{REMOVED_MARK}] and [note [boot-warranty]]"
    assert check.tally.removed == ("made-up",) and check.tally.valid == ("boot-warranty",)


def test_text_is_held_only_while_a_citation_may_still_be_open() -> None:
    check = CitationFilter(ALLOWED)
    assert check.feed("Returns are free [retu") == "Returns are free "
    assert check.feed("rns-policy") == ""
    assert check.feed("]") == ""  # a `(` next would make it a link
    assert check.feed(" and quick") == "[returns-policy] and quick"
    assert check.feed(" [see") == " " and check.feed(" below]") == "[see below]"


def test_holding_gives_up_after_the_cap_and_passes_the_text_through() -> None:
    check = CitationFilter(ALLOWED, hold_cap=10)
    assert check.feed("[abcdefgh") == ""
    assert check.feed("ijkl") == "[abcdefghijkl" and check.feed("] done") == "] done"
    assert check.tally.removed == ()


def test_a_citation_at_the_very_end_is_judged_on_flush() -> None:
    check = CitationFilter(ALLOWED)
    assert check.feed("Thanks [made-up]") == "Thanks "
    assert check.flush() == REMOVED_MARK and check.tally.removed == ("made-up",)


def test_with_nothing_retrieved_every_citation_is_removed() -> None:
    check = CitationFilter(AllowedCitations())
    assert check.feed("[returns-policy] ok") == f"{REMOVED_MARK} ok"


def test_allowed_ids_grow_with_each_search() -> None:
    assert AllowedCitations().with_sources(["a"]).with_sources(("b", "a")).ids == {"a", "b"}
