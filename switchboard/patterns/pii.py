"""PII detection and redaction: keep personal data away from models, logs and traces.

Customers paste emails, phone numbers, card numbers, bank details and addresses into support
chats. None of it helps a model answer "where is my order?", and all of it becomes a liability
once it sits in a prompt, a provider's logs or our own traces. The pattern has three parts:

`find_pii(text)` — spans of personal data, by kind. Structured kinds are matched by shape and
then *validated*, which is what keeps order numbers, prices and dates out:

    card         13–19 digits (grouped by spaces or dashes) that pass the Luhn check
    iban         country + check digits + BBAN, right length for the country, ISO 13616 mod-97
    national_id  US SSN (no 000/666/9xx area, 00 group, 0000 serial) and UK NI number
    phone        +/00 international, trunk-0 national, North American and cued national forms,
                 checked against libphonenumber's numbering plans (see phones.py)
    email        local@domain.tld

Addresses and names have no checksum, so they are matched by context (a house number, a
street suffix, a postcode; a cue like "my name is", a known given or family name and the words
around it: see names.py) and favour precision over recall. Overlapping matches collapse to one
span: structured kinds first, then the longer.

`Vault` — one per conversation. `redact` swaps each value for a stable placeholder
(`<EMAIL_1>`, `<PHONE_2>`), so the model still sees that two mentions are the same number;
`restore` puts the originals back before the answer is shown to its owner. A vault is a plain
dict away from storage (`to_dict` / `from_dict`).

`mask(text)` — for logs and records: `[EMAIL]`, `[CARD]`, nothing recoverable.

Everything is precompiled `re`; no pattern nests unbounded quantifiers (digit runs are matched
possessively), so a hostile message cannot make a scan backtrack catastrophically, and a
one-to-three sentence message is scanned in about 0.15 ms. A message without a digit skips every
numeric detector.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from switchboard.patterns.names import name_spans
from switchboard.patterns.phones import phone_spans

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


# --- phone -------------------------------------------------------------------------------------
# Candidate scan and numbering-plan checks live in phones.py.


def _phones(text: str, blocked: list[tuple[int, int]]) -> Iterator[PiiSpan]:
    for start, end in phone_spans(text, blocked):
        yield _span("phone", text, start, end)


# --- address -----------------------------------------------------------------------------------

_SUFFIX = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Av|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Close|"
    r"Crescent|Cres|Terrace|Tce|Parkway|Pkwy|Highway|Hwy|Square|Sq|Circle|Cir|Mews|Gardens|Grove|Row|"
    r"Loop|Alley|Plaza|Quay|Wharf|Rise|Vale)"
)
# French order puts the number first and the road type next: 455 rue Saint-Denis.
_ROAD_PREFIX = r"(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Cc]hemin|[Aa]llée|[Pp]lace|[Ii]mpasse|[Qq]uai)"
_PARTICLE = r"(?:de|du|des|la|le)"
_DIR = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?"
_WORD = r"(?:[A-Z][\w'’.-]*|\d{1,3}(?:st|nd|rd|th))"
# House number, maybe after a flat ("Flat 4, 27 …") or as unit/number ("2/14 Smith Street").
_HOUSE = r"(?:(?:Flat|Apt|Apartment|Unit|Suite)\.?\s+\w{1,5},?\s+)?(?:\d{1,4}/)?\d{1,5}[A-Za-z]?(?:-\d{1,5})?"
_STREET = (
    rf"{_HOUSE}\s+(?:"
    rf"(?:{_DIR}\s+)?(?:(?:{_WORD}\s+){{1,4}}?{_SUFFIX}|\d{{1,3}}\s+(?:Ave|Avenue|St|Street))\b\.?(?:\s+{_DIR}(?![\w.]))?"
    rf"|{_ROAD_PREFIX}\s+(?:{_PARTICLE}\s+){{0,2}}{_WORD}(?:\s+{_WORD}){{0,2}}"
    rf"|(?:{_DIR}\s+)?Broadway\b"
    rf"|[NSEW]\s+\d{{1,4}}\s+[NSEW]\b"  # Utah-style grid: 1140 E 900 S
    rf"|[a-z]{{3,}}\s+(?:st|rd|ave|blvd|ln|dr)\b\.?"  # typed in lowercase on a phone
    rf")"
)
_PO_BOX = r"P\.?\s?O\.?\s+Box\s+\d{1,6}"
_UNIT = r"(?:,?\s+(?:Apt|Apartment|Unit|Suite|Ste|Flat|#)\.?\s*[\w-]{1,6})"
_STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|"
    r"NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)"
)
# Canadian postal code: D F I O Q U never appear, and W Z never lead.
_CA_CODE = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"
_CA_POST = rf"(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\s+{_CA_CODE}"
# UK postcode: the inward part's letters never include C I K M O V.
_UK_POST = r"(?:[A-Z]{1,2}\d[A-Z\d]?) ?\d[ABD-HJLNP-UW-Z]{2}"
_AU_POST = r"(?:NSW|VIC|QLD|SA|WA|TAS|ACT|NT)\s+\d{4}"
# Eircode: routing key (letter + 2 digits, or D6W) and a 4-character unique identifier.
_EIRCODE = r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}"
_CITY = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}"
_COUNTRY = r"(?:US|USA|UK|Canada|Ireland|CA)\b"
_TAIL = (
    rf"(?:,\s*{_CITY}(?:,\s*|\s+)(?:{_STATES}\s+\d{{5}}(?:-\d{{4}})?|{_CA_POST}|{_UK_POST}|{_AU_POST})\b"
    rf"|,\s*{_CITY}(?:\s+\d{{1,2}})?,?\s+{_EIRCODE}\b"
    rf"|,?\s+{_UK_POST}\b"
    rf"|,\s*{_CITY},\s*{_COUNTRY}"
    rf"|,\s*\d{{5}}\s+{_CITY})"  # continental order: 75002 Paris
)
_ADDRESS = re.compile(
    rf"(?<![\w/.:-])(?:(?:{_STREET}|{_PO_BOX}){_UNIT}?{_TAIL}?(?:,\s*{_COUNTRY})?"
    rf"|{_CITY},\s*{_STATES}\s+\d{{5}}(?:-\d{{4}})?(?!\w)"
    rf"|{_UK_POST}(?!\w)"
    rf"|{_CA_CODE}(?!\w))"
)


_ABBREVIATED = re.compile(r"\b(?:St|Rd|Ave|Dr|Blvd|Ln)\.$")


def _addresses(text: str) -> Iterator[PiiSpan]:
    for m in _ADDRESS.finditer(text):
        end = m.end()
        # A trailing full stop belongs to the sentence, unless it closes an abbreviation ("St.").
        if m.group().endswith(".") and not _ABBREVIATED.search(m.group()):
            end -= 1
        yield _span("address", text, m.start(), end)


# --- names -------------------------------------------------------------------------------------
# Cues, gazetteers and context live in names.py.


def _names(text: str) -> Iterator[PiiSpan]:
    for start, end in name_spans(text):
        yield _span("name", text, start, end)


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
        found += _phones(text, shapes)
        found += _addresses(text)
    found += _names(text)
    return _resolve(found)


# --- redaction ---------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"<([A-Z]+(?:_[A-Z]+)*_\d+)>")
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def _label(kind: Kind) -> str:
    return kind.upper()


def _identity(kind: Kind, value: str) -> str:
    """What makes two mentions the same value: digits for numbers, case-folded words otherwise."""
    if kind in ("phone", "card", "iban", "national_id"):
        return _NON_ALNUM.sub("", value).upper()
    return " ".join(value.casefold().split())


def _replace(text: str, spans: list[PiiSpan], replacement: list[str]) -> str:
    parts: list[str] = []
    at = 0
    for span, new in zip(spans, replacement, strict=True):
        parts += [text[at : span.start], new]
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


def mask(text: str) -> str:
    """Replace each span with its kind alone (`[EMAIL]`), for logs and stored records."""
    spans = find_pii(text)
    return _replace(text, spans, [f"[{_label(s.kind)}]" for s in spans]) if spans else text


class Vault:
    """Placeholders for one conversation: the same value always gets the same placeholder."""

    def __init__(self) -> None:
        self._by_identity: dict[tuple[Kind, str], str] = {}
        self._originals: dict[str, tuple[Kind, str]] = {}
        self._counts: dict[Kind, int] = {}

    def __len__(self) -> int:
        return len(self._originals)

    def placeholder(self, kind: Kind, value: str) -> str:
        key = (kind, _identity(kind, value))
        existing = self._by_identity.get(key)
        if existing is not None:
            return existing
        self._counts[kind] = self._counts.get(kind, 0) + 1
        token = f"<{_label(kind)}_{self._counts[kind]}>"
        self._by_identity[key] = token
        self._originals[token] = (kind, value)
        return token

    def redact(self, text: str) -> str:
        spans = find_pii(text)
        if not spans:
            return text
        return _replace(text, spans, [self.placeholder(s.kind, s.text) for s in spans])

    def restore(self, text: str) -> str:
        """Put the originals back; a placeholder this vault did not issue is left as it is."""
        if "<" not in text:
            return text
        return _PLACEHOLDER.sub(self._original_for, text)

    def _original_for(self, m: re.Match[str]) -> str:
        entry = self._originals.get(m.group())
        return entry[1] if entry else m.group()

    def to_dict(self) -> dict[str, Any]:
        entries = [{"placeholder": p, "kind": k, "value": v} for p, (k, v) in self._originals.items()]
        return {"version": 1, "entries": entries}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Vault:
        vault = cls()
        for entry in data.get("entries", []):
            if entry["kind"] not in KINDS:
                raise ValueError(f"unknown PII kind in stored vault: {entry['kind']!r}")
            vault._load(cast(Kind, entry["kind"]), str(entry["placeholder"]), str(entry["value"]))
        return vault

    def _load(self, kind: Kind, token: str, value: str) -> None:
        self._by_identity[(kind, _identity(kind, value))] = token
        self._originals[token] = (kind, value)
        number = int(token.rsplit("_", 1)[1].rstrip(">"))
        self._counts[kind] = max(self._counts.get(kind, 0), number)
