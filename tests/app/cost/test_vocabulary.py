"""The cache's vocabulary comes from the catalogue: product words and categories tell questions
apart, words that name nothing do not."""

from __future__ import annotations

from switchboard.app.cost.vocabulary import catalogue_vocabulary
from switchboard.patterns.semantic_cache import entities_of, mismatch

VOCABULARY = catalogue_vocabulary(
    ["Ridgeline 2P Tent", "Squall Pro Rain Jacket", "Alpine Boots", "Pro Headlamp"], ["tents", "jackets", "footwear"]
)


def test_model_names_nouns_and_categories_are_terms_stemmed() -> None:
    assert {"ridgeline", "tent", "squall", "jacket", "boot", "alpine", "headlamp", "footwear"} <= VOCABULARY


def test_describing_generic_and_short_words_are_not_terms() -> None:
    assert not {"rain", "pro", "2p", "the"} & VOCABULARY


def test_policy_terms_are_terms_though_no_product_carries_them() -> None:
    assert {"canada", "paypal", "unused"} <= VOCABULARY


def test_the_vocabulary_separates_questions_about_two_products() -> None:
    boots, tent = entities_of("can I return my boots?", VOCABULARY), entities_of("can I return my tent?", VOCABULARY)
    assert mismatch(boots, tent) == "terms differ"
