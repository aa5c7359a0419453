"""Text hidden in a message: base64 blobs and invisible Unicode tag characters, decoded.

An attacker can hide "ignore your instructions" where no rule reads it: base64 ("aWdub3Jl…")
or Unicode tag characters (U+E0000–U+E007F, "ASCII smuggling": invisible copies of ASCII that
a model still reads). The scanner decodes both and scans what comes out like the message.
"""

from __future__ import annotations

import base64
import binascii
import re

TAG_RUN = re.compile("[\U000e0000-\U000e007f]+")  # "ASCII smuggling": invisible copies of ASCII
_B64 = re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}")


def decoded_payloads(text: str) -> list[str]:
    """Text hidden in base64 blobs or Unicode tag characters: it is scanned like the message."""
    found = [_decode_b64(m.group()) for m in _B64.finditer(text) if _looks_encoded(m.group())]
    found += ["".join(chr(ord(c) - 0xE0000) for c in m.group()) for m in TAG_RUN.finditer(text)]
    return [t for t in found if t]


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
    printable = sum(c.isprintable() or c.isspace() for c in decoded)
    return decoded if len(decoded) >= 8 and printable / len(decoded) > 0.95 and " " in decoded else ""
