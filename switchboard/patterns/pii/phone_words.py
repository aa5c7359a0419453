"""Phone numbers written out in words, so that a filter looking for digits misses them.

"four one five, five five five, oh one seven two", "seven seven zero zero nine zero zero two two
two": a run of digit words ("zero"/"oh"/"o" … "nine", "double five" counting twice) joined by
spaces, commas or dashes. Nobody spells out anything else that long digit by digit, so a run of
7 to 15 digits is taken as a phone number without looking up a numbering plan; a shorter run
("one two three") is a count or a list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_DIGITS = {"zero": 1, "oh": 1, "o": 1, "one": 1, "two": 1, "three": 1, "four": 1, "five": 1, "six": 1}
_DIGITS |= {"seven": 1, "eight": 1, "nine": 1, "double": 0, "triple": 0}
_WORD = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|double|triple)"
_RUN = re.compile(rf"(?i)(?<![\w-]){_WORD}(?:[ ,-]{{1,2}}{_WORD}){{6,24}}(?![\w-])")
_MIN_DIGITS, _MAX_DIGITS = 7, 15


def _digit_count(run: str) -> int:
    words = re.findall(r"[a-z]+", run.lower())
    count = 0
    for i, word in enumerate(words):
        if word in ("double", "triple"):
            count += (1 if word == "double" else 2) if i + 1 < len(words) else 0
        else:
            count += _DIGITS[word]
    return count


def spelled_phone_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each phone number spelled out digit by digit."""
    for m in _RUN.finditer(text):
        if _MIN_DIGITS <= _digit_count(m.group()) <= _MAX_DIGITS and not m.group().lower().startswith("o "):
            yield m.span()
