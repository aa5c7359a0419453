"""National ID numbers: US SSN and UK NI by shape, the rest by the word that names them.

Found by shape alone, wherever they appear:

    US SSN       3-2-4 with one separator twice; the SSA never issues area 000, 666 or 9xx,
                 group 00 or serial 0000. Not after a reference word ("part number 300-12-4455")
    UK NI        two prefix letters (first not D F I Q U V, second not D F I O Q U V, a few
                 pairs reserved), six digits, suffix A–D
    Brazil CPF   written 000.000.000-00, both mod-11 check digits right
    Spain DNI    8 digits and the letter their mod-23 table gives; NIE X/Y/Z + 7 digits + letter
    Singapore    NRIC/FIN S/T/F/G + 7 digits + the mod-11 check letter
    China RIC    18 characters with a birth date and the ISO 7064 MOD 11-2 check character
    Italy CF     codice fiscale: 6 letters, year, month letter (A B C D E H L M P R S T), day,
                 a place code and a check letter; the shape alone is rare enough outside it

Found after their name (cued.py), in the shapes people type them, with the check digit where the
scheme has one that every issued number passes:

    Canada SIN (Luhn) · India Aadhaar (12 digits, first 2–9) and PAN (AAAAA9999A; the holder-type
    letter is not checked: "ABCDE1234F" is the example everyone types) · Spain DNI/NIE (letter =
    number mod 23) · Brazil CPF (mod 11) · Netherlands BSN (elfproef) · Australia TFN (weighted
    mod 11) · UK NI (any prefix, after "NI number": HMRC's own examples use QQ; "NI" alone) · US
    SSN solid (9 digits) · Germany Steuer-ID · France NIR · Italy codice fiscale ·
    Sweden/Norway/Finland personnummer · Poland PESEL · Ireland PPSN · Japan My Number ·
    Hong Kong HKID · Mexico CURP · Denmark CPR · Chile RUT · China RIC without its check · South Africa
    ID (13 digits, Luhn) · Korea RRN (YYMMDD-Sxxxxxx, a real date, S 1–8) · Singapore NRIC
    without its check letter · "national ID", "ID number": any of the shapes above, or 6–12 digits
    with at most two letters around them

Aadhaar carries a Verhoeff check digit, but numbers typed as examples often do not, so after the
word "Aadhaar" the shape is enough; without the word, a 4-4-4 group of digits is an Aadhaar number
only if it passes Verhoeff and is no Luhn-valid card number (a 12-digit Maestro card).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from switchboard.patterns.pii.checksums import china_ric_ok, cpf_ok, dni_ok, luhn_ok, mod11_ok, nric_ok, verhoeff_ok
from switchboard.patterns.pii.cued import CuedFormat, CueTable, compact

# --- by shape ------------------------------------------------------------------------------------

# Not a slice of a longer run of digit groups ("044 55 1234 5678" is a phone).
_SSN = re.compile(r"(?<![\w-])(?<!\d )(?!000|666|9)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-]| \d)")
_NINO = re.compile(r"\b([A-Za-z]{2}) ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]\b")
_NINO_FIRST_BAD = frozenset("DFIQUV")
_NINO_SECOND_BAD = frozenset("DFIOQUV")
_NINO_PREFIX_BAD = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
_CPF_DOTTED = re.compile(r"(?<![\w.-])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\w.-])")
_DNI = re.compile(r"(?<![\w-])(?:\d{8}-?[A-Z]|[XYZ]-?\d{7}-?[A-Z])(?![\w-])")
_NRIC = re.compile(r"(?<![\w-])[STFG]\d{7}[A-Z](?![\w-])")
# Chinese resident ID: region, a birth date 19xx/20xx, sequence, check digit (or X).
_CHINA_RIC_SHAPE = r"[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
_CHINA_RIC = re.compile(rf"(?<![\w-]){_CHINA_RIC_SHAPE}(?![\w-])")
_CODICE_FISCALE = re.compile(r"(?<![\w-])[A-Z]{6}\d{2}[ABCDEHLMPRST]\d{2}[A-Z]\d{3}[A-Z](?![\w-])")
_AADHAAR_GROUPED = re.compile(r"(?<![\w-])(?<!\d )[2-9]\d{3} \d{4} \d{4}(?![\w-]| \d)")
# "part number 300-12-4455", "order 123-45-6789": digits introduced as a reference.
_REFERENCE = re.compile(
    r"(?i:\b(?:part|item|order|sku|model|serial|ref|reference|invoice|tracking|ticket|case|lot|code)"
    r"(?:\s+(?:number|no\.?|nr\.?|#))?\s*[:#]?\s*)$"
)


def _nino_ok(match: str, prefix: str) -> bool:
    # Lowercase is accepted only written solid ("pe612345c"): spaced, "at 12 34 56 a" is prose.
    if not match.isupper() and " " in match:
        return False
    prefix = prefix.upper()
    return prefix[0] not in _NINO_FIRST_BAD and prefix[1] not in _NINO_SECOND_BAD and prefix not in _NINO_PREFIX_BAD


def _is_reference(text: str, start: int) -> bool:
    return _REFERENCE.search(text, max(0, start - 30), start) is not None


def _shaped(text: str) -> Iterator[tuple[int, int]]:
    for m in _SSN.finditer(text):
        if not _is_reference(text, m.start()):
            yield m.span()
    for m in _NINO.finditer(text):
        if _nino_ok(m.group(), m.group(1)):
            yield m.span()
    for m in _CPF_DOTTED.finditer(text):
        if cpf_ok(compact(m.group())):
            yield m.span()
    for pattern, check in ((_DNI, dni_ok), (_NRIC, nric_ok), (_CHINA_RIC, china_ric_ok)):
        for m in pattern.finditer(text):
            if check(compact(m.group())) and not _is_reference(text, m.start()):
                yield m.span()
    yield from (m.span() for m in _CODICE_FISCALE.finditer(text))
    for m in _AADHAAR_GROUPED.finditer(text):
        digits = compact(m.group())
        if verhoeff_ok(digits) and not luhn_ok(digits):
            yield m.span()


# --- by cue ----------------------------------------------------------------------------------------


def _shape(pattern: str) -> re.Pattern[str]:
    """A number's shape, ending where the number does (not inside a longer code)."""
    return re.compile(rf"(?:{pattern})(?![\w-]|[.,]\w)")


def _ssn_solid(digits: str) -> bool:
    return digits[:3] not in ("000", "666") and digits[0] != "9" and digits[3:5] != "00" and digits[5:] != "0000"


def _rrn_ok(digits: str) -> bool:
    """Korean RRN: a birth date YYMMDD, then a sex/century digit 1–8."""
    return 1 <= int(digits[2:4]) <= 12 and 1 <= int(digits[4:6]) <= 31 and digits[6] in "12345678"


_SE_PERSONNUMMER = r"(?:19|20)?\d{6}[-+A]?\d{3}[\dA-Z]"
_ID = "national_id"
_CUED = (
    CuedFormat(_ID, (r"social insurance(?: number)?", r"num[ée]ro d'assurance sociale", "sin", "nas"),
               (_shape(r"\d{3}([ -]?)\d{3}\1\d{3}"),), luhn_ok),
    CuedFormat(_ID, ("aadhaar", "aadhar", "adhaar", "aadhaar card", "uidai", "uid"),
               (_shape(r"[2-9]\d{3}([ -]?)\d{4}\1\d{4}"),)),
    CuedFormat(_ID, ("permanent account number", "pan card", "pan"), (_shape(r"[A-Z]{5}\d{4}[A-Z]"),)),
    CuedFormat(_ID, ("documento nacional de identidad", "dni", "nie", "nif"),
               (_shape(r"\d{8}[ -]?[A-Za-z]|[XYZxyz][ -]?\d{7}[ -]?[A-Za-z]"),), dni_ok),
    CuedFormat(_ID, ("cpf",), (_shape(r"\d{3}\.?\d{3}\.?\d{3}[-.]?\d{2}"),), cpf_ok),
    CuedFormat(_ID, ("burgerservicenummer", "sofinummer", "bsn"),
               (_shape(r"\d{4}\.?\d{2}\.?\d{3}|\d{3} \d{3} \d{3}"),),
               lambda d: mod11_ok(d, (9, 8, 7, 6, 5, 4, 3, 2, -1))),
    CuedFormat(_ID, ("tax file number", "tfn"), (_shape(r"\d{3}([ -]?)\d{3}\1\d{3}"),),
               lambda d: mod11_ok(d, (1, 4, 3, 7, 5, 8, 6, 9, 10))),
    CuedFormat(_ID, ("national insurance(?: number| no)?", "ni number", "ni no", "nino", "nin", "ni"),
               (_shape(r"[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]"),)),
    CuedFormat(_ID, ("social security(?: number| no)?", "ssn", "ss#"), (_shape(r"\d{9}"),), _ssn_solid),
    CuedFormat(_ID, ("steuer-?identifikationsnummer", "steuer-?id", "steuernummer", "idnr"),
               (_shape(r"\d{2} ?\d{3} ?\d{3} ?\d{3}"),)),
    CuedFormat(_ID, (r"num[ée]ro de s[ée]cu(?:rit[ée] sociale)?", r"s[ée]curit[ée] sociale", r"s[ée]cu", "nir",
                     "insee"),
               (_shape(r"[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3}(?: ?\d{2})?"),)),
    CuedFormat(_ID, ("codice fiscale", "c\\.f\\.", "cf"),
               (_shape(r"[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z]\d{3}[A-Za-z]"),)),
    CuedFormat(_ID, ("personnummer", "personnr", "fødselsnummer", "fodselsnummer", "henkilötunnus", "hetu"),
               (_shape(_SE_PERSONNUMMER),)),
    CuedFormat(_ID, ("resident registration number", "rrn", "주민등록번호", "주민번호"),
               (_shape(r"\d{6}-?\d{7}"),), _rrn_ok),
    CuedFormat(_ID, ("nric", "fin", "nric/fin"), (_shape(r"[STFGM]\d{7}[A-Z]"),)),
    CuedFormat(_ID, ("cpr", "cpr-nummer", "cpr-nr", "cpr number"), (_shape(r"\d{6}-?\d{4}"),)),
    CuedFormat(_ID, ("rut", "rol único tributario"), (_shape(r"\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK]"),)),
    CuedFormat(_ID, ("身份证(?:号码?)?", "身分證(?:號碼?)?", "公民身份号码", "resident identity card",
                     "chinese id(?: card)?", "ric"), (_shape(_CHINA_RIC_SHAPE),)),
    CuedFormat(_ID, ("south african id(?: number)?", "sa id(?: number)?", "rsa id"), (_shape(r"\d{13}"),), luhn_ok),
    CuedFormat(_ID, ("national id(?:entity)?(?: card)?(?: number| no)?", "id number", "identity number",
                     "identity card(?: number)?", "id card(?: number)?", "citizen id"),
               (_shape(r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]|[A-Z]{0,2}-?\d{6,12}+(?:-?\d{1,7})?-?[A-Z]{0,2}"),),
               lambda v: sum(ch.isdigit() for ch in v) >= 6),
    CuedFormat(_ID, ("pesel",), (_shape(r"\d{11}"),)),
    CuedFormat(_ID, ("pps(?:n| number| no)?", "personal public service number"),
               (_shape(r"\d{7}[A-Wa-w][A-Ia-iWw]?"),)),
    CuedFormat(_ID, ("my ?number", "マイナンバー", "個人番号"), (_shape(r"\d{4}([ -]?)\d{4}\1\d{4}"),)),
    CuedFormat(_ID, ("hkid", "hong kong id(?: card)?"), (re.compile(r"[A-Z]{1,2}\d{6} ?(?:\([0-9A]\)|[0-9A])(?!\w)"),)),
    CuedFormat(_ID, ("curp",), (_shape(r"[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z\d]\d"),)),
)  # fmt: skip
_TABLE = CueTable(_CUED)


def national_id_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each national ID number in text (overlaps are resolved by the caller)."""
    yield from _shaped(text)
    yield from ((start, end) for _, start, end in _TABLE.spans(text))
