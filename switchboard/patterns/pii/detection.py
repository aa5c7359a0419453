"""PII detection: every span of personal data in a message, by kind, overlaps resolved.

`find_pii(text)` finds spans of personal data. Structured kinds are matched by shape and then
*validated*, which is what keeps order numbers, prices and dates out:

    card         13–19 digits (grouped by spaces or dashes) that pass the Luhn check
    iban         country + check digits + BBAN, right length for the country, ISO 13616 mod-97
    national_id  US SSN (no 000/666/9xx area, 00 group, 0000 serial) and UK NI number
    phone        +/00 international, trunk-0 national, North American and cued national forms,
                 checked against libphonenumber's numbering plans (phones.py)
    email        local@domain.tld

Addresses (addresses.py) and names (names.py) have no checksum, so they are matched by context
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
from typing import Literal

from switchboard.patterns.pii.addresses import address_spans
from switchboard.patterns.pii.names import name_spans
from switchboard.patterns.pii.phones import phone_spans

Kind = Literal["email", "phone", "card", "iban", "national_id", "address", "name"]
KINDS: tuple[Kind, ...] = ("email", "phone", "card", "iban", "national_id", "address", "name")
STRUCTURED: frozenset[Kind] = frozenset({"email", "phone", "card", "iban", "national_id"})


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

# The lookbehind makes a match start at the beginning of the local part, never in its middle.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")


def _emails(text: str) -> Iterator[PiiSpan]:
    for m in _EMAIL.finditer(text):
        yield _span("email", text, m.start(), m.end())


# --- card (Luhn) -----------------------------------------------------------------------------

# Grouped forms are 4-4-4-4(-1..4), Amex 4-6-5 and Diners 4-6-4; bare runs are 13–19 digits.
# A grouped match may not start or end next to another 4-digit group, which keeps 22-digit
# tracking numbers ("9400 1000 0000 …") from yielding a card-sized slice that happens to pass.
_CARD = re.compile(
    r"(?<![\w-])(?<!\d{4}[ -])"
    r"(?:\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,4})?|\d{4}[ -]\d{6}[ -]\d{4,5}|\d{13,19})"
    r"(?![\w-])(?![ -]\d{4})"
)
_TRAILING_GROUP = re.compile(r"[ -]\d{1,4}$")
_NON_DIGIT = re.compile(r"\D")


def luhn_ok(digits: str) -> bool:
    """The Luhn mod-10 check every payment card number carries in its last digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _card_digits_ok(digits: str) -> bool:
    # Only American Express issues 15-digit cards; other 15-digit Luhn numbers are IMEIs.
    return 13 <= len(digits) <= 19 and (len(digits) != 15 or digits[:2] in ("34", "37")) and luhn_ok(digits)


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


# --- national IDs ----------------------------------------------------------------------------

# SSN: the Social Security Administration never issues area 000, 666 or 9xx, group 00 or
# serial 0000; the separator must be the same twice.
# Not a slice of a longer run of digit groups ("044 55 1234 5678" is a phone).
_SSN = re.compile(r"(?<![\w-])(?<!\d )(?!000|666|9)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-]| \d)")
# NI number: prefix letters checked in code (first not D F I Q U V, second not D F I O Q U V,
# and a few reserved pairs); suffix A–D.
_NINO = re.compile(r"\b([A-Za-z]{2}) ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]\b")
_NINO_FIRST_BAD = frozenset("DFIQUV")
_NINO_SECOND_BAD = frozenset("DFIOQUV")
_NINO_PREFIX_BAD = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


def _nino_ok(match: str, prefix: str) -> bool:
    # Lowercase is accepted only written solid ("pe612345c"): spaced, "at 12 34 56 a" is prose.
    if not match.isupper() and " " in match:
        return False
    prefix = prefix.upper()
    return prefix[0] not in _NINO_FIRST_BAD and prefix[1] not in _NINO_SECOND_BAD and prefix not in _NINO_PREFIX_BAD


def _national_ids(text: str) -> Iterator[PiiSpan]:
    for m in _SSN.finditer(text):
        yield _span("national_id", text, m.start(), m.end())
    for m in _NINO.finditer(text):
        if _nino_ok(m.group(), m.group(1)):
            yield _span("national_id", text, m.start(), m.end())


# --- phones, addresses and names: their own modules ---------------------------------------------


def _spans(kind: Kind, text: str, pairs: Iterable[tuple[int, int]]) -> Iterator[PiiSpan]:
    for start, end in pairs:
        yield _span(kind, text, start, end)


# --- find_pii ----------------------------------------------------------------------------------

# Structured, validated kinds win any overlap (a name inside an address loses to the address,
# an address to a phone); within a tier the longer span wins.
_TIER: dict[Kind, int] = {"card": 0, "iban": 0, "national_id": 0, "email": 0, "phone": 0, "address": 1, "name": 2}
_DIGIT = re.compile(r"\d")


def _resolve(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Keep spans best-first, skipping any that overlaps one already kept (bisect: no O(n²))."""
    kept: list[PiiSpan] = []
    starts: list[int] = []
    for s in sorted(spans, key=lambda s: (_TIER[s.kind], s.start - s.end, s.start)):
        i = bisect.bisect_left(starts, s.start)
        if (i > 0 and kept[i - 1].end > s.start) or (i < len(kept) and kept[i].start < s.end):
            continue
        kept.insert(i, s)
        starts.insert(i, s.start)
    return kept


def find_pii(text: str) -> list[PiiSpan]:
    """Every span of personal data in text, non-overlapping, in order."""
    found: list[PiiSpan] = list(_emails(text)) if "@" in text else []
    # Fast path: without a digit there is no card, IBAN, ID, phone or address to look for.
    if _DIGIT.search(text):
        shapes: list[tuple[int, int]] = []
        found += _ibans(text, shapes)
        found += _cards(text, shapes)
        found += _national_ids(text)
        # Digits inside an IBAN- or card-shaped run, valid or not, are never a phone number.
        found += _spans("phone", text, phone_spans(text, shapes))
        found += _spans("address", text, address_spans(text))
    found += _spans("name", text, name_spans(text))
    return _resolve(found)
