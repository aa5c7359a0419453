"""The shop's own people: full names known to belong to customers, found wherever they appear.

The general name detector (names.py) weighs cues and vocabulary and so misses a name it has no
evidence for ("Okonkwo Adeyemi ordered it"). A shop knows its customers' names; the app reads
them once from its database and passes a `NameGazetteer` in (this module never reads a
database). A listed name is found case-insensitively, on word boundaries, in full ("maya
okonjo", "Maya Okonjo") and not as a part ("Maya" alone is left to names.py). Names of one
word, or of fewer than five letters, are skipped: too many are also words.

Building compiles one alternation, longest name first; a scan is one `finditer`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_MIN_CHARS = 5


def _usable(name: str) -> str | None:
    words = name.split()
    return " ".join(words) if len(words) >= 2 and len("".join(words)) >= _MIN_CHARS else None


@dataclass(frozen=True)
class NameGazetteer:
    """Full names to find as they are written, whatever the case and spacing between the words."""

    names: frozenset[str]
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = sorted(self.names, key=lambda n: (-len(n), n))
        alternation = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in ordered)
        pattern = re.compile(rf"(?<![\w'’-])(?:{alternation})(?![\w'’-])", re.IGNORECASE) if ordered else None
        object.__setattr__(self, "_pattern", pattern)

    @classmethod
    def of(cls, names: Iterable[str]) -> NameGazetteer:
        """From raw full names: blanks and one-word names dropped, inner spaces normalised."""
        return cls(frozenset(n for n in (_usable(raw) for raw in names) if n))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each listed name in text, in order."""
        if self._pattern is not None:
            for m in self._pattern.finditer(text):
                yield m.span()


EMPTY = NameGazetteer(frozenset())
