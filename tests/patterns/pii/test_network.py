import pytest

from tests.patterns.pii.support import found, kinds


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my ip is 203.0.113.9", "203.0.113.9"),
        ("blocked: 8.8.4.4, why", "8.8.4.4"),
        ("callback 198.51.100.2:8080 fails", "198.51.100.2"),
        ("v6 2001:0db8:0000:0000:0000:ff00:0042:8329 here", "2001:0db8:0000:0000:0000:ff00:0042:8329"),
        ("from 2001:db8::ff00:42:8329 today", "2001:db8::ff00:42:8329"),
        ("target [2001:db8::1]:443", "2001:db8::1"),
        ("src=2606:4700::1111", "2606:4700::1111"),
    ],
)
def test_ip_addresses(text: str, value: str) -> None:
    assert found(text) == [("ip_address", value)]


@pytest.mark.parametrize(
    "text",
    [
        "version 1.2.3.4 crashes",
        "v2.10.0.1 is out",
        "after upgrading to 5.4.3.2 nothing loads",
        "3.1.4.1 is the firmware now",
        "256.1.1.1 is not an address",
        "01.02.03.04 is a date-ish thing",
        "meet at 14:03:11",
        "mac 00:1A:2B:3C:4D:5E",
        "router at 192.168.0.1 restarts",
        "localhost 127.0.0.1 and ::1",
        "1.2.3.4.5 looks like nothing",
    ],
)
def test_not_ip_addresses(text: str) -> None:
    assert not [k for k, _ in found(text) if k == "ip_address"]


def test_an_address_word_beats_a_version_word_after() -> None:
    assert found("my ip 203.0.113.5 after the update") == [("ip_address", "203.0.113.5")]


def test_an_oid_after_api_is_no_address() -> None:
    assert "ip_address" not in kinds("api v2 returns 1.3.6.1 in the response header")
