import pytest

from tests.patterns.pii.support import found, kinds

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
