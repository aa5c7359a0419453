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
