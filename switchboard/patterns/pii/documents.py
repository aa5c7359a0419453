"""Driver's-licence and passport numbers, found after the words that name them.

Neither has a shape of its own (a US licence is 7–9 digits or a letter and digits; a passport is
6–9 letters and digits in most countries), so both are found by their cue (cued.py), in several
languages, with the formats of Presidio's recognizers as the reference:

    driver_licence  "driver's license", "driving licence", "DL", "lic", "Führerschein",
                    "permis de conduire", "licencia de conducir", "rijbewijs", "körkort" … then
                    one to five groups of letters and digits joined by a space or dash
                    ("W123-456-78-901-0", "PATEL 802145 RK9XY", "S 123 456 789 012"), a leading
                    group of capitals allowed, maybe a check letter after a dash ("X1234567-L")
    passport        "passport", "passport no", "passeport", "pasaporte", "Reisepass", "Pass-Nr.",
                    "paspoort", "pp no" … then 6–9 capitals and digits ("A12345678", "C01X00T47")

Either number must hold enough digits (passport 3, licence 4) and 6–20 characters, which keeps
"license key", "license plate" and "do I need a passport to …" out: their next word is not a
number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from switchboard.patterns.pii.cued import CuedFormat, CueTable

_END = r"(?![\w-])"
# Groups after the first need a digit each (checked in code); possessive: no backtracking.
_LICENCE_SHAPE = re.compile(rf"(?:[A-Z]{{1,5}}[ -])?[A-Z\d]{{1,16}}+(?:[ -][A-Z\d]{{1,16}}+){{0,4}}(?:-[A-Z])?{_END}")
_GROUP_SPLIT = re.compile(r"[ -]")
_PASSPORT_SHAPE = re.compile(rf"[A-Z\d]{{6,9}}+{_END}")


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _licence_ok(compact_value: str) -> bool:
    return 6 <= len(compact_value) <= 20 and _digits(compact_value) >= 4


def _passport_ok(compact_value: str) -> bool:
    return _digits(compact_value) >= 3


_LICENCE_CUES = (
    r"driver'?s?'? licen[cs]e(?: number| no)?", r"driver’s licen[cs]e", r"drivers? lic", r"driving licen[cs]e",
    r"licen[cs]e(?: number| no| #)?", "dl", "d/l", r"führerschein(?:nummer)?", r"fuhrerschein(?:nummer)?",
    "permis de conduire", "permis", "licencia de conducir", "licencia", "carnet de conducir", "patente(?: di guida)?",
    "rijbewijs(?:nummer)?", "körkort(?:snummer)?", "prawo jazdy", "carta de condução", "lic", "cnh",
    "carteira de motorista", r"carteira de habilita[çc][ãa]o", "运转免許証", "運転免許証", "운전면허(?:증)?",
)  # fmt: skip
_PASSPORT_CUES = (
    "passport(?: number| no)?", "passprot", "pasport", "passeport", "pasaporte", "passaporto", "passaporte",
    "reisepass(?:nummer)?", "pass-?nr", "passnummer", "paspoort(?:nummer)?", "paszport", "pass(?=:)",
    "pass number", "pp no", "pp", "パスポート", "護照", "护照", "여권",
)  # fmt: skip
_TABLE = CueTable(
    (
        CuedFormat("passport", _PASSPORT_CUES, (_PASSPORT_SHAPE,), _passport_ok),
        CuedFormat("driver_licence", _LICENCE_CUES, (_LICENCE_SHAPE,), _licence_ok),
    )
)


def _trim_licence(text: str, start: int, end: int) -> int:
    """Drop trailing groups without a digit ("T3307741 PLEASE"), keeping a lone check letter."""
    groups = _GROUP_SPLIT.split(text[start:end])
    while len(groups) > 1 and not any(ch.isdigit() for ch in groups[-1]):
        if len(groups[-1]) == 1 and text[start:end].endswith("-" + groups[-1]):
            break
        end -= len(groups.pop()) + 1
    return end


# The number first, its name after: "L44018572 is my passport", "LA123456 nz passport". The
# words between are few and short (a verb, a possessive, a country's code).
_BEFORE_CUE = re.compile(
    r"(?<![\w-])([A-Z\d]{6,9}+)(?![\w-]),?\s+(?:(?i:is|was|=|my|the|its|it's|from|on|in|[a-z]{2}|\([a-z]{2,3}\))\s+){0,3}"
    r"(?i:(?P<passport>passport|pasaporte|passeport|reisepass|passaporto)|(?P<driver_licence>driver'?s? licen[cs]e"
    r"|driving licen[cs]e|licen[cs]e|führerschein))(?!\w)"
    r"(?!\s+(?i:wallet|holder|cover|case|pouch|sleeve|bag|organi[sz]er|photo|plate|key))"  # a product
)
# "SKU TX4402 passport wallet": a reference word before the number makes it no document.
_REFERENCE_BEFORE = re.compile(r"(?i:\b(?:sku|item|model|part|order|ref|product|art|style|code)\.?[\s#:-]*)$")


def _before_cue(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _BEFORE_CUE.finditer(text):
        if _REFERENCE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue
        kind = "passport" if m.group("passport") else "driver_licence"
        value = m.group(1)
        if (_passport_ok if kind == "passport" else _licence_ok)(value) and (not value.isdigit() or len(value) >= 8):
            yield kind, m.start(1), m.end(1)


def document_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of each driver's-licence and passport number in text."""
    for kind, start, end in _TABLE.spans(text):
        yield kind, start, _trim_licence(text, start, end) if kind == "driver_licence" else end
    yield from _before_cue(text)
