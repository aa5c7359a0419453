import pytest

from switchboard.patterns.pii.address_blocks import address_block_spans
from tests.patterns.pii.support import found


def blocks(text: str) -> list[str]:
    return [text[a:b] for a, b in address_block_spans(text)]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("ship to 233 S Wacker Dr, 44th Floor, Chicago, IL 60606 please",
         "233 S Wacker Dr, 44th Floor, Chicago, IL 60606"),
        ("Rural Route 1, Box 88, Lamoni, IA 50140", "Rural Route 1, Box 88, Lamoni, IA 50140"),
        ("send it to Star Route, Box 9, Wisdom, MT 59761", "Star Route, Box 9, Wisdom, MT 59761"),
        ("9 Station Road, Harrogate, North Yorkshire, HG1 1JU", "9 Station Road, Harrogate, North Yorkshire, HG1 1JU"),
        ("deliver to 58 Kingsway, London WC2B 6AH", "58 Kingsway, London WC2B 6AH"),
        ("The Old Rectory, Mill Road, Ely CB7 4DL", "The Old Rectory, Mill Road, Ely CB7 4DL"),
        ("apt 12, 41 rue Oberkampf, 75011 Paris", "apt 12, 41 rue Oberkampf, 75011 Paris"),
        ("my address is Am Rosenhang 3, 01307 Dresden", "Am Rosenhang 3, 01307 Dresden"),
        ("Goethestraße 9, 60313 Frankfurt am Main", "Goethestraße 9, 60313 Frankfurt am Main"),
        ("Mozartweg 11, 5020 Salzburg, Österreich", "Mozartweg 11, 5020 Salzburg, Österreich"),
        ("88 Jalan Ampang, 50450 Kuala Lumpur", "88 Jalan Ampang, 50450 Kuala Lumpur"),
        ("ship to B-204, Shanti Niketan Society, Andheri East, Mumbai 400069",
         "B-204, Shanti Niketan Society, Andheri East, Mumbai 400069"),
        ("1-9-1 Marunouchi, Chiyoda-ku, Tokyo 100-0005, Japan", "1-9-1 Marunouchi, Chiyoda-ku, Tokyo 100-0005, Japan"),
        ("Maison Sakura 201, 3-14-2 Kichijoji, Musashino-shi, Tokyo 180-0004",
         "Maison Sakura 201, 3-14-2 Kichijoji, Musashino-shi, Tokyo 180-0004"),
        ("new addr 22 maple ct, springfield il 62704", "22 maple ct, springfield il 62704"),
        ("27 Harebell Close\nKendal\nCumbria\nLA9 6HT", "27 Harebell Close\nKendal\nCumbria\nLA9 6HT"),
        ("Per favore spedite a Via dei Coronari 118, 00186 Roma RM", "Via dei Coronari 118, 00186 Roma RM"),
        ("order 10040 — deliver to 12 Seaview Park, Salthill, Galway H91 X2K8",
         "12 Seaview Park, Salthill, Galway H91 X2K8"),
    ],
)  # fmt: skip
def test_a_block_runs_from_its_opener_to_its_postal_tail(text: str, address: str) -> None:
    assert found(text) == [("address", address)]


@pytest.mark.parametrize(
    "text",
    [
        "I bought 2 Tents, 2026 Edition, are they waterproof?",  # a weak tail without a street word
        "Order 10042, Chicago, IL 60606 is where it went",  # a reference word ends the walk
        "order 10042 or 10043, which one shipped",  # lowercase "or" + digits, no street suffix
        "the 3 Peaks Challenge, 2025 Results",
        "we sold 120 Units, 45000 Euros in total",
        "Chicago, IL 60606",  # a tail alone is addresses.py's business, not a block
        "c/o Dana Ruiz is who signs",
    ],
)
def test_no_block_without_an_opener_or_street_evidence(text: str) -> None:
    assert blocks(text) == []


@pytest.mark.parametrize(
    "address",
    [
        "Postfach 12 34, 10115 Berlin",
        "ul. Marszałkowska 10/12, 00-590 Warszawa",  # Polish postcode 2-3
        "Storgatan 1, 111 22 Stockholm",  # Swedish postcode 3 2
        "Rua das Flores 10, 1200-195 Lisboa",  # Portuguese postcode 4-3
        "Karl Johans gate 1, 0154 Oslo",
        "Vesterbrogade 1, 1620 København V",
        "12 Queen Street, Auckland 1010",  # a four-digit postcode after the city
        "Av. Paulista, 1578 - Bela Vista, São Paulo - SP, 01310-200",
        "10 Anson Road, #12-01, Singapore 079903",
        "Flat B, 12/F, 88 Queensway, Admiralty, Hong Kong",  # a country, no postcode
    ],
)
def test_postcodes_and_street_orders_of_more_countries(address: str) -> None:
    assert found(f"please send it to {address}") == [("address", address)]


@pytest.mark.parametrize(
    "text",
    [
        "I'll be in room 1204, floor 12, 14:00 check-in",  # four digits, but no city before them
        "Flight BA 2490, Gate 12, London 0930",
        "Buy 2 Get 1 Free, Spring Sale 2026",  # "Spring" holds no street word
        "team of 5 Guides, Norway",  # the country is the tail, not the street evidence
        "I was in Paris 2019 and loved it",
        "Chapter 3 Part 2, Page 1234",
    ],
)
def test_weak_tails_need_a_street_word_and_an_opener(text: str) -> None:
    assert [k for k, _ in found(text) if k == "address"] == []


def test_a_name_after_c_o_stays_outside_the_block() -> None:
    text = "c/o Dana Ruiz, 4100 Rainier Ave S, Seattle, WA 98118"
    assert blocks(text) == ["4100 Rainier Ave S, Seattle, WA 98118"]


def test_a_hostile_run_of_parts_is_scanned_quickly() -> None:
    text = "Aa, " * 5000 + "IL 60606"
    assert blocks(text) == []
