"""PII detection: every span of personal data in a message, by kind, overlaps resolved.

`find_pii(text)` finds spans of personal data. Structured kinds are matched by shape and then
*validated*, which is what keeps order numbers, prices and dates out:

    card            12–19 digits (bare, or grouped 4-4-4(-4…), 4-4-5, Amex 4-6-5, Diners 4-6-4) that
                    pass the Luhn check; 15 digits only for Amex (34/37) and Maestro, 12 only for
                    Maestro (IIN 50, 56–69), 13 for Visa (4) and Maestro
    iban            country + check digits + BBAN, right length for the country, ISO 13616 mod-97
    national_id     US SSN, UK NI, Brazilian CPF by shape; a score of other countries' IDs after
                    their name, with their check digits (ids.py)
    phone           +/00 international, trunk-0 national, North American and cued national
                    forms, checked against libphonenumber's numbering plans (phones.py)
    email           local@domain.tld, and "name at example dot com" / "name(at)example(dot)com"
    ip_address      IPv4 and IPv6, validated by `ipaddress`, not version numbers (network.py)
    driver_licence  after "driver's licence", "DL", "Führerschein" … (documents.py)
    passport        after "passport", "passeport", "Reisepass" … (documents.py)

Addresses (addresses.py) and names (names.py, and the shop's own customers' names when the
caller passes them in: gazetteer.py) have no checksum, so they are matched by context
and favour precision over recall. Overlapping matches collapse to one span: structured kinds
first, then the longer.

Everything is precompiled `re`; no pattern nests unbounded quantifiers (digit runs are matched
possessively), so a hostile message cannot make a scan backtrack catastrophically, and a
one-to-three sentence message is scanned in about 0.15 ms. A message without a digit skips every
numeric detector.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, cast

from switchboard.patterns.pii.address_blocks import address_block_spans
from switchboard.patterns.pii.addresses import address_spans
from switchboard.patterns.pii.addresses_world import world_address_spans
from switchboard.patterns.pii.checksums import luhn_ok
from switchboard.patterns.pii.documents import document_spans
from switchboard.patterns.pii.gazetteer import EMPTY, NameGazetteer
from switchboard.patterns.pii.ids import national_id_spans
from switchboard.patterns.pii.names import name_spans
from switchboard.patterns.pii.names_scripts import script_name_spans
from switchboard.patterns.pii.network import ip_spans
from switchboard.patterns.pii.phone_words import spelled_phone_spans
from switchboard.patterns.pii.phones import phone_spans

__all__ = ["KINDS", "STRUCTURED", "Kind", "PiiSpan", "find_pii", "iban_ok", "luhn_ok"]

Kind = Literal[
    "email", "phone", "card", "iban", "national_id", "ip_address", "driver_licence", "passport", "address", "name"
]
KINDS: tuple[Kind, ...] = (
    "email", "phone", "card", "iban", "national_id", "ip_address", "driver_licence", "passport", "address", "name"
)  # fmt: skip
STRUCTURED: frozenset[Kind] = frozenset(
    {"email", "phone", "card", "iban", "national_id", "ip_address", "driver_licence", "passport"}
)


@dataclass(frozen=True)
class PiiSpan:
    kind: Kind
    start: int
    end: int
    text: str


def _span(kind: Kind, text: str, start: int, end: int) -> PiiSpan:
    return PiiSpan(kind, start, end, text[start:end])


def _overlaps(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(start < r_end and r_start < end for r_start, r_end in ranges)


# --- email -------------------------------------------------------------------------------

# The lookbehind makes a match start at the beginning of the local part, never in its middle
# ("o'reilly.sean@…" keeps its apostrophe). The top-level domain is lowercase or uppercase,
# not mixed, so "yuki@example.jpthanks" typed without a space still ends at ".jp" when the
# run-on word is found in the lowercase TLD list below.
_EMAIL = re.compile(
    r"(?<![\w.%+'’-])[\w.%+-][\w.%+'’-]{0,63}+@[A-Za-z0-9-]{1,63}+(?:\.[A-Za-z0-9-]{1,63}+){0,8}\.[A-Za-z]{2,24}(?![\w-])"
)
# "maya at example dot com", "priyanka(at)example(dot)com", "nadia_k AT example DOT org",
# "liam.obrien {at} example {dot} com", "felix dot brandt at example dot com".
_AT = r"(?:\s?[(\[{]at[)\]}]\s?|\s(?:at|AT)\s)"
_DOT = r"(?:\s?[(\[{]dot[)\]}]\s?|\s(?:dot|DOT)\s)"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.%+-])[\w.%+-]{{1,64}}+(?:{_DOT}[\w%+-]{{1,64}}+){{0,2}}{_AT}[A-Za-z0-9-]{{1,63}}+(?:{_DOT}[A-Za-z0-9-]{{1,63}}+){{0,3}}{_DOT}(?P<tld>[A-Za-z]{{2,6}})(?!\w)"
)
# Common top-level domains, and the words people glue to an address when they forget the space
# ("example.jpthanks"): a long TLD such as ".network" is left whole.
_GLUED_WORDS = frozenset("thanks thank thx ty pls please plz and or asap cheers".split())
_TLDS = frozenset(
    "com org net edu gov io co uk de fr es it nl jp cn in au ca us ie ch at se no dk fi pl br mx me info biz app dev "
    "eu sg hk nz za".split()
)


def _email_end(value: str) -> int:
    """Where the address ends: before a word glued to a known top-level domain ("…jpthanks")."""
    head, _, tld = value.rpartition(".")
    for n in (3, 2):
        if tld[:n].lower() in _TLDS and tld[n:].lower() in _GLUED_WORDS:
            return len(head) + 1 + n
    return len(value)


def _emails(text: str) -> Iterator[PiiSpan]:
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield _span("email", text, m.start(), m.start() + _email_end(m.group()))
    lowered = text.lower()
    if " dot " in lowered or "(dot)" in lowered or "[dot]" in lowered or "{dot}" in lowered:
        for m in _SPELLED_EMAIL.finditer(text):
            if m.group("tld").lower() in _TLDS:  # "look at the dot on the map" ends in no domain
                yield _span("email", text, m.start(), m.end())


# --- card (Luhn) -----------------------------------------------------------------------------

# Grouped forms are 4-4-4(-4)(-1..4) with one separator throughout (space, dash or dot), 4-4-5,
# Amex 4-6-5 and Diners 4-6-4; bare runs are 12–19 digits.
# A grouped match may not start or end next to another 4-digit group, which keeps 22-digit
# tracking numbers ("9400 1000 0000 …") from yielding a card-sized slice that happens to pass.
_CARD = re.compile(
    r"(?<![\w+.-])(?<!\d{4}[ .-])"
    r"(?:\d{4}(?:([ .-])\d{4})(?:\1\d{4}){1,2}(?:\1\d{1,4})?"
    r"|\d{4}[ -]\d{4}[ -]\d{5}|\d{4}[ -]\d{6}[ -]\d{4,5}|\d{12,19})"
    r"(?![\w-])(?![ .-]\d{4})(?!\.\d)"
)
_TRAILING_GROUP = re.compile(r"[ .-]\d{1,4}$")
_NON_DIGIT = re.compile(r"\D")


def _maestro(digits: str) -> bool:
    return digits[:2] == "50" or "56" <= digits[:2] <= "69"


def _card_digits_ok(digits: str) -> bool:
    # 15 digits: American Express or Maestro (other 15-digit Luhn numbers are IMEIs, whose
    # type codes start 01, 35, 86, 99); 12 only Maestro; 13 Visa or Maestro.
    if len(digits) == 15 and not (digits[:2] in ("34", "37") or _maestro(digits)):
        return False
    if len(digits) == 12 and not _maestro(digits):
        return False
    if len(digits) == 13 and not (digits[0] == "4" or _maestro(digits)):
        return False
    return 12 <= len(digits) <= 19 and luhn_ok(digits)


def _card_end(candidate: str) -> int | None:
    """Length of the valid card at the start of candidate, if any (an expiry may trail it)."""
    for form in (candidate, _TRAILING_GROUP.sub("", candidate)):
        if _card_digits_ok(_NON_DIGIT.sub("", form)):
            return len(form)
    return None


def _cards(text: str, shapes: list[tuple[int, int]]) -> Iterator[PiiSpan]:
    for m in _CARD.finditer(text):
        if _overlaps(*m.span(), shapes):  # digits inside an IBAN-shaped run
            continue
        shapes.append(m.span())
        length = _card_end(m.group())
        if length is not None:
            yield _span("card", text, m.start(), m.start() + length)


# --- IBAN (ISO 13616 mod-97) ----------------------------------------------------------------

# Lengths per country (SWIFT IBAN registry, common SEPA and near neighbours). Knowing the
# length lets a match stop exactly at the end of the IBAN even when codes or words follow it.
_IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
}  # fmt: skip
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?\b")


def iban_ok(compact: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters → 10..35, mod 97 == 1."""
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _iban_end(candidate: str) -> int | None:
    """Length (in candidate, spaces included) of the valid IBAN it starts with, if any."""
    compact = candidate.replace(" ", "").upper()
    want = _IBAN_LENGTHS.get(compact[:2], len(compact))
    if len(compact) < want or not iban_ok(compact[:want]):
        return None
    seen = 0
    for i, ch in enumerate(candidate):
        seen += ch != " "
        if seen == want:
            return i + 1
    return None


def _ibans(text: str, shapes: list[tuple[int, int]]) -> Iterator[PiiSpan]:
    for m in _IBAN.finditer(text):
        shapes.append(m.span())
        length = _iban_end(m.group())
        if length is not None:
            yield _span("iban", text, m.start(), m.start() + length)


# --- national IDs, IP addresses, licences and passports: their own modules -----------------------


def _national_ids(text: str) -> Iterator[PiiSpan]:
    for start, end in national_id_spans(text):
        yield _span("national_id", text, start, end)


def _documents(text: str) -> Iterator[PiiSpan]:
    for kind, start, end in document_spans(text):
        yield _span(cast(Kind, kind), text, start, end)


# --- phones, addresses and names: their own modules ---------------------------------------------


def _spans(kind: Kind, text: str, pairs: Iterable[tuple[int, int]]) -> Iterator[PiiSpan]:
    for start, end in pairs:
        yield _span(kind, text, start, end)


# --- find_pii ----------------------------------------------------------------------------------

# Structured, validated or cued kinds win any overlap; a phone, found by its shape, loses to a
# number its own name introduces ("passport number, it's 562874109"); a name inside an address
# loses to the address, an address to a phone. Within a tier the longer span wins.
_TIER: dict[Kind, int] = {
    "card": 0, "iban": 0, "national_id": 0, "email": 0, "ip_address": 0, "driver_licence": 0, "passport": 0,
    "phone": 1, "address": 2, "name": 3,
}  # fmt: skip
_DIGIT = re.compile(r"\d")


def _resolve(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Keep spans best-first, skipping any that overlaps one already kept (bisect: no O(n²))."""
    kept: list[PiiSpan] = []
    starts: list[int] = []
    # The same digits found twice: the number its own word names ("licencia X1234567-L") wins
    # over a national ID found by its shape alone.
    for s in sorted(spans, key=lambda s: (_TIER[s.kind], s.start - s.end, s.start, s.kind == "national_id")):
        i = bisect.bisect_left(starts, s.start)
        if (i > 0 and kept[i - 1].end > s.start) or (i < len(kept) and kept[i].start < s.end):
            continue
        kept.insert(i, s)
        starts.insert(i, s.start)
    return kept


def find_pii(text: str, people: NameGazetteer = EMPTY) -> list[PiiSpan]:
    """Every span of personal data in text, non-overlapping, in order.

    `people`: the shop's own customers' full names (gazetteer.py), found wherever they appear."""
    found: list[PiiSpan] = list(_emails(text))
    # Fast path: without a digit there is no card, IBAN, ID, IP, document, phone or address.
    if _DIGIT.search(text):
        shapes: list[tuple[int, int]] = []
        found += _ibans(text, shapes)
        found += _cards(text, shapes)
        found += _national_ids(text)
        found += _documents(text)
        found += _spans("ip_address", text, ip_spans(text))
        # Digits inside an IBAN- or card-shaped run, valid or not, are never a phone number.
        found += _spans("phone", text, phone_spans(text, shapes))
        found += _spans("address", text, address_spans(text))
        found += _spans("address", text, world_address_spans(text))
        found += _spans("address", text, address_block_spans(text))
    found += _spans("phone", text, spelled_phone_spans(text))  # "four one five, five five five …"
    found += _spans("name", text, name_spans(text))
    found += _spans("name", text, script_name_spans(text))
    found += _spans("name", text, people.spans(text))
    return _resolve(found)
