import pytest

from tests.patterns.pii.support import found


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my driver's license is D1234567", "D1234567"),
        ("drivers license number: 99 887 766", "99 887 766"),
        ("DL# K200-3344-5566", "K200-3344-5566"),
        ("driving licence SMITH 706152 JJ8AB", "SMITH 706152 JJ8AB"),
        ("drivers lic Y77123456 exp 2030", "Y77123456"),
        ("Führerschein: J0101ABC123", "J0101ABC123"),
        ("permis de conduire n° 99ZZ12345", "99ZZ12345"),
        ("licencia de conducir Z7654321-K", "Z7654321-K"),
        ("dl T1234567 PLEASE hurry", "T1234567"),
    ],
)
def test_licence_numbers_after_their_cue(text: str, value: str) -> None:
    assert found(text) == [("driver_licence", value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("passport number is 987654321", "987654321"),
        ("passport no. X98765432", "X98765432"),
        ("numéro de passeport: 18AB12345", "18AB12345"),
        ("pasaporte XDA765432", "XDA765432"),
        ("Reisepass C3KX9L2P7", "C3KX9L2P7"),
        ("mein Pass: CF7K2M9X4", "CF7K2M9X4"),
        ("my passport, it's Z1234567", "Z1234567"),
    ],
)
def test_passport_numbers_after_their_cue(text: str, value: str) -> None:
    assert found(text) == [("passport", value)]


@pytest.mark.parametrize(
    "text",
    [
        "do I need my passport to collect?",
        "the license key is on the box",
        "licence to sell: yes",
        "passport photo booth at gate 12",
        "pass the salt: 3 grams",
        "my license expired in 2024",
        "MIT license 2.0",
    ],
)
def test_cue_without_a_number(text: str) -> None:
    assert not [k for k, _ in found(text) if k in ("passport", "driver_licence")]


def test_a_passport_number_wins_over_a_phone_reading() -> None:
    assert found("customs wanted my passport number, it's 562874109") == [("passport", "562874109")]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("lic# G9034418", "driver_licence", "G9034418"),
        ("carteira de motorista (CNH) 04512398761", "driver_licence", "04512398761"),
        ("licencia de conducir X1234567-L", "driver_licence", "X1234567-L"),  # not the NIE it resembles
        ("us passport card? no, book: C03005988", "passport", "C03005988"),
        ("mi pasaporte mexicano es G12345678", "passport", "G12345678"),
        ("PP# R9022871", "passport", "R9022871"),
        ("L44018572 is my passport", "passport", "L44018572"),
        ("LA123456 nz passport", "passport", "LA123456"),
        ("D1234567 is my driver's license", "driver_licence", "D1234567"),
    ],
)
def test_more_cues_and_a_number_before_its_name(text: str, kind: str, value: str) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize(
    "text",
    [
        "my license plate is ABC 1234",
        "do I need a passport for the 2026 trip",
        "order 10042 is my passport holder, where is it",
        "SKU TX4402 passport wallet in stock?",
        "is AB12345 passport cover waterproof",
        "item RX88012 licence plate frame",
        "the license key is ABCD-1234-EFGH",
        "pp 123 of the manual",
    ],
)
def test_document_lookalikes_stay_out(text: str) -> None:
    assert [k for k, _ in found(text) if k in ("passport", "driver_licence")] == []
