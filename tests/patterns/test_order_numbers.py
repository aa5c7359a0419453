import re

import pytest

from switchboard.patterns.order_numbers import ARGUMENT_PATTERN, DIGITS, names_an_order, order_numbers_in


def test_the_forms_customers_write_are_read_as_the_digits() -> None:
    text = "Where are 10042, #10043, TW-10044 and TW10045? Also order #10046."
    assert order_numbers_in(text) == ["10042", "10043", "10044", "10045", "10046"]


@pytest.mark.parametrize(
    "text",
    ["call 415-555-0132 today", "tracking 1Z999AA10123456784", "SKU-10042", "x10042", "order 20042", "100421"],
)
def test_longer_numbers_codes_and_other_leading_digits_are_not_order_numbers(text: str) -> None:
    assert order_numbers_in(text) == [] and not names_an_order(text)


def test_a_tool_argument_is_one_number_with_an_optional_hash() -> None:
    assert all(re.fullmatch(ARGUMENT_PATTERN, value) for value in ("10042", "#10042"))
    assert not any(re.fullmatch(ARGUMENT_PATTERN, value) for value in ("TW-10042", "10042 ", "the tent order"))


def test_digits_build_into_a_larger_pattern() -> None:
    match = re.search(rf"order\s*#?(?P<order>{DIGITS})", "please refund order #10057 now")
    assert match is not None and match["order"] == "10057"
