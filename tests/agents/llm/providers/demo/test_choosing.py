"""The parts of a statement's score, each on made-up text."""

from __future__ import annotations

import pytest

from switchboard.agents.llm.providers.demo.choosing import cue_scores, heading_scores, statements
from switchboard.agents.llm.providers.demo.reading import Passage
from switchboard.agents.llm.providers.demo.understanding import stems


def test_a_words_forms_share_one_stem() -> None:
    assert stems("delete deleting deletion deleted") == {"delet"}
    assert stems("covered coverage") == {"cover"}


def test_heading_match_is_the_dice_overlap_of_content_words() -> None:
    exact, partial, none = heading_scores(
        "what is your return policy for tents", ["Returns policy", "Returned items", "Sizes"]
    )
    assert exact == pytest.approx(2 * 2 / (3 + 2))  # return, policy of {return, policy, tent}
    assert partial == pytest.approx(2 * 1 / (3 + 2))  # return of {return, item}
    assert none == 0


@pytest.mark.parametrize(
    ("question", "holds", "lacks"),
    [
        ("how long does a refund take?", "Refunds take 3–5 business days.", "Refunds go to your card."),
        ("how much is express shipping?", "Express costs $15.", "Express is quick."),
        ("how many points do I need?", "You need 500 points.", "Points add up fast."),
    ],
)
def test_the_cue_is_the_kind_of_fact_asked_for(question: str, holds: str, lacks: str) -> None:
    assert list(cue_scores(question, [holds, lacks])) == [1, 0]


def test_a_question_asking_for_no_kind_of_fact_counts_a_rule_a_little() -> None:
    rule, remark = cue_scores("what is your return policy?", ["You can't return used gear.", "We love gear."])
    assert 0 < rule < 1 and remark == 0


def test_list_items_become_statements_questions_do_not_and_headings_in_the_text_are_followed() -> None:
    text = (
        "Prose comes first here. Ready for more? It has two sentences.\n"
        "- Cost: $9 per order\n## Express\n- Carrier: Quickpost\n- Ok"
    )
    said = statements([Passage("s/shipping#0", "shipping", "Shipping — Standard", text)])
    assert [(s.text, s.heading) for s in said] == [
        ("Prose comes first here.", "Standard"),
        ("It has two sentences.", "Standard"),
        ("Standard: Cost: $9 per order.", "Standard"),
        ("Express: Carrier: Quickpost.", "Express"),
    ]
