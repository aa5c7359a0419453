"""Identifiers found by the word that names them: "passport no. C01X00T47", "SIN 112 148 309".

A passport or licence number, and most national ID numbers, have no shape of their own: nine
digits are a passport in one message and an order number in the next. What tells them apart is
the cue people write right before them. A `CuedFormat` pairs the cue words of one identifier
(any case, several languages) with the shapes its numbers take; `CueTable.spans` finds each
cue, steps over the few filler words people put between cue and number ("number", "is", "no.",
"#", "(japan)", a short phrase ending in a colon; at most four) and tries the shapes right
there. A shape may carry a check (a checksum, or a digit count) that the number must pass.

The cues of every format are one precompiled alternation, so a message without any cue costs a
single scan; shapes are anchored where the filler ends and use possessive quantifiers, so a
hostile message cannot make them backtrack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass


def _always(_: str) -> bool:
    return True


@dataclass(frozen=True)
class CuedFormat:
    """One identifier: its kind, its cue words (regex fragments), its shapes and their check."""

    kind: str
    cues: tuple[str, ...]
    shapes: tuple[re.Pattern[str], ...]
    check: Callable[[str], bool] = _always  # on the value with separators removed


_NON_ALNUM = re.compile(r"[\W_]")
# What may stand between a cue and its number: separators, then a filler word or a short
# parenthesis ("my mynumber (japan) is …").
_SEPARATORS = re.compile(r"[\s:#=,.\-–—/?]*")
_FILLER = re.compile(
    r"(?i:number|numbers|no|nr|num|nummer|numer|numéro|numero|número|n°|nº|is|es|est|ist|it's|its|it’s|was"
    r"|my|mi|mon|ma|mein|meine|mitt|min|il mio|card|book|id|de|du|del|of|here|è|é|är|er|são|jest|on)(?![\w'’])"
    # a country, or its adjective: "mi pasaporte mexicano es …", "passport (uk) …", "nz passport"
    r"|(?:us|uk|nz|eu|u\.s\.|[a-z]{2,12}(?:an|ano|ana|ese|ish|ais|aise|ois|isch|ic))(?![\w'’])"
    r"|\([^()\n]{1,20}\)"
    r"|(?:[^\W\d_]{1,20} ){0,4}[^\W\d_]{1,20}(?=:)"  # "ni number for the payroll discount: QQ …"
)
_MAX_FILLERS = 4


def compact(value: str) -> str:
    """The value without separators: what checks and identities compare."""
    return _NON_ALNUM.sub("", value)


class CueTable:
    """The cues of several formats as one pattern, each named group leading to its format."""

    def __init__(self, formats: Sequence[CuedFormat]) -> None:
        self._formats = list(formats)
        groups = [f"(?P<f{i}>{'|'.join(f.cues)})" for i, f in enumerate(self._formats)]
        self._cues = re.compile(rf"(?i)(?<![\w-])(?:{'|'.join(groups)})(?![\w])")

    def spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(kind, start, end) of every cued identifier in text."""
        for m in self._cues.finditer(text):
            group = m.lastgroup
            if group is not None:
                found = _value_after(text, m.end(), self._formats[int(group[1:])])
                if found is not None:
                    yield found


def _shape_at(text: str, pos: int, fmt: CuedFormat) -> tuple[str, int, int] | None:
    for shape in fmt.shapes:
        m = shape.match(text, pos)
        if m is not None and fmt.check(compact(m.group())):
            return fmt.kind, m.start(), m.end()
    return None


def _value_after(text: str, pos: int, fmt: CuedFormat) -> tuple[str, int, int] | None:
    """The identifier after a cue, past at most a few filler words."""
    for _ in range(_MAX_FILLERS + 1):
        pos = _SEPARATORS.match(text, pos).end()  # type: ignore[union-attr]  # matches the empty string
        found = _shape_at(text, pos, fmt)
        if found is not None:
            return found
        filler = _FILLER.match(text, pos)
        if filler is None:
            return None
        pos = filler.end()
    return None
