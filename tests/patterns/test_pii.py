import itertools
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from switchboard.patterns.pii import PiiSpan, Vault, find_pii, iban_ok, luhn_ok, mask

DATASET = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "pii.jsonl"
STRIP = " \t\n.,;:!?()[]{}<>\"'|/—-"
STRUCTURED = ("email", "phone", "card", "iban", "national_id")


def found(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in find_pii(text)]


def kinds(text: str) -> set[str]:
    return {s.kind for s in find_pii(text)}


# --- email ---


def test_email_found_without_trailing_punctuation() -> None:
    assert found("send it to maya.okafor@example.com.") == [("email", "maya.okafor@example.com")]
    assert found("p.raman+outdoors@proton.me or a@b.co.uk") == [
        ("email", "p.raman+outdoors@proton.me"),
        ("email", "a@b.co.uk"),
    ]


def test_a_bare_domain_is_not_an_email() -> None:
    assert found("problems with @example.com addresses?") == []


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


# --- card ---


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


# --- address ---


@pytest.mark.parametrize(
    "address",
    [
        "118 Alder St, Portland, OR 97205",
        "4417 Fremont Ave N, Seattle, WA 98103",
        "1650 W Division St Apt 3R, Chicago, IL 60622",
        "10 Downing Street, London SW1A 2AA",
        "12B Parkside Court, Toronto, ON M4K 1B4",
        "455 Rue Saint-Denis, Montréal, QC H2X 3L4",
        "8 Clarendon Crescent",
    ],
)
def test_street_addresses(address: str) -> None:
    assert found(f"please ship to {address} thanks") == [("address", address)]


def test_postcode_and_city_tail_alone() -> None:
    assert found("my postcode is SW1A 1AA") == [("address", "SW1A 1AA")]
    assert found("I live near Portland, OR 97205") == [("address", "Portland, OR 97205")]


@pytest.mark.parametrize(
    "text",
    ["I need 3 tents", "does 2 day shipping work?", "2 Stakes missing and 1 Pole bent", "Order 10057 3 Loop cords"],
)
def test_quantities_are_not_addresses(text: str) -> None:
    assert "address" not in kinds(text)


# --- name ---


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi, my name is Maya Okafor and I need help", "Maya Okafor"),
        ("This is Tom Whitfield, I called yesterday", "Tom Whitfield"),
        ("Kind regards,\nJamal Carter", "Jamal Carter"),
        ("Name: Liam O'Connor", "Liam O'Connor"),
        ("Can Dr. Okonkwo collect it?", "Okonkwo"),
        ("please address the letter to Samuel Adeyemi", "Samuel Adeyemi"),
    ],
)
def test_names(text: str, name: str) -> None:
    assert found(text) == [("name", name)]


@pytest.mark.parametrize(
    "text",
    [
        "May I exchange the Tideline Trail Runner?",
        "Will Parcelway deliver on Saturday?",
        "This is Tidewater Outfitters, right?",
        "I'm Canadian, do you ship to Alberta?",
        "Grace period for returns is 30 days?",
        "Victoria Station pickup point",
    ],
)
def test_name_lookalikes(text: str) -> None:
    assert "name" not in kinds(text)


# --- overlaps ---


def test_overlaps_resolve_to_one_span() -> None:
    spans = find_pii("Ship to 14 Rose Lane, Bristol BS1 4DJ and to Grace Kim")
    assert [(s.kind, s.text) for s in spans] == [("address", "14 Rose Lane, Bristol BS1 4DJ"), ("name", "Grace Kim")]
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_spans_carry_offsets() -> None:
    text = "mail maya@example.com"
    assert find_pii(text) == [PiiSpan("email", 5, 21, "maya@example.com")]


# --- vault and mask ---


def test_redact_and_restore_round_trip() -> None:
    vault = Vault()
    text = "I'm Maya Okafor, maya@example.com, +44 20 7946 0958, card 4111 1111 1111 1111"
    redacted = vault.redact(text)
    assert redacted == "I'm <NAME_1>, <EMAIL_1>, <PHONE_1>, card <CARD_1>"
    assert vault.restore(redacted) == text


def test_same_value_same_placeholder_and_numbering_per_kind() -> None:
    vault = Vault()
    assert vault.redact("a@example.com and b@example.com") == "<EMAIL_1> and <EMAIL_2>"
    assert vault.redact("again: A@Example.com") == "again: <EMAIL_1>"
    assert vault.redact("call 415-555-0132 or (415) 555-0132") == "call <PHONE_1> or <PHONE_1>"


def test_restore_leaves_unknown_placeholders_alone() -> None:
    vault = Vault()
    vault.redact("a@example.com")
    assert vault.restore("<EMAIL_1> / <EMAIL_9> / <CARD_1>") == "a@example.com / <EMAIL_9> / <CARD_1>"


def test_vault_survives_a_dict_round_trip() -> None:
    vault = Vault()
    vault.redact("a@example.com, 415-555-0132")
    stored = json.loads(json.dumps(vault.to_dict()))
    again = Vault.from_dict(stored)
    assert again.restore("<EMAIL_1> <PHONE_1>") == "a@example.com 415-555-0132"
    assert again.redact("b@example.com a@example.com") == "<EMAIL_2> <EMAIL_1>"
    assert len(again) == 3


def test_from_dict_rejects_an_unknown_kind() -> None:
    with pytest.raises(ValueError):
        Vault.from_dict({"entries": [{"placeholder": "<PET_1>", "kind": "pet", "value": "Rex"}]})


def test_mask_keeps_nothing_recoverable() -> None:
    masked = mask("maya@example.com, IBAN GB82 WEST 1234 5698 7654 32, SSN 536-22-8194")
    assert masked == "[EMAIL], IBAN [IBAN], SSN [NATIONAL_ID]"
    assert mask("order 10057 for $364.00") == "order 10057 for $364.00"


# --- speed ---


@pytest.mark.parametrize("text", ["1 " * 10_000, "1234 " * 4000, "Maya " * 4000, "a" * 10_000 + "@" + "b." * 5000])
def test_hostile_input_is_scanned_in_linear_time(text: str) -> None:
    # Generous bound for a loaded CI box; a backtracking blow-up would take minutes.
    started = time.perf_counter()
    find_pii(text)
    assert time.perf_counter() - started < 2.0


# --- the labelled set ---


def _score(kinds_wanted: tuple[str, ...]) -> tuple[float, float]:
    hits = labelled = predicted = 0
    for line in DATASET.read_text().splitlines():
        case = json.loads(line)
        want = Counter((s["kind"], s["value"].strip(STRIP)) for s in case["spans"] if s["kind"] in kinds_wanted)
        got = Counter((s.kind, s.text.strip(STRIP)) for s in find_pii(case["text"]) if s.kind in kinds_wanted)
        hits += sum((want & got).values())
        labelled += sum(want.values())
        predicted += sum(got.values())
    return hits / labelled, hits / predicted


def test_dataset_is_well_formed() -> None:
    cases = [json.loads(line) for line in DATASET.read_text().splitlines()]
    assert len(cases) >= 220
    assert sum(not c["spans"] for c in cases) >= 60
    for c in cases:
        for s in c["spans"]:
            assert s["value"] in c["text"], c["id"]


def test_structured_kinds_on_the_labelled_set() -> None:
    recall, precision = _score(STRUCTURED)
    assert recall >= 0.98
    assert precision >= 0.95


def test_addresses_and_names_on_the_labelled_set() -> None:
    # Floors below what the detector reaches today (address 1.00 / 1.00, name 0.88 / 0.98).
    recall, precision = _score(("address",))
    assert recall >= 0.9
    assert precision >= 0.95
    recall, precision = _score(("name",))
    assert recall >= 0.8
    assert precision >= 0.95
