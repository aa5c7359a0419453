"""PII detection and redaction: keep personal data away from models, logs and traces.

Customers paste emails, phone numbers, card numbers, bank details and addresses into support
chats. None of it helps a model answer "where is my order?", and all of it becomes a liability
once it sits in a prompt, a provider's logs or our own traces. The pattern has three parts:

`find_pii(text)` — spans of personal data, by kind. Structured kinds are matched by shape and
then *validated*, which is what keeps order numbers, prices and dates out:

    card         13–19 digits (grouped by spaces or dashes) that pass the Luhn check
    iban         country + check digits + BBAN, right length for the country, ISO 13616 mod-97
    national_id  US SSN (no 000/666/9xx area, 00 group, 0000 serial) and UK NI number
    phone        +/00 international, trunk-0 national and North American shapes, counted digits
    email        local@domain.tld

Addresses and names have no checksum, so they are matched by context (a house number, a
street suffix, a postcode; a cue like "my name is" or a known first name) and favour precision
over recall. Overlapping matches collapse to one span: structured kinds first, then the longer.

`Vault` — one per conversation. `redact` swaps each value for a stable placeholder
(`<EMAIL_1>`, `<PHONE_2>`), so the model still sees that two mentions are the same number;
`restore` puts the originals back before the answer is shown to its owner. A vault is a plain
dict away from storage (`to_dict` / `from_dict`).

`mask(text)` — for logs and records: `[EMAIL]`, `[CARD]`, nothing recoverable.

Everything is precompiled `re`; no pattern nests unbounded quantifiers (digit runs are matched
possessively), so a hostile message cannot make a scan backtrack catastrophically, and a
one-to-three sentence message is scanned in about a tenth of a millisecond. A message without a
digit skips every numeric detector.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

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


def _card_end(candidate: str) -> int | None:
    """Length of the valid card at the start of candidate, if any (an expiry may trail it)."""
    for form in (candidate, _TRAILING_GROUP.sub("", candidate)):
        digits = _NON_DIGIT.sub("", form)
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
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
_SSN = re.compile(r"(?<![\w-])(?!000|666|9)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])")
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

# A candidate is a run of digit groups joined by one separator (space, dot, dash, "(0)", or a
# parenthesised area code). Possessive quantifiers: a failed scan never re-splits digit runs.
# It may not start after a word character, #, a currency sign, or a date/decimal separator.
_PHONE = re.compile(
    r"(?:(?<![\w+])\+ ?|(?<![\w+#$€£/.:,-])\(?)\d++"
    r"(?:(?:[ .-]?\(0\)[ .-]?|\)[ .-]?|[ .-]\(|[ .-])\d++\)?)*+"
    r"(?![\w-]|[.,/:]\d)"
)
# "call me: 4155550132", "my number is 4155550132": a cue word, at most two words, then the digits.
_PHONE_CUE = re.compile(
    r"(?i:\b(?:call|phone|tel|mob|mobile|cell|number|text|ring|whatsapp|contact|reach|ph|fax)\b(?:\W+\w+){0,2}?\W*)$"
)
_GROUPS = re.compile(r"\d+")


def _nanp_ok(digits: str, groups: list[int]) -> bool:
    """North American: optional 1, area code and exchange both starting 2–9, grouped 3-3-4 or 3-7."""
    if len(digits) == 11 and digits[0] == "1":
        digits, groups = digits[1:], groups[1:] if groups[0] == 1 else groups
    shaped = groups in ([3, 3, 4], [3, 7], [10], [11])
    return len(digits) == 10 and shaped and digits[0] in "23456789" and digits[3] in "23456789"


def _phone_ok(window: str) -> bool:
    digits = _NON_DIGIT.sub("", window)
    if window.startswith("+"):
        return 8 <= len(digits) <= 15 and digits[0] != "0"
    if digits.startswith("00"):
        return 8 <= len(digits) - 2 <= 15 and digits[2] != "0"
    if digits.startswith("0"):
        return 10 <= len(digits) <= 12
    return _nanp_ok(digits, [len(g) for g in _GROUPS.findall(window)])


_CUT = re.compile(r" (?=[\d(+])")
_MAX_CHUNKS = 6  # "+44 (0) 20 7946 0771" has five space-separated pieces
_Chunk = tuple[int, int, int]


def _chunks(candidate: str) -> list[_Chunk]:
    """(start, end, digit count) of each space-separated piece of a candidate."""
    starts = [0] + [c.end() for c in _CUT.finditer(candidate)]
    ends = [*(start - 1 for start in starts[1:]), len(candidate)]
    return [(a, b, sum(ch.isdigit() for ch in candidate[a:b])) for a, b in zip(starts, ends, strict=True)]


# "Part number 0123-456-789", "order 1-800-…": digits introduced as a reference are not a phone.
_REFERENCE_CUE = re.compile(
    r"\b(?:[Pp]art|[Ii]tem|[Cc]ode|[Rr]ef|[Rr]eference|SKU|[Ss]erial|[Mm]odel|[Ii]nvoice|[Oo]rder|[Tt]racking|[Cc]ase"
    r"|[Ll]ot|[Rr]eceipt|RMA|EAN|UPC|ISBN)\b(?:\s*(?:[Nn]o\.?|[Nn]umber|[Cc]ode|#|:))?\s*$"
)


def _phone_at(text: str, start: int, window: str) -> PiiSpan | None:
    window = window if window.startswith("(") else window.rstrip(")")
    if not _phone_ok(window) or _REFERENCE_CUE.search(text, max(0, start - 30), start):
        return None
    # A bare digit run is only a phone when the customer says so: it could be anything.
    if window.isdigit() and not _PHONE_CUE.search(text, max(0, start - 40), start):
        return None
    return _span("phone", text, start, start + len(window))


def _longest_phone(text: str, m: re.Match[str], chunks: list[_Chunk], i: int) -> tuple[PiiSpan | None, int]:
    """The longest phone starting at piece i, and the piece to go on from."""
    start = chunks[i][0]
    for j in range(min(len(chunks), i + _MAX_CHUNKS) - 1, i - 1, -1):
        if not 8 <= sum(c[2] for c in chunks[i : j + 1]) <= 17:
            continue  # no phone has fewer or more digits: skip the checks
        span = _phone_at(text, m.start() + start, m.group()[start : chunks[j][1]])
        if span is not None:
            return span, j + 1
    return None, i + 1


def _phones_in(text: str, m: re.Match[str]) -> Iterator[PiiSpan]:
    """Leftmost-longest phones among the space-separated pieces: "order 10057 415-555-0132"."""
    chunks, i = _chunks(m.group()), 0
    while i < len(chunks):
        span, i = _longest_phone(text, m, chunks, i)
        if span is not None:
            yield span


def _phones(text: str, blocked: list[tuple[int, int]]) -> Iterator[PiiSpan]:
    for m in _PHONE.finditer(text):
        if m.end() - m.start() < 8 or any(a <= m.start() and m.end() <= b for a, b in blocked):
            continue  # too short to hold a phone number, or digits of an IBAN / card
        yield from (s for s in _phones_in(text, m) if not _overlaps(s.start, s.end, blocked))


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

# Common given names across the countries the shop ships to. A capitalised pair whose first
# word is here is taken as a name; words that are also ordinary English (Will, May, Grace…)
# sit in _AMBIGUOUS and count only after a cue.
_FIRST_NAMES = frozenset(
    """
    Aaron Abdul Abigail Adam Adaeze Adebayo Adrian Ahmed Aiden Aiko Aisha Alan Albert Alejandro Alex Alexander
    Alexandra Ali Alice Alicia Alison Amanda Amara Amelia Amina Amir Amit Amy Ana Anders Andrea Andrew Angela
    Anita Anna Anne Anthony Antonio Anya Arjun Arthur Ashley Astrid Ava Ayesha Barbara Beatriz Ben Benjamin
    Beth Betty Bianca Brandon Brian Bruno Camila Carl Carla Carlos Carmen Caroline Catherine Charles Charlie
    Charlotte Chen Chiara Chloe Chloé Chris Christian Christina Christopher Claire Clara Colin Connor Craig
    Daniel Daniela Darius David Deborah Deepak Diana Diego Dmitri Dominic Donald Dorothy Douglas Dylan Edward
    Elena Eleanor Eli Elijah Elizabeth Ella Ellie Emily Emma Emmanuel Eric Erik Ethan Eva Evan Fatima Felix
    Fernando Finn Fiona Francesca Francisco Frank Freya Gabriel Gabriela Gary George Georgia Gerald Grace
    Graham Greg Gregory Hamza Hana Hannah Harry Harvey Hassan Heather Helen Henry Hiroshi Hugo Ian Ibrahim
    Imran Ines Ingrid Isaac Isabel Isabella Isla Ivan Jack Jacob Jake Jamal James Jamie Jane Janet Jason
    Javier Jennifer Jessica Jin Joan Joanna Joe John Jonathan Jorge Jose José Joseph Joshua Juan Julia
    Julian Julie Justin Kai Karen Karim Kate Katherine Kathleen Keith Kelly Kenji Kevin Khalid Kim Kwame
    Kyle Laila Laura Lauren Leah Leila Leilani Leo Liam Lily Linda Lisa Logan Lucas Lucia Lucy Luis Luka
    Maria María Mariam Marie Mark Marta Martin Mary Mateo Matthew Maya Megan Mehmet Mei Mia Michael
    Michelle Miguel Mikael Minh Mohamed Mohammed Muhammad Nadia Naomi Natalia Nathan Nicholas Nicole Nikhil
    Nina Noah Nora Olivia Omar Oscar Pablo Patricia Patrick Paul Paula Peter Philip Pierre Priya Rachel
    Rahul Rajesh Ravi Rebecca Ricardo Richard Robert Rohan Ryan Sakura Samantha Samuel Sandra Sara Sarah
    Scott Sean Sebastian Sergei Shreya Simon Sofia Sophia Sophie Stephen Steven Susan Tanya Thomas Tim
    Timothy Tom Tomás Tyler Valentina Vanessa Victor Victoria Vikram Vivek Wei William Xavier Yasmin Yuki
    Yusuf Zainab Zara Zoe Zoë
    Abby Andy Becky Bob Cathy Chuck Dan Danny Dave Debbie Ed Eddie Greg Jen Jenny Jim Jimmy Jon Kathy Katie
    Ken Liz Maggie Matt Max Meg Mike Mick Molly Nate Nick Pete Rob Ron Sam Sally Steve Sue Ted Tony Vicky
    """.split()
)
_AMBIGUOUS = frozenset("Will May June April August Mark Rose Hope Jordan Austin Summer Sky Dawn Faith Joy".split())
_AMBIGUOUS |= frozenset("Ray Bill Pat Chase Hunter River Jay Sunny Art Dean Page Lane Forest Glen Dale Sage".split())
# Capitalised words that follow a first name without making it a person ("Grace Period"), or
# that show the person's name is the name of a place, product or day ("Victoria Station").
_NOT_SURNAME = frozenset(
    """
    Street St Road Rd Avenue Ave Lane Drive Way Court Place Square Station Airport Park Bridge Market Mall
    Centre Center Hall House Hotel Store Shop School College University Hospital Church Lake River Creek
    Falls Valley Mountain Peak Beach Island County City Day Sale Trail Tent Pack Backpack Jacket Fleece
    Boot Boots Shoe Shoes Bag Stove Edition Collection Series Model
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Period The And Or But If Is Are Was Please Thanks Hi Hello
    """.split()
)

_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['’-][A-ZÀ-ÖØ-Þ]?[^\W\d_]+)*"
_NAME = rf"(?:[A-Z]\.[ ]?){{0,2}}{_NAME_WORD}(?:[ ]{_NAME_WORD}){{0,2}}"  # initials allowed: "J. Alvarez"


def _either_case(phrase: str) -> str:
    """'my name is' → '[Mm]y name is': close to a plain literal in speed, unlike (?i:…)."""
    head, rest = phrase[0], re.escape(phrase[1:]).replace("\\ ", r"\s+")
    return f"[{head.upper()}{head.lower()}]{rest}" if head.isalpha() else re.escape(head) + rest


# Strong cues introduce a name whatever it is; weak ones only a name we know.
_RELATIVES = """husband wife partner son daughter mother father mum mom dad brother sister aunt uncle cousin niece
nephew grandmother grandfather grandma grandpa fiancé fiancée girlfriend boyfriend friend neighbour neighbor colleague
boss""".split()
_STRONG_PHRASES = ["my name is", "my name's", "name:", "account holder:", "account holder", "sender:", "recipient:"]
_STRONG_PHRASES += ["attn:", "signed,", "signed", "regards,", "sincerely,", *(f"my {r}," for r in _RELATIVES)]
_STRONG_PHRASES += [f"my {r}" for r in _RELATIVES]
_WEAK_PHRASES = ["I'm", "I am", "this is", "it's", "thanks,", "cheers,", "best,"]
_STRONG_CUE = r"\b(?:" + "|".join(map(_either_case, _STRONG_PHRASES)) + r")\s+"
_WEAK_CUE = r"\b(?:" + "|".join(map(_either_case, _WEAK_PHRASES)) + r")\s+"
_TITLE = r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ ]"
_CUED_NAME = re.compile(rf"(?:(?P<strong>{_STRONG_CUE}|{_TITLE})|{_WEAK_CUE})(?P<name>{_NAME})")
# A lookahead, so that "Hi Maya Okafor" is tried at "Maya" too, not only at "Hi".
_NAME_PAIR = re.compile(rf"(?<![\w'’-])(?=(?P<first>{_NAME_WORD})[ ](?P<last>{_NAME_WORD}))")
_FOLLOWING = re.compile(rf"(?:[ ]{_NAME_WORD}){{1,2}}")


def _trim_name(name: str, strong: bool) -> str | None:
    """Drop trailing words that are not surnames; a weak cue also needs a known first name."""
    words = name.split(" ")
    while len(words) > 1 and words[-1] in _NOT_SURNAME:
        words.pop()
    if words[0] in _NOT_SURNAME or (not strong and words[0] not in _FIRST_NAMES):
        return None
    return " ".join(words)


def _cued_names(text: str) -> Iterator[PiiSpan]:
    for m in _CUED_NAME.finditer(text):
        name = _trim_name(m.group("name"), m.group("strong") is not None)
        if name:
            yield _span("name", text, m.start("name"), m.start("name") + len(name))


def _paired_names(text: str) -> Iterator[PiiSpan]:
    for m in _NAME_PAIR.finditer(text):
        first, last = m.group("first"), m.group("last")
        if first not in _FIRST_NAMES or first in _AMBIGUOUS or last in _NOT_SURNAME or last.isupper():
            continue
        following = _FOLLOWING.match(text, m.end("last"))
        if following and _NOT_SURNAME.intersection(following.group().split()):
            continue  # "Martin Luther King Day", "the Emma Watson Jacket"
        yield _span("name", text, m.start(), m.end("last"))


def _names(text: str) -> Iterator[PiiSpan]:
    yield from _cued_names(text)
    yield from _paired_names(text)


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
