"""Follow-ups made standalone with the previous question; everything else searched as asked."""

from __future__ import annotations

import pytest

from switchboard.patterns.query_rewrite import standalone

TENTS = "What is your return policy for tents?"


@pytest.mark.parametrize(
    ("follow_up", "previous", "expected"),
    [
        ("and for boots?", TENTS, "What is your return policy for boots?"),
        ("what about boots", TENTS, "What is your return policy for boots?"),
        ("How about sleeping bags?", TENTS, "What is your return policy for sleeping bags?"),
        ("and to Canada?", "How much is shipping to the US?", "How much is shipping to Canada?"),
        ("and for boots?", "How long is the warranty?", "How long is the warranty (about boots)"),
    ],
)
def test_an_elliptical_follow_up_takes_the_previous_questions_place_for_its_subject(
    follow_up: str, previous: str, expected: str
) -> None:
    assert standalone(follow_up, previous) == expected


def test_a_short_question_with_a_pronoun_borrows_the_previous_questions_words() -> None:
    assert standalone("how do I clean it?", "Best way to store a tent?") == "how do I clean it (best way store tent)"


@pytest.mark.parametrize(
    ("question", "previous"),
    [
        ("What is your shipping time?", TENTS),  # a question of its own
        ("Can I also return a jacket I wore once on a hike?", TENTS),  # long enough to stand alone
        ("and for boots?", None),  # nothing to lean on
        ("and for boots?", "  "),
    ],
)
def test_anything_else_is_searched_as_asked(question: str, previous: str | None) -> None:
    assert standalone(question, previous) == question
