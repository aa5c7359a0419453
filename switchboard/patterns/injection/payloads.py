"""Text hidden in a message, decoded: base64, Unicode tags, hex, percent-encoding, binary,
Morse, ROT13 and reversed text.

An attacker can hide "ignore your instructions" where no rule reads it: base64 ("aWdub3Jl…"),
Unicode tag characters (U+E0000–U+E007F, "ASCII smuggling": invisible copies of ASCII that a
model still reads), hex bytes ("69 67 6e…"), URL percent-encoding ("%73%68%6F%77"), 8-bit
binary groups, Morse code, ROT13 or text written backwards. The scanner decodes each and scans
what comes out like the message. A decoding counts only when its result reads as text: at
least 8 characters, nearly all printable, with a space in it.

ROT13 and reversal turn any text into "decoded" text, so those two are tried only when the
message names them ("rot13", "caesar", "backwards", "reversed"; the whole text, each quoted span,
and each word of it reversed in place), and what comes out must hold
at least two common English words; the others are only tried on runs that are already
unmistakably encoded (mixed-case base64, hex bytes, %xx runs, dot-dash runs).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import urllib.parse

TAG_RUN = re.compile("[\U000e0000-\U000e007f]+")  # "ASCII smuggling": invisible copies of ASCII
_B64 = re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}")
_HEX = re.compile(r"\b(?:0x)?[0-9a-fA-F]{2}(?:[\s:,-]?(?:0x)?[0-9a-fA-F]{2}){7,}\b")
_PERCENT = re.compile(r"(?:%[0-9a-fA-F]{2}[^\s%]{0,3}){4,}")
_BINARY = re.compile(r"\b[01]{8}(?:\s+[01]{8}){3,}\b")
_MORSE = re.compile(r"(?:[.\-]{1,7}[ /]+){5,}[.\-]{1,7}")
_ROT13_NAMED = re.compile(r"\b(?:rot-?13|rot 13|caesar|rotate[sd]? (?:each letter |the letters )?by 13)\b", re.I)
_REVERSE_NAMED = re.compile(r"\b(?:backwards?|reversed?|in reverse|right to left|mirror(?:ed)?)\b", re.I)
_QUOTED = re.compile(r"['\"‘“«]([^'\"’”»]{8,})['\"’”»]")
_WORDS = re.compile(r"[a-z]+")
_COMMON = frozenset(
    "the and you your all me my to of in is are show tell give list ignore instructions rules system prompt "
    "refund order orders customer customers with their what do not say print reveal hidden for this that "
    "phone numbers email address skip check policy".split()
)
_MORSE_CODE = dict(
    zip(
        ".- -... -.-. -.. . ..-. --. .... .. .--- -.- .-.. -- -. --- .--. --.- .-. ... - ..- ...- .-- -..- -.-- --.. "
        "----- .---- ..--- ...-- ....- ..... -.... --... ---.. ----.".split(),
        "abcdefghijklmnopqrstuvwxyz0123456789",
        strict=True,
    )
)


def decoded_payloads(text: str) -> list[str]:
    """Text hidden in `text` by any encoding above: it is scanned like the message."""
    found = [_decode_b64(m.group()) for m in _B64.finditer(text) if _looks_encoded(m.group())]
    found += ["".join(chr(ord(c) - 0xE0000) for c in m.group()) for m in TAG_RUN.finditer(text)]
    found += [_readable(_decode_hex(m.group())) for m in _HEX.finditer(text)]
    found += [_readable(urllib.parse.unquote(m.group())) for m in _PERCENT.finditer(text)]
    found += [_readable(_decode_binary(m.group())) for m in _BINARY.finditer(text)]
    found += [_readable(_decode_morse(m.group())) for m in _MORSE.finditer(text)]
    return [t for t in found + _named_transforms(text) if t]


def _named_transforms(text: str) -> list[str]:
    """ROT13 and reversal, tried only when the message names them; kept if English comes out."""
    found = []
    if _ROT13_NAMED.search(text):
        found.append(_english(codecs.encode(text, "rot13")))
    if _REVERSE_NAMED.search(text):
        spans = [m.group(1) for m in _QUOTED.finditer(text)] or [text]
        found += [_english(span[::-1]) for span in spans]
        found += [_english(" ".join(word[::-1] for word in span.split())) for span in spans]
    return found


def _english(decoded: str) -> str:
    # Two common words at least: a transform of ordinary text yields none.
    words = _WORDS.findall(decoded.casefold())
    return decoded if sum(w in _COMMON for w in words) >= 2 else ""


def _looks_encoded(blob: str) -> bool:
    # English words and ids are one case or have no digits; base64 of text mixes all three.
    return any(c.islower() for c in blob) and any(c.isupper() for c in blob)


def _decode_b64(blob: str) -> str:
    blob = blob.rstrip("=")
    altchars = b"-_" if ("-" in blob or "_" in blob) else None
    try:
        raw = base64.b64decode(blob + "=" * (-len(blob) % 4), altchars=altchars, validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return ""
    return _readable(decoded)


def _decode_hex(run: str) -> str:
    digits = re.sub(r"0x|[\s:,-]", "", run)
    try:
        return bytes.fromhex(digits).decode("utf-8")
    except ValueError:
        return ""


def _decode_binary(run: str) -> str:
    return "".join(chr(int(group, 2)) for group in run.split())


def _decode_morse(run: str) -> str:
    words = re.split(r"\s*/\s*|\s{2,}", run.strip())
    return " ".join("".join(_MORSE_CODE.get(letter, "") for letter in word.split()) for word in words)


def _readable(decoded: str) -> str:
    """`decoded` if it reads as text (8+ characters, 95% printable, a space in it), else ""."""
    printable = sum(c.isprintable() or c.isspace() for c in decoded)
    return decoded if len(decoded) >= 8 and printable / len(decoded) > 0.95 and " " in decoded else ""
