"""Citation validation while an answer streams (chapter 4).

An answer cites help-centre articles as `[article-id]`. A citation is only honest if that
article was among the passages retrieved for the turn: anything else is an invented source.
`CitationFilter` sits between the model's text chunks and the customer. It holds text back only
while a `[` is open and what follows still looks like an article id (at most `hold_cap`
characters; past that it gives up and passes the text through), and for each complete citation
keeps it if the id is allowed, else replaces it with `REMOVED_MARK` and counts it.

What is not a citation passes untouched: a markdown link `[text](url)` (a `]` followed by `(`),
bracketed prose (`[see below]`: a space is not part of an id), an unclosed `[`. Chunks are
`str`, so a multi-byte character is never split; chunk boundaries may fall anywhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

REMOVED_MARK = "[citation removed]"
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")  # as the record reads citations (app/turns/recorder.py)
_ID_PREFIX = re.compile(r"[a-z0-9._-]*")
HOLD_CAP = 80  # longer than any article id; a `[` open for longer is prose, not a citation


@dataclass(frozen=True)
class AllowedCitations:
    """The article ids an answer may cite: those retrieved in this turn."""

    ids: frozenset[str] = frozenset()

    def with_sources(self, sources: list[str] | tuple[str, ...]) -> AllowedCitations:
        return AllowedCitations(self.ids | frozenset(sources))


@dataclass(frozen=True)
class CitationTally:
    """What one filtered answer cited: kept (`valid`) and removed citations, by id."""

    valid: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass
class CitationFilter:
    """Feed chunks in order, then `flush()`; the text returned is what the customer may see."""

    allowed: AllowedCitations
    hold_cap: int = HOLD_CAP
    _held: str = ""
    _valid: list[str] = field(default_factory=list)
    _removed: list[str] = field(default_factory=list)

    @property
    def tally(self) -> CitationTally:
        return CitationTally(tuple(self._valid), tuple(self._removed))

    def feed(self, chunk: str) -> str:
        """The part of the text so far that is safe to show; the rest stays held."""
        self._held += chunk
        shown, self._held = self._scan(self._held, final=False)
        return shown

    def flush(self) -> str:
        """The end of the answer: a held citation is judged, any other held text let go."""
        shown, _ = self._scan(self._held, final=True)  # nothing is held at the end
        self._held = ""
        return shown

    def _scan(self, text: str, final: bool) -> tuple[str, str]:
        """(shown, held): shown text up to the first `[` that cannot be decided yet."""
        out: list[str] = []
        while (start := text.find("[")) >= 0:
            out.append(text[:start])
            text = text[start:]
            decided = self._decide(text, final)
            if decided is None:
                return "".join(out), text
            shown, used = decided
            out.append(shown)
            text = text[used:]
        out.append(text)
        return "".join(out), ""

    def _decide(self, text: str, final: bool) -> tuple[str, int] | None:
        """For `text` starting with `[`: (what to show, characters used), or None to hold on."""
        inner = _ID_PREFIX.match(text, 1)
        end = inner.end() if inner else 1
        if end == len(text):  # still open, and id-like so far
            return (text, len(text)) if final or len(text) > self.hold_cap else None
        if text[end] != "]" or end == 1 or not ID_PATTERN.fullmatch(text[1:end]):
            return text[:1], 1  # not a citation: let the `[` go, and look on from the next character
        if end + 1 == len(text) and not final:
            return None  # `[id]` so far: a `(` next would make it a link
        if end + 1 < len(text) and text[end + 1] == "(":
            return text[: end + 1], end + 1  # a markdown link's text
        return self._judge(text[1:end]), end + 1

    def _judge(self, article: str) -> str:
        if article in self.allowed.ids:
            self._valid.append(article)
            return f"[{article}]"
        self._removed.append(article)
        return REMOVED_MARK
