"""IP addresses: IPv4 dotted quads and IPv6 in full or compressed form, validated by `ipaddress`.

    IPv4   four decimal parts joined by dots, each 0–255 without a leading zero (the stdlib
           rejects "01"); a port may follow ("203.0.113.7:8443"), it stays outside the span
    IPv6   hex groups joined by colons, "::" compressing zeros, maybe in brackets before a port
           ("[2001:db8::1]:8443"); the stdlib decides whether the groups make an address, which
           keeps times ("14:03:11") and MAC addresses out

A dotted quad is also how software versions are written ("version 1.2.3.4", "v10.0.1.2",
"1.5.7.2 is the firmware"): a candidate is not an address when a "v" is glued to it or a version
word ("version", "build", "release", "firmware", "updating", "patch", "app", "windows" …) comes
among the three words before or after it — unless an address word ("ip", "address", "from",
"src", "host", "ping") comes among the three before, which says what the number is. A private
LAN address (10/8, 172.16/12, 192.168/16, loopback, link-local: "router at 192.168.1.20") names
a device on some home network, not a person, and is left alone; the documentation ranges
(192.0.2.0/24, 2001:db8::/32) are treated as public. Only candidates reach the stdlib, and only
messages holding a dot (IPv4), or "::" or seven colons (IPv6), are scanned at all.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_VERSION_WORDS = frozenset(
    "version versions ver vers build release firmware update updated updating upgrade upgraded upgrading patch "
    "app windows os ios android macos chrome firefox sdk library package driver kernel api oid snmp mib".split()
)
_ADDRESS_WORDS = frozenset("ip ipv4 ipv6 address addr src from host server ping ssh egress".split())
_WORD = re.compile(r"[^\W\d_]+")
_LAN = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


def _personal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address can point at a person's connection (not a LAN, loopback or link-local)."""
    local = address.is_loopback or address.is_link_local or address.is_unspecified
    return not local and not any(address in net for net in _LAN if net.version == address.version)


def _is_version(text: str, start: int, end: int) -> bool:
    """Whether the words around a dotted quad say it is a version number."""
    if start > 0 and text[start - 1] in "vV":
        return True
    before = [w.lower() for w in _WORD.findall(text, max(0, start - 30), start)[-3:]]
    if any(w in _ADDRESS_WORDS for w in before):
        return False
    after = [w.lower() for w in _WORD.findall(text, end, end + 30)[:3]]
    return any(w in _VERSION_WORDS for w in before + after)


def _ipv4(text: str) -> Iterator[tuple[int, int]]:
    for m in _IPV4.finditer(text):
        try:
            address = ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        if _personal(address) and not _is_version(text, m.start(), m.end()):
            yield m.span()


def _ipv6(text: str) -> Iterator[tuple[int, int]]:
    for m in _IPV6.finditer(text):
        if not any(ch.isdigit() or ch in "abcdefABCDEF" for ch in m.group()):
            continue  # "::" alone
        try:
            address = ipaddress.IPv6Address(m.group())
        except ValueError:
            continue
        if _personal(address):
            yield m.span()


def ip_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each IPv4 and IPv6 address in text."""
    if "." in text:
        yield from _ipv4(text)
    if "::" in text or text.count(":") >= 7:
        yield from _ipv6(text)
