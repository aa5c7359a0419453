"""Order numbers: how the shop's are written, defined once for everything that reads them.

An order number is five digits, the first a 1 (the seed data's run from 10001). Customers write
it bare ("10042"), after a hash ("#10042") or with the shop's prefix ("TW-10042", "TW10042"); a
model passing one to a tool may keep the hash. Each form below is built from `DIGITS`, so a shop
whose numbers look different changes one line:

    DIGITS            the number itself, for a larger regex ("call get_order for order 10057")
    MENTION           an order number inside free text, not the tail of a longer number or of a
                      code such as "SKU-10042"; its group "number" is the digits alone
    ARGUMENT_PATTERN  a tool argument that is one order number and nothing else, hash allowed:
                      a JSON-schema "pattern" with no look-arounds, so any regex engine reads it
                      (pydantic's, and a model provider's)
"""

from __future__ import annotations

import re

DIGITS = r"1\d{4}"
MENTION = re.compile(rf"(?<![\w-])(?:#|TW-?)?(?P<number>{DIGITS})(?!\d)")
ARGUMENT_PATTERN = rf"^#?{DIGITS}$"


def order_numbers_in(text: str) -> list[str]:
    """The order numbers text mentions, digits only, in the order they appear."""
    return [match["number"] for match in MENTION.finditer(text)]


def names_an_order(text: str) -> bool:
    return MENTION.search(text) is not None
