import pytest

from switchboard.patterns.pii.checksums import cpf_ok, dni_ok, luhn_ok, mod11_ok, nric_ok, verhoeff_ok


def test_verhoeff_catches_a_changed_digit_and_a_swap() -> None:
    assert verhoeff_ok("2363")
    assert not verhoeff_ok("2364")
    assert not verhoeff_ok("3263")


@pytest.mark.parametrize("value", ["12345678Z", "X0000000T", "Y0000000Z", "z0000000m"])
def test_dni_and_nie_letters(value: str) -> None:
    assert dni_ok(value)


def test_dni_with_the_wrong_letter() -> None:
    assert not dni_ok("12345678A")
    assert not dni_ok("X0000000A")


def test_cpf_check_digits() -> None:
    assert cpf_ok("52998224725")
    assert not cpf_ok("52998224726")
    assert not cpf_ok("11111111111")  # passes the arithmetic, never issued


def test_weighted_mod11() -> None:
    assert mod11_ok("111222333", (9, 8, 7, 6, 5, 4, 3, 2, -1))  # a BSN test number
    assert not mod11_ok("111222334", (9, 8, 7, 6, 5, 4, 3, 2, -1))
    assert not mod11_ok("1112223", (9, 8, 7, 6, 5, 4, 3, 2, -1))  # wrong length


def test_luhn_for_sin() -> None:
    assert luhn_ok("046454286")
    assert not luhn_ok("046454287")


@pytest.mark.parametrize(("value", "ok"), [("S1234567D", True), ("T1234567J", True), ("S1234567A", False),
                                           ("F1234567N", True), ("X1234567D", False), ("S123456D", False)])  # fmt: skip
def test_nric_check_letter(value: str, ok: bool) -> None:
    assert nric_ok(value) is ok
