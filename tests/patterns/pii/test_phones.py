import pytest

from tests.patterns.pii.support import found, kinds

# --- phone ---


@pytest.mark.parametrize(
    "number",
    [
        "+44 20 7946 0958",
        "+1 (415) 555-0132",
        "415-555-0132",
        "(415) 555 0132",
        "07700 900123",
        "+49 30 12345678",
        "+33 1 23 45 67 89",
        "0044 20 7946 0958",
        "415.555.0132",
        "+1.604.555.0157",
        "+49 (0)30 1234 5678",
        "1-800-555-0199",
    ],
)
def test_phone_formats(number: str) -> None:
    assert found(f"call me on {number} please") == [("phone", number)]


@pytest.mark.parametrize(
    "text",
    [
        "where is order 10057?",
        "where is #10057?",
        "I was charged $364.00",
        "delivered 2026-05-14, ordered 14/05/2026, due 21.05.2026",
        "between 09:00-12:00 or 2:30 pm",
        "tracking 1Z999AA10123456784",
        "is TW-TENT-2P in stock? and TNT-2P-RIDGE?",
        "I bought it in 2019, 3 tents, size 10.5, -5 °C",
        "orders 10049-10057",
        "RMA 4471-2209 and gift card GC-8841-2290-1173",
        "is 555-0132 enough?",
        "Part number 0123-456-789",
    ],
)
def test_phone_lookalikes_are_not_phones(text: str) -> None:
    assert "phone" not in kinds(text)


def test_bare_digit_run_is_a_phone_only_after_a_cue() -> None:
    assert found("call me: 4155550132") == [("phone", "4155550132")]
    assert found("reference 4155550132") == []


def test_phone_found_after_an_order_number() -> None:
    assert found("order 10057 415-555-0132") == [("phone", "415-555-0132")]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("mobile:07700900456 thanks", "07700900456"),
        ("+44 (0) 7700 900 789 is my mobile", "+44 (0) 7700 900 789"),
        ("Sie erreichen mich unter 0171/2345678", "0171/2345678"),
        ("Festnetz 030 / 1234 5678", "030 / 1234 5678"),
        ("mon GSM : 0470/12.34.56", "0470/12.34.56"),
        ("the Dublin office is (01) 555 0199", "(01) 555 0199"),
        ("Brussels office 02 123 45 67", "02 123 45 67"),
        ("home phone (09) 123 4567, Auckland", "(09) 123 4567"),
        ("(02) 9876 5432 is the home number", "(02) 9876 5432"),
        ("Bel me op +31 (0)6 1234 5678", "+31 (0)6 1234 5678"),
        ("+46 (0)70 123 45 67 — Stockholm", "+46 (0)70 123 45 67"),
        ("call me on 06.45.23.78.90", "06.45.23.78.90"),
        ("tél. 07-81-23-45-67", "07-81-23-45-67"),
        ("+55 11 91234-5678 — São Paulo", "+55 11 91234-5678"),
        ("+39 02 1234 5678 in Milan", "+39 02 1234 5678"),
        ("0041 44 668 18 01, ask for the warehouse", "0041 44 668 18 01"),
        ("Japanese mobile 090-1234-5678", "090-1234-5678"),
        ("Korean mobile +82 10-1234-5678", "+82 10-1234-5678"),
        ("+852 9123 4567 (HK)", "+852 9123 4567"),
        ("tel:+16475550199", "+16475550199"),
        ("(303)555-0172 is best", "(303)555-0172"),
        ("Phone (+44) 7700 900 333", "(+44) 7700 900 333"),
        ("the number listed on the order (555) 203-4412 isn't mine", "(555) 203-4412"),
    ],
)
def test_international_and_national_forms(text: str, number: str) -> None:
    assert found(text) == [("phone", number)]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("call 212-555-0198x24 and ask for the dock", "212-555-0198x24"),
        ("Ring the shop on 0117 496 0123 ext. 12", "0117 496 0123 ext. 12"),
        ("+44 7700 900 190 x 3", "+44 7700 900 190 x 3"),
        ("(617) 555-0190 ext. 55", "(617) 555-0190 ext. 55"),
        ("reception +44 161 496 0500, extension 27", "+44 161 496 0500, extension 27"),
        ("Tel. +49 30 1234567 Durchwahl 12", "+49 30 1234567 Durchwahl 12"),
    ],
)
def test_an_extension_joins_the_span(text: str, number: str) -> None:
    # The number is not whole without its extension, so redaction takes both.
    assert found(text) == [("phone", number)]


def test_numbers_split_across_labels_are_both_found() -> None:
    assert found("mobile:07700900456 landline:01632 960321") == [
        ("phone", "07700900456"),
        ("phone", "01632 960321"),
    ]
    assert found("Tel 020-7946-0018 / Mob 07700-900-111") == [("phone", "020-7946-0018"), ("phone", "07700-900-111")]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("mi móvil es 612 345 678", "612 345 678"),
        ("call me on 912 345 678 (Madrid office)", "912 345 678"),
        ("my number is 98765 43210", "98765 43210"),
        ("tlf. 20 12 34 56", "20 12 34 56"),
        ("celular (11) 91234-5678", "(11) 91234-5678"),
        ("my hp is 9123 4567", "9123 4567"),
    ],
)
def test_a_number_without_prefix_or_trunk_0_is_found_after_a_phone_word(text: str, number: str) -> None:
    assert found(text) == [("phone", number)]


@pytest.mark.parametrize(
    "text",
    ["we need 912 345 678 of them", "my customer number is 700 123 456", "VAT number GB 123 4567 89"],
)
def test_a_number_without_prefix_needs_a_phone_word_and_no_reference_word(text: str) -> None:
    assert "phone" not in kinds(text)


def test_international_numbers_must_fit_a_numbering_plan() -> None:
    assert found("call +44 20 7946 0958") == [("phone", "+44 20 7946 0958")]
    assert found("call +44 61 2345 6789") == []  # no UK number starts with 6
    assert found("call +999 1234 5678") == []  # no such country code
    assert found("call +1 555 123 4567") == [("phone", "+1 555 123 4567")]  # fictional, but shaped right


@pytest.mark.parametrize(
    "text",
    [
        "orders 10042 and 10043 should ship together",
        "Order #10042, 2 items, paid £84.50",
        "from 01.06.2026 to 15.06.2026 we're away",
        "on 01/06/2026 12 tents arrived",
        "€ 1.249,00 stand auf der Rechnung",
        "the jacket was 1 249,00 € in the sale",
        "my postcode is 10115 Berlin",
        "Is 1012 AB Amsterdam in your area?",
        "UPS 1Z 999 AA1 01 2345 6784 hasn't moved",
        "USPS 9400 1111 0000 1234 5678 90",
        "FedEx tracking 7712 3456 7890",
        "barcode 0 12345 67890 5 on the box",
        "account number 31926819, sort code 40-12-76",
        "loyalty no. 8830 1122 4455",
        "booking ref 4471 2209 83",
        "router at 192.168.1.20, app version 2.14.3",
        "delivery slot 12/05-19/05?",
        "Lot 23-11-0456 on the canister",
    ],
)
def test_more_phone_lookalikes_are_not_phones(text: str) -> None:
    assert "phone" not in kinds(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "ring me on six one seven, five five five, oh one two three",
            "six one seven, five five five, oh one two three",
        ),
        (
            "its zero two zero double seven nine four six zero nine one",
            "zero two zero double seven nine four six zero nine one",
        ),
    ],
)
def test_phones_spelled_out_in_words(text: str, value: str) -> None:
    assert found(text) == [("phone", value)]


def test_a_short_run_of_number_words_is_no_phone() -> None:
    assert found("one two three four, go!") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("電話は080-1234-5678です", "080-1234-5678"),
        ("6175550123 is my mobile", "6175550123"),
        ("chat on wa.me/447700900123", "447700900123"),
    ],
)
def test_phones_in_cjk_text_cued_after_and_in_whatsapp_links(text: str, value: str) -> None:
    assert found(text) == [("phone", value)]


def test_a_bare_run_with_no_phone_word_either_side_stays_unclaimed() -> None:
    assert found("ref 6175550123 is pending") == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("call 415-555-0132 x-ray results are in", "415-555-0132"),  # a word, not an extension
        ("ring 020 7946 0958 extra early please", "020 7946 0958"),
        ("call 415-555-0132, 2 x 30 L bags", "415-555-0132"),
    ],
)
def test_a_word_or_a_product_count_after_a_number_is_no_extension(text: str, number: str) -> None:
    assert found(text) == [("phone", number)]


def test_portuguese_call_word_cues_a_national_number() -> None:
    assert found("liga no 11 91234-5678 por favor") == [("phone", "11 91234-5678")]


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("Can she still call about the dispute on 555-0139?", ["555-0139"]),
        ("phone 555-0139 after six", ["555-0139"]),
        ("order 555-0139, call me", []),  # a reference word before it
        ("call me, the price is 299.9999", []),  # a dot makes no local number
        ("call after 5, my code is 555-0139", []),  # "code": a reference
        ("the 555-0139 part fits", []),  # no phone word before it
    ],
)
def test_a_seven_digit_local_number_needs_a_phone_word(text: str, phones: list[str]) -> None:
    assert [v for k, v in found(text) if k == "phone"] == phones
