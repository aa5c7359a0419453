"""Phone numbers in the forms people type, checked against real numbering plans.

Two steps. A cheap scan finds runs of digit groups joined the way phone numbers are written —
space, dot, dash, slash, parentheses, "(0)" — maybe after + or 00, maybe before an extension
("x12", "ext. 12", ", extension 27", which joins the span: the number is not whole without
it). Only those runs reach the second step, which
asks libphonenumber's metadata (the `phonenumbers` package) whether the digits can be a number:

    +44 … / 0044 …   the country code exists and the rest fits one of its regions' plans
    0 … (trunk)      9–12 digits that fit the plan of a country whose numbers start with a trunk 0
    3-3-4            the North American shape (area code and exchange start 2–9)
    anything else    only after a phone word ("call me on", "mobile", "móvil", "tlf") and fitting
                     the plan of a country that writes numbers without a trunk 0 (ES, PL, DK, IN …)
    3-4 local        seven digits ("555-0139") only after a phone word among the five before

"Fits" is a plan's general description: one of its possible lengths and the right leading
digits. Full validation (`is_valid_number`) would reject the fictional ranges people use in
examples and tests (555-01xx, 07700 900xxx), and `PhoneNumberMatcher` costs about 0.1 ms a
candidate; a length set and one precompiled pattern per region cost microseconds. What keeps
order numbers, dates, prices, postcodes and tracking numbers out is mostly shape and context: a
reference word before the digits ("order", "tracking", "SKU"), a date-shaped piece, a code
with letters in front ("AA1 01 2345 6784"), a run too long to be one number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

# Where the shop's customers live, and a few more countries they write from. A trunk-0 or
# unprefixed number has no country code, so it is checked against these plans only.
_HOME_REGIONS = (
    "GB IE US CA FR DE ES IT NL BE LU CH AT SE NO DK FI IS PL PT CZ GR AU NZ IN JP SG HK CN KR "
    "PH BR MX AR CL CO ZA NG KE AE IL TR"
).split()

# A candidate: digit groups joined by one separator each. It may not start inside a word, a
# price, a reference ("#"), or right after a digit and a date/decimal/time separator; ":" and
# "." after a letter are fine ("mobile:07700…", "tel.06…"). Possessive quantifiers: a failed
# scan never re-splits digit runs, so the scan stays linear.
_SEP = r"(?:[ .-]?\(0\)[ .-]?|\)[ .-]?|[ ]?[./-][ ]?\(?|[ ]\(?)"
# Word characters are Latin letters and digits: Japanese or Chinese text runs straight into a
# number without a space ("携帯は090-1234-5678です"), and that is no word glued to it.
_L = "0-9A-Za-z_\u00c0-\u024f"
_CANDIDATE = re.compile(
    rf"(?:(?<![{_L}+(])\(?\+ ?|(?<![{_L}+#$€£,/-])(?<!\d[.:])\(?)\d++(?:{_SEP}\d++\)?)*+"
    rf"(?:(?=[xX]\d)|(?![{_L}-]|[.,/:]\d))"
)
# A WhatsApp link holds the number in international form without the +: wa.me/14155550163.
_WA_LINK = re.compile(r"(?<![\w.])(?:wa\.me|api\.whatsapp\.com/send\?phone=)/?(\d{8,15})(?!\d)")
_CUT = re.compile(r" (?=[\d(+])")
_INTERNATIONAL = re.compile(r"\(?\+|00[1-9]")
_MAX_CHUNKS = 6  # "+44 (0) 20 7946 0771" has five space-separated pieces
_MAX_RUN = 20  # more digits than that in one run is a tracking number or a barcode
_NON_DIGIT = re.compile(r"\D")
_GROUPS = re.compile(r"\d+")

# "call me on 912 345 678", "mi móvil es …", "tlf. 20 12 34 56": a phone word among the last
# three words before a number that has no +, no trunk 0 and no 3-3-4 shape.
_CUE_WORDS = frozenset(
    """
    call phone telephone tel tél mob mobile cell cellphone number text ring whatsapp contact reach ph fax
    landline dial sms hp handphone handy natel gsm mobil mobiel portable fixe móvil movil cel celular
    cellulare telefono teléfono telefone telemóvel telemovel telefon tlf puh numero número nummer numer
    llámame llamame llamar llama chiamami chiamare appelle appelez appeler anrufen ruf bel bellen ligue ligar
    soita zadzwoń liga zap wpp whats
    """.split()
)
# "Part number 0123-456-789", "my customer number is 700 123 456", "VAT number GB 123 4567 89":
# digits introduced as a reference are not a phone, whatever their shape.
_REFERENCE_WORDS = frozenset(
    """
    part item code ref reference sku serial model invoice order tracking case lot receipt rma ean upc isbn
    barcode account acct member membership loyalty customer ticket booking confirmation transaction voucher
    coupon policy batch parcel package shipment consignment waybill imei vat tax pin postcode zip iban
    routing passport licence license registration po
    """.split()
)
_NUMBER_WORDS = frozenset("no nr number num # code id ref".split())
_WORD = re.compile(r"[^\W\d_]+|\d+|#")
_COUNTRY_PREFIX = re.compile(r"[A-Z]{2,3}")
# "1Z 999 AA1 01 2345 6784": digits right after a code of letters and digits continue the code.
_CODE_BEFORE = re.compile(r"(?<![\w-])(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{2,} $")
# 14/05/2026, 2026-05-14, 01.06.2026 as a whole piece (not "06.45.23.78.90", a French number).
_DATE = re.compile(r"(?<![\d./-])(?:\d{1,2}([./-])\d{1,2}\1(?:\d{4}|\d{2})|\d{4}([./-])\d{1,2}\2\d{1,2})(?![\d./-])")


# --- numbering plans ---------------------------------------------------------------------------


@cache
def _plan(region: str) -> tuple[frozenset[int], re.Pattern[str]] | None:
    """A region's possible national-number lengths and its general pattern (loaded on first use)."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return None
    desc = metadata.general_desc
    return frozenset(desc.possible_length), re.compile(desc.national_number_pattern or "(?!)")


def _fits(region: str, national: str) -> bool:
    plan = _plan(region)
    return plan is not None and len(national) in plan[0] and plan[1].fullmatch(national) is not None


@cache
def _trunk_regions() -> tuple[str, ...]:
    """Home regions whose national format starts with a trunk 0 (GB, DE, AU …, not ES or DK)."""
    return tuple(r for r in _HOME_REGIONS if (m := PhoneMetadata.metadata_for_region(r)) and m.national_prefix == "0")


def _international_ok(digits: str) -> bool:
    """Digits after + or 00: a country code (ITU codes are prefix-free) and a number that fits."""
    if digits[:1] in ("", "0"):
        return False
    for size in (1, 2, 3):
        regions = COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size]))
        if regions:
            national = digits[size:]
            # "+44 (0)20 …" keeps the trunk 0 that dialling from abroad drops; Italy keeps its 0.
            return any(_fits(r, national) or (national[:1] == "0" and _fits(r, national[1:])) for r in regions)
    return False


def _trunk_ok(digits: str) -> bool:
    return 9 <= len(digits) <= 12 and any(_fits(r, digits[1:]) for r in _trunk_regions())


def _nanp_ok(digits: str, groups: list[int]) -> bool:
    """North American: optional 1, area code and exchange both starting 2–9, grouped 3-3-4 or 3-7."""
    if len(digits) == 11 and digits[0] == "1":
        digits, groups = digits[1:], groups[1:] if groups[0] == 1 else groups
    shaped = groups in ([3, 3, 4], [3, 7], [10], [11])
    return len(digits) == 10 and shaped and digits[0] in "23456789" and digits[3] in "23456789"


def _unprefixed_ok(digits: str) -> bool:
    return 8 <= len(digits) <= 11 and any(_fits(r, digits) for r in _HOME_REGIONS)


# --- one window of a candidate -----------------------------------------------------------------


_SURE, _CUED = "sure", "cued"  # a phone by its shape alone, or only after a phone word


def _number_kind(window: str) -> str | None:
    """Whether the digits can be a phone number, and whether that needs a phone word before them."""
    digits = _NON_DIGIT.sub("", window)
    if window.lstrip("(").startswith("+"):
        return _SURE if _international_ok(digits) else None
    if digits.startswith("00"):  # dialled from abroad; written solid, "0044…" could be anything
        if not _international_ok(digits[2:]):
            return None
        return _CUED if window.isdigit() else _SURE
    groups = [len(g) for g in _GROUPS.findall(window)]
    if groups[-1] < 2 or _DATE.search(window):
        return None  # "0 12345 67890 5" is a barcode, and no plan ends a number on a lone digit
    if _nanp_ok(digits, groups) or (digits.startswith("0") and _trunk_ok(digits)):
        return _CUED if window.isdigit() else _SURE  # a bare run of digits could be anything
    return _CUED if not digits.startswith("0") and _unprefixed_ok(digits) else None


def _words_before(text: str, start: int) -> list[str]:
    return _WORD.findall(text, max(0, start - 40), start)


def _is_reference(words: list[str]) -> bool:
    """Whether the words end in a reference: "order", "SKU #", "customer number is", "VAT no. GB"."""
    if len(words) > 1 and _COUNTRY_PREFIX.fullmatch(words[-1]) and words[-2].lower() in _NUMBER_WORDS:
        words = words[:-1]
    lowered = [w.lower() for w in words[-3:]]
    if len(lowered) > 1 and lowered[-1] in ("is", "was") and lowered[-2] in _NUMBER_WORDS:
        lowered.pop()
    if len(lowered) > 1 and lowered[-1] in _NUMBER_WORDS:
        lowered.pop()
    return bool(lowered) and lowered[-1] in _REFERENCE_WORDS


def _is_reference_at(text: str, start: int, window: str, words: list[str]) -> bool:
    # "+44 …" and "(555) 203-4412" are written as phones: "on the order (555) 203-4412" is one.
    if window[0] in "+(":
        return False
    return _is_reference(words) or _CODE_BEFORE.search(text, max(0, start - 12), start) is not None


def _is_cued(words: list[str]) -> bool:
    return any(w.lower() in _CUE_WORDS for w in words[-3:])


def _cued_after(text: str, end: int) -> bool:
    """ "4155550147 is my cell": a phone word among the three words after the number."""
    return any(w.lower() in _CUE_WORDS for w in _WORD.findall(text, end, end + 25)[:3])


# --- scanning ----------------------------------------------------------------------------------

_Chunk = tuple[int, int, int]


def _chunks(candidate: str) -> list[_Chunk]:
    """(start, end, digit count) of each space-separated piece of a candidate."""
    starts = [0] + [c.end() for c in _CUT.finditer(candidate)]
    ends = [*(start - 1 for start in starts[1:]), len(candidate)]
    return [(a, b, sum(ch.isdigit() for ch in candidate[a:b])) for a, b in zip(starts, ends, strict=True)]


def _window(candidate: str, chunks: list[_Chunk], i: int, j: int) -> str:
    window = candidate[chunks[i][0] : chunks[j][1]].rstrip(" ./-")
    return window if window.startswith("(") else window.rstrip(")")


def _longest_phone(text: str, m: re.Match[str], chunks: list[_Chunk], i: int) -> tuple[tuple[int, int] | None, int]:
    """The longest phone starting at piece i, and the piece to go on from."""
    start = m.start() + chunks[i][0]
    words: list[str] | None = None  # read only once some window has the digits of a phone
    for j in range(min(len(chunks), i + _MAX_CHUNKS) - 1, i - 1, -1):
        if not 8 <= sum(c[2] for c in chunks[i : j + 1]) <= 17:
            continue  # no phone has fewer or more digits: skip the checks
        window = _window(m.group(), chunks, i, j)
        kind = _number_kind(window)
        if kind is None:
            continue
        words = _words_before(text, start) if words is None else words
        if _is_reference_at(text, start, window, words):
            return None, j + 1  # a number-shaped reference: nothing inside it is a phone either
        if kind == _SURE or _is_cued(words) or _cued_after(text, start + len(window)):
            return (start, start + len(window)), j + 1
    return None, i + 1


def _phones_in(text: str, m: re.Match[str]) -> Iterator[tuple[int, int]]:
    """Leftmost-longest phones among the space-separated pieces: "order 10057 415-555-0132"."""
    chunks, i = _chunks(m.group()), 0
    while i < len(chunks):
        span, i = _longest_phone(text, m, chunks, i)
        if span is not None:
            yield span
        elif i == 1 and _INTERNATIONAL.match(m.group()):
            return  # "+44 61 2345 6789" fits no plan: its tail is not a national number either


def _whatsapp(text: str) -> Iterator[tuple[int, int]]:
    if "wa.me" in text or "whatsapp.com" in text:
        for m in _WA_LINK.finditer(text):
            if _international_ok(m.group(1)):
                yield m.span(1)


# "x204", "ext. 12", "ext 331", ", extension 27", "Durchwahl 12", "poste 4521" right after a number.
_EXTENSION = re.compile(
    r"\s?,?\s?(?:[xX]\.?|(?i:ext|extn|extension|ext\.|Durchwahl|DW|poste|interno|anexo)[.:]?)\s?\d{1,6}(?![\w-])"
)


def _with_extension(text: str, span: tuple[int, int]) -> tuple[int, int]:
    m = _EXTENSION.match(text, span[1])
    return (span[0], m.end()) if m is not None else span


def phone_spans(text: str, blocked: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(start, end) of each phone number in text, outside the blocked ranges (IBAN, card digits),
    with its extension when one follows."""
    for span in _phone_spans(text, blocked):
        yield _with_extension(text, span)


# A seven-digit local number ("call … on 555-0139"): the exchange starts 2–9, then a dash,
# and a phone word among the five words before it; nothing else vouches for so short a number.
_LOCAL = re.compile(r"(?<![\w.,/+#$€£-])[2-9]\d{2}-\d{4}(?![\w-]|[.,]\d)")


def _local_numbers(text: str) -> Iterator[tuple[int, int]]:
    for m in _LOCAL.finditer(text):
        words = _words_before(text, m.start())
        if any(w.lower() in _CUE_WORDS for w in words[-5:]) and not _is_reference(words):
            yield m.span()


def _phone_spans(text: str, blocked: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    yield from _whatsapp(text)
    yield from _local_numbers(text)
    for m in _CANDIDATE.finditer(text):
        if m.end() - m.start() < 8 or any(a <= m.start() and m.end() <= b for a, b in blocked):
            continue  # too short to hold a phone number, or digits of an IBAN / card
        if not m.group().lstrip("(").startswith("+") and sum(ch.isdigit() for ch in m.group()) > _MAX_RUN:
            continue
        yield from (s for s in _phones_in(text, m) if not any(s[0] < b and a < s[1] for a, b in blocked))
