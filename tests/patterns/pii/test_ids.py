import pytest

from tests.patterns.pii.support import found


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my SIN: 046 454 286", "046 454 286"),
        ("social insurance number 046454286", "046454286"),
        ("Aadhaar 2345 6789 0124 please", "2345 6789 0124"),
        ("aadhar no. 987654321098", "987654321098"),
        ("PAN: AAAPL1234C", "AAAPL1234C"),
        ("DNI 12345678-Z", "12345678-Z"),
        ("mi NIE es Y0000000Z", "Y0000000Z"),
        ("CPF 529.982.247-25", "529.982.247-25"),
        ("BSN 111222333", "111222333"),
        ("TFN 123 456 782", "123 456 782"),
        ("NI number: QQ 12 34 56 A", "QQ 12 34 56 A"),
        ("Steuer-ID: 12 345 678 901", "12 345 678 901"),
        ("numéro de sécurité sociale 1 85 05 78 006 084 36", "1 85 05 78 006 084 36"),
        ("codice fiscale BNCMRA70A01H501W", "BNCMRA70A01H501W"),
        ("personnummer 19900101-1234", "19900101-1234"),
        ("PESEL 44051401359", "44051401359"),
        ("PPSN: 1234567TA", "1234567TA"),
        ("マイナンバー 2345 6789 0123", "2345 6789 0123"),
        ("HKID Z683365(5)", "Z683365(5)"),
        ("CURP: BADD110313HCMLNS09", "BADD110313HCMLNS09"),
        ("ssn 123456789", "123456789"),
    ],
)
def test_ids_after_their_name(text: str, value: str) -> None:
    assert found(text) == [("national_id", value)]


@pytest.mark.parametrize(
    "text",
    [
        "my SIN: 046 454 287",  # Luhn fails
        "DNI 12345678-A",  # wrong letter
        "CPF 529.982.247-26",
        "BSN 111222334",
        "TFN 123 456 789",
        "the pan is 24 cm wide",
        "PAN card application takes 2 weeks",
        "aadhaar 1234 5678 9012",  # Aadhaar numbers never start with 0 or 1
        "ssn 900123456",  # no 9xx area
    ],
)
def test_cued_numbers_that_fail_their_format_or_check(text: str) -> None:
    assert not [k for k, _ in found(text) if k == "national_id"]


def test_a_dotted_cpf_with_valid_check_digits_needs_no_cue() -> None:
    assert found("meu documento: 529.982.247-25") == [("national_id", "529.982.247-25")]


def test_ssn_shape_after_a_reference_word_is_a_reference() -> None:
    assert found("part number 300-12-4455 for the pole") == []
    assert found("ssn 300-12-4455") == [("national_id", "300-12-4455")]


def test_grouped_aadhaar_without_cue_needs_verhoeff() -> None:
    assert found("the id 2345 6789 0122 on my card") == [("national_id", "2345 6789 0122")]
    assert found("the id 2345 6789 0124 on my card") == []


def test_a_filler_phrase_ending_in_a_colon() -> None:
    assert found("NI number for the payroll: QQ 12 34 56 A") == [("national_id", "QQ 12 34 56 A")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("il mio codice fiscale è RSSMRA85T10A562S", "RSSMRA85T10A562S"),
        ("CF: BNCGLI92E45F205X", "BNCGLI92E45F205X"),  # the shape alone: its check letter may be off
        ("mitt personnummer är 19900314-5678", "19900314-5678"),
        ("RRN 850101-1234567 (korea)", "850101-1234567"),
        ("주민등록번호 900214-2345678", "900214-2345678"),
        ("name on file, NI: QQ 98 76 54 B", "QQ 98 76 54 B"),
        ("national id 45405274P (spanish dni)", "45405274P"),
        ("my dni is 12345678Z", "12345678Z"),
        ("NRIC S1234567D (singapore)", "S1234567D"),
        ("FIN G1234567X", "G1234567X"),
        ("ID number: 7501015800085", "7501015800085"),
    ],
)
def test_more_countries_ids_after_their_name_or_by_their_check(text: str, value: str) -> None:
    assert found(text) == [("national_id", value)]


@pytest.mark.parametrize(
    "text",
    [
        "SKU 10234567A is back in stock?",  # a reference word before the digits
        "the part 12345678A does not fit",  # mod 23 says A is not the letter for 12345678
        "S1234567A is the locker code",  # NRIC check letter wrong
        "RRN 851301-1234567",  # month 13: no birth date
        "ni idea, order 10042 is late",
        "national id? do you need one for 10042",
        "ABCDEF12G34H567I is the coupon",  # month letter G is no codice fiscale month
    ],
)
def test_id_lookalikes_stay_out(text: str) -> None:
    assert [k for k, _ in found(text) if k == "national_id"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("CPR 010190-1234", "010190-1234"),  # not the phone it resembles
        ("RUT 12.345.678-5", "12.345.678-5"),
        ("my chinese id is 11010519491231002X", "11010519491231002X"),
        ("11010519491231002X", "11010519491231002X"),  # its check character lets the shape stand alone
        ("South African ID 8001015009087", "8001015009087"),
    ],
)
def test_denmark_chile_china_and_south_africa(text: str, value: str) -> None:
    assert found(text) == [("national_id", value)]


@pytest.mark.parametrize(
    "text",
    [
        "tracking 110105194912310021 is stuck",  # 18 digits whose check digit is wrong
        "the run 12.345.678-5 was long",  # "run" is no cue
        "SA ID 8001015009088",  # Luhn fails
    ],
)
def test_more_id_lookalikes_stay_out(text: str) -> None:
    assert [k for k, _ in found(text) if k == "national_id"] == []


def test_pan_after_its_name_whatever_its_holder_letter() -> None:
    assert found("PAN ABCDE1234F") == [("national_id", "ABCDE1234F")]
    assert found("panel ABCDE1234F") == []  # "panel" is no cue
