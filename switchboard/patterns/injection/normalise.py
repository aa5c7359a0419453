"""The text the injection scanner reads: trivial obfuscation undone before any rule looks.

NFKC folds full-width and other compatibility forms, casefold removes case, NFKD and dropping
combining marks remove accents, invisible characters are deleted, simple leetspeak ("1gn0re",
Cyrillic look-alikes) is undone in words that are mostly letters, spaced-out letters
("i.g.n.o.r.e", "i g n o r e": four or more single letters one space apart, words then being
further apart) are joined and whitespace is collapsed. The rules, the bank of known attacks
and the classifier all see this form, so "IGNORE", its full-width twin and "ig-nore" with a
zero-width space for the dash are one word.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width, joiners, bidi embeddings/overrides/isolates, soft hyphen, BOM: invisible in a
# browser, but they split "ig\u200bnore" into two tokens for a regex.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_LEET = str.maketrans("013457$@аеорсухіѕј", "oieastsaaeopcyxisj")  # digits and Cyrillic look-alikes
_TOKEN = re.compile(r"[\w$@]+")
_LEETABLE = re.compile(r"[^\W\d_][0-9$@]|[0-9$@][^\W\d_]|[аеорсухіѕј]")
_SPACED = re.compile(r"\b[a-z]{1,4}(?:[.\-_*][a-z]{1,4}){2,}\b")  # i.g.n.o.r.e, dis-re-gard
_LETTERS = re.compile(r"(?<![^\W\d_])[a-z](?: [a-z]){3,}(?![^\W\d_])")  # i g n o r e: single letters, one space
_BLANKS = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def normalise(text: str) -> str:
    """The form every rule and the embedder see: obfuscation undone, case and accents gone."""
    text = strip_invisible(unicodedata.normalize("NFKC", text)).casefold()
    if not text.isascii():  # the fast path matters: this runs on every message
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    if _LEETABLE.search(text):
        text = _TOKEN.sub(_unleet, text)
    text = _SPACED.sub(lambda m: re.sub(r"[.\-_*]", "", m.group()), text)
    text = _LETTERS.sub(lambda m: m.group().replace(" ", ""), text)
    return _NEWLINES.sub("\n", _BLANKS.sub(" ", text)).strip()


def strip_invisible(text: str) -> str:
    """Text without the characters a browser does not show (zero-width, bidi controls, soft hyphens)."""
    return _INVISIBLE.sub("", text)


def _unleet(match: re.Match[str]) -> str:
    # Only words that are mostly letters: order numbers (10057), ids (c1005), prices ($80) stay.
    token = match.group()
    letters = sum(c.isascii() and c.isalpha() for c in token)
    return token.translate(_LEET) if letters >= 2 else token
