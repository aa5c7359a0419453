import itertools
import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from switchboard.patterns.pii.detection import PiiSpan, find_pii, iban_ok, luhn_ok
from tests.patterns.pii.support import found, kinds

DATASETS = Path(__file__).resolve().parents[3] / "evals" / "datasets"
DATASET = DATASETS / "pii.jsonl"
DEV_SET = DATASETS / "pii_dev.jsonl"  # written in another style, for development
STRIP = " \t\n.,;:!?()[]{}<>\"'|/—-"
# As bench/pii.py: the sets disagree on whether an extension is inside a phone's span.
EXTENSION = re.compile(r"[\s,]*(?:x|ext|extn|extension|durchwahl|poste|anexo)\.?:?\s?\d{1,6}$", re.IGNORECASE)
STRUCTURED = ("email", "phone", "card", "iban", "national_id")


# --- email ---


def test_email_found_without_trailing_punctuation() -> None:
    assert found("send it to maya.okafor@example.com.") == [("email", "maya.okafor@example.com")]
    assert found("p.raman+outdoors@proton.me or a@b.co.uk") == [
        ("email", "p.raman+outdoors@proton.me"),
        ("email", "a@b.co.uk"),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("write to lena at example dot com", "lena at example dot com"),
        ("lena(at)example(dot)co(dot)uk ok", "lena(at)example(dot)co(dot)uk"),
        ("mail: LENA AT EXAMPLE DOT ORG", "LENA AT EXAMPLE DOT ORG"),
    ],
)
def test_spelled_out_emails(text: str, value: str) -> None:
    assert found(text) == [("email", value)]


def test_spelled_out_look_alikes_are_not_emails() -> None:
    assert found("meet me at noon") == []
    assert found("look at the dot on the map") == []


def test_a_glued_word_is_cut_off_a_known_tld_and_an_apostrophe_kept() -> None:
    assert found("email:ana@example.comthanks") == [("email", "ana@example.com")]
    assert found("it's d'angelo.r@example.com") == [("email", "d'angelo.r@example.com")]


def test_a_bare_domain_is_not_an_email() -> None:
    assert found("problems with @example.com addresses?") == []


# --- card ---


@pytest.mark.parametrize("card", ["6759 6498 2648", "501800000009", "6304 0000 0000 0000 00"])
def test_maestro_cards_of_12_and_more_digits(card: str) -> None:
    assert found(f"maestro {card} thanks") == [("card", card)]


def test_a_12_digit_luhn_number_outside_maestro_is_no_card() -> None:
    assert "card" not in kinds("ref 400000000002 thanks")


@pytest.mark.parametrize(
    "card", ["4111 1111 1111 1111", "5555-5555-5555-4444", "3782 822463 10005", "4012888888881881", "4222222222222"]
)
def test_luhn_valid_cards(card: str) -> None:
    assert found(f"card {card} please") == [("card", card)]


def test_luhn_invalid_cards_are_rejected() -> None:
    assert not luhn_ok("4111111111111112")
    assert found("card 4111 1111 1111 1112 was declined") == []
    assert found("gift card 1234 5678 9012 3456") == []


def test_card_with_expiry_after_it() -> None:
    assert found("I paid 4111 1111 1111 1111 12/27") == [("card", "4111 1111 1111 1111")]


def test_a_15_digit_luhn_number_is_a_card_only_for_amex() -> None:
    assert found("IMEI 356938035643809 — my phone was in the parcel") == []  # IMEIs carry a Luhn digit too
    assert found("card 378282246310005 please") == [("card", "378282246310005")]


def test_long_tracking_number_is_not_a_card() -> None:
    assert found("USPS tracking 9400 1000 0000 0000 0000 00") == []


# --- iban ---


@pytest.mark.parametrize(
    "iban",
    [
        "GB82 WEST 1234 5698 7654 32",
        "DE89 3704 0044 0532 0130 00",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300",
        "ES91 2100 0418 4502 0005 1332",
        "IE29 AIBK 9311 5212 3456 78",
    ],
)
def test_valid_ibans(iban: str) -> None:
    assert found(f"IBAN {iban}, thanks") == [("iban", iban)]


def test_mod97_rejects_a_wrong_check_and_nothing_inside_it_leaks_out() -> None:
    assert not iban_ok("GB82WEST12345698765433")
    # A failed IBAN must not come back as a phone or card made of its digits.
    assert found("I gave you DE89 3704 0044 0532 0130 01 by mistake") == []


def test_iban_stops_at_the_country_length() -> None:
    assert found("GB82 WEST 1234 5698 7654 32 THEN") == [("iban", "GB82 WEST 1234 5698 7654 32")]


# --- national IDs ---


def test_ssn_and_its_invalid_ranges() -> None:
    assert found("SSN 536-22-8194") == [("national_id", "536-22-8194")]
    for bad in ("000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000"):
        assert found(f"SSN {bad}") == [], bad


def test_nino_forms_and_invalid_prefixes() -> None:
    assert found("NI number AB 12 34 56 C") == [("national_id", "AB 12 34 56 C")]
    assert found("my NI number is JG103745B") == [("national_id", "JG103745B")]
    assert found("ni no. pe612345c") == [("national_id", "pe612345c")]
    for bad in ("QQ 12 34 56 C", "GB 12 34 56 A", "TN 31 12 58 A", "DA 12 34 56 A", "AO 12 34 56 A", "AB 12 34 56 E"):
        assert found(f"ref {bad}") == [], bad


def test_a_ssn_shape_inside_a_longer_digit_run_is_not_an_ssn() -> None:
    assert "national_id" not in kinds("celular: 044 55 1234 5678")


# --- overlaps ---


def test_overlaps_resolve_to_one_span() -> None:
    spans = find_pii("Ship to 14 Rose Lane, Bristol BS1 4DJ and to Grace Kim")
    assert [(s.kind, s.text) for s in spans] == [("address", "14 Rose Lane, Bristol BS1 4DJ"), ("name", "Grace Kim")]
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_spans_carry_offsets() -> None:
    text = "mail maya@example.com"
    assert find_pii(text) == [PiiSpan("email", 5, 21, "maya@example.com")]


# --- speed ---


@pytest.mark.parametrize(
    "text",
    [
        "1 " * 10_000,
        "1234 " * 4000,
        "Maya " * 4000,
        "a" * 10_000 + "@" + "b." * 5000,
        "Regards,\n" + "Helen Marsh\n" * 3000,
        "Tamsin and " * 4000,
        "— Zed Zod " * 3000,
        "+44 " * 5000,
    ],
)
def test_hostile_input_is_scanned_in_linear_time(text: str) -> None:
    # Generous bound for a loaded CI box; a backtracking blow-up would take minutes.
    started = time.perf_counter()
    find_pii(text)
    assert time.perf_counter() - started < 2.0


# --- the labelled set ---


def _key(kind: str, value: str) -> tuple[str, str]:
    value = value.strip(STRIP)
    return kind, EXTENSION.sub("", value) if kind == "phone" else value


def _score(kinds_wanted: tuple[str, ...], dataset: Path = DATASET) -> tuple[float, float]:
    hits = labelled = predicted = 0
    for line in dataset.read_text().splitlines():
        case = json.loads(line)
        want = Counter(_key(s["kind"], s["value"]) for s in case["spans"] if s["kind"] in kinds_wanted)
        got = Counter(_key(s.kind, s.text) for s in find_pii(case["text"]) if s.kind in kinds_wanted)
        hits += sum((want & got).values())
        labelled += sum(want.values())
        predicted += sum(got.values())
    return hits / labelled, hits / predicted


@pytest.mark.parametrize(("dataset", "size"), [(DATASET, 220), (DEV_SET, 250)])
def test_dataset_is_well_formed(dataset: Path, size: int) -> None:
    cases = [json.loads(line) for line in dataset.read_text().splitlines()]
    assert len(cases) >= size
    assert len({c["id"] for c in cases}) == len(cases)
    assert sum(not c["spans"] for c in cases) >= 60
    for c in cases:
        for s in c["spans"]:
            assert s["value"] in c["text"], c["id"]


def test_structured_kinds_on_the_labelled_set() -> None:
    recall, precision = _score(STRUCTURED)
    assert recall >= 0.98
    assert precision >= 0.95


def test_addresses_and_names_on_the_labelled_set() -> None:
    # Floors below what the detector reaches today (address 1.00 / 1.00, name 1.00 / 1.00).
    recall, precision = _score(("address",))
    assert recall >= 0.9
    assert precision >= 0.95
    recall, precision = _score(("name",))
    assert recall >= 0.8
    assert precision >= 0.95


def test_the_development_set() -> None:
    # The detector was improved against this set, so these floors guard against regressions;
    # they say little about unseen text (today: structured 0.996 / 0.996, name 0.99 / 1.00).
    recall, precision = _score(STRUCTURED, DEV_SET)
    assert recall >= 0.98
    assert precision >= 0.98
    recall, precision = _score(("name",), DEV_SET)
    assert recall >= 0.9
    assert precision >= 0.95


@pytest.mark.parametrize(
    "text",
    [
        "passport " + "A1 " * 3400,
        "license " + "A1-" * 3400,
        "aadhaar " + "2345 " * 2000,
        "a at b " + "dot c " * 1700,
        "1." * 5000,
        "1:" * 5000,
        "::" + "a:" * 5000,
        "ni number " + "for the " * 1300 + "x",
        "DNI " * 2500,
        "Hauptstraße 1, " * 700,
        "Flat 1, " + "Aa, " * 2500,
        "〒150-0002 " * 1000,
        "Rose Cottage, " + "Lane, " * 1700,
        "one two " * 1300,
        "Олена " * 2000,
        "我叫" * 5000,
        "IL 60606, " * 1500,  # a postal tail after every part: each walk back is bounded
        "Aa Bb Cc 1, " * 1500 + "10115 Berlin",
        "北京市朝阳区" * 1700,
        "ship to " + "陈" * 10000,
    ],
)
def test_hostile_input_for_the_cued_kinds_is_scanned_in_linear_time(text: str) -> None:
    assert len(text) >= 10_000
    started = time.perf_counter()
    find_pii(text)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    ("text", "card"),
    [
        ("statement shows a charge on card 5020 9739 18025", "5020 9739 18025"),  # Maestro, 13, 4-4-5
        ("refund to 6759 4935 84200 please", "6759 4935 84200"),
        ("old visa 4222222222222", "4222222222222"),  # Visa's 13-digit numbers
        ("maestro 675941234567898", "675941234567898"),  # 15 digits, Maestro IIN
    ],
)
def test_maestro_and_visa_lengths(text: str, card: str) -> None:
    assert found(text) == [("card", card)]


@pytest.mark.parametrize(
    "text",
    [
        "IMEI 356938035643809 on the box",  # 15-digit Luhn, a phone's type code: no card
        "tracking 1234 5678 90123 arrives friday",  # 4-4-5 that fails Luhn
        "serial 3569 3803 56438",  # 13 digits starting 35: neither Visa nor Maestro
    ],
)
def test_other_luhn_lengths_stay_out(text: str) -> None:
    assert "card" not in kinds(text)


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("its liam.obrien {at} example {dot} com", "liam.obrien {at} example {dot} com"),
        ("reach me on felix dot brandt at example dot com", "felix dot brandt at example dot com"),
    ],
)
def test_spelled_emails_with_braces_and_a_dotted_name(text: str, email: str) -> None:
    assert found(text) == [("email", email)]


def test_spelled_words_without_a_domain_are_no_email() -> None:
    assert "email" not in kinds("look at the dot on the map, then dot the i at home")


def test_a_card_grouped_with_dots() -> None:
    assert found("card 4111.1111.1111.1111 please") == [("card", "4111.1111.1111.1111")]
    assert "card" not in kinds("build 1.4111.1111.1111.1111")  # a dotted run longer than a card
    assert "card" not in kinds("4111.1111-1111 1111")  # mixed separators are no grouping
