"""The words that tell two support questions apart when everything else about them matches.

"Can I return boots?" and "can I return a tent?" embed close together and have different
answers; what separates them is a product. The semantic cache's entity check
(patterns/semantic_cache.py) refuses a hit when the two questions name different terms of this
vocabulary. It is built from the shop's own catalogue — each product's model name and the noun
that says what it is (the first and last words of "Ridgeline 2P Tent"), and the categories —
plus the places, carriers and payment methods whose policies differ, so a forked shop gets its
own by changing its catalogue, not this file. The words between ("Down", "Long", "Rain") are
left out: they are how customers describe things too, and a paraphrase that drops one is still
the same question.
"""

from __future__ import annotations

from collections.abc import Iterable

from switchboard.patterns.semantic_cache import words_of

# Policies turn on these, and no product name carries them.
POLICY_TERMS = (
    "canada mexico international overseas alaska hawaii "
    "parcelway northpost courier express overnight standard "
    "paypal gift card cash credit debit klarna "
    "used unused worn damaged defective sale clearance final"
)
# Words of product names that name no product: a question using them is not about another thing.
GENERIC = frozenset({"the", "and", "for", "with", "pro", "lite", "plus", "ultra", "one", "set", "pack", "kit"})


def catalogue_vocabulary(product_names: Iterable[str], categories: Iterable[str]) -> frozenset[str]:
    """Each name's first and last words and every category, stemmed, and the policy terms."""
    words: set[str] = words_of(POLICY_TERMS) | words_of(" ".join(categories))
    for name in product_names:
        named = name.lower().split()
        words |= {w for w in words_of(f"{named[0]} {named[-1]}") if len(w) > 2 and not w.isdigit()} if named else set()
    return frozenset(words - GENERIC)
