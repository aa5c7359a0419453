"""Watching a streamed answer for something that must never be shown.

A check on the finished answer comes too late when the answer streams: the customer has read
it. A check on each chunk misses a string split across two chunks. Holding back a fixed number
of characters (one less than the longest forbidden string) catches the split string, but delays
every answer's first words by that many characters, however innocent they are.

So the watch holds text only while a forbidden string may actually be starting. It reads the
answer character by character through an Aho–Corasick automaton of the forbidden strings
(`WatchedStrings`), in a folded form (`Fold`: case, invisible characters, separators — whatever
the watch ignores), and at each chunk holds back just the raw text that produced the automaton's
current state: the longest end of the text so far that is a prefix of some forbidden string.

    held back = the raw characters behind the longest folded suffix that starts a forbidden string
    on a hit: nothing more goes out, not even what was held back
    work per character O(1) amortised; the held text is at most `cap` raw characters

Held text is released only once it can no longer complete a forbidden string (the next
character breaks the match), never on a timer: a prefix let out because it waited "long
enough" would be the start of the secret. `cap` bounds the raw text one match may span (a
forbidden string spread out with separators): past it, the oldest characters are given up as
the start of a match, just as a look-back window forgets them.

A small automaton of our own rather than `pyahocorasick`: that one reports the words found, not
how long the match in progress is, and that length is what decides what may go out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

Fold = Callable[[str], str]  # one raw character -> what the watch reads of it ("" to skip it)


def casefold(char: str) -> str:
    return char.casefold()


@dataclass
class WatchedStrings:
    """An Aho–Corasick automaton over folded forbidden strings.

    State 0 is the empty prefix; a state is a prefix of some word, `depth` its length, `fail` the
    state of its longest proper suffix that is also a prefix, `found` the word that ends there or
    at a suffix of it (None if none does)."""

    edges: list[dict[str, int]] = field(default_factory=lambda: [{}])
    fail: list[int] = field(default_factory=lambda: [0])
    depth: list[int] = field(default_factory=lambda: [0])
    found: list[str | None] = field(default_factory=lambda: [None])

    @classmethod
    def of(cls, words: Iterable[str]) -> WatchedStrings:
        automaton = cls()
        for word in words:
            if word:
                automaton._add(word)
        automaton._link()
        return automaton

    def step(self, state: int, char: str) -> int:
        """The state after reading `char` in `state` (the failure links followed as needed)."""
        while char not in self.edges[state] and state:
            state = self.fail[state]
        return self.edges[state].get(char, 0)

    def _add(self, word: str) -> None:
        state = 0
        for char in word:
            if char not in self.edges[state]:
                self.edges[state][char] = len(self.edges)
                self.edges.append({})
                self.fail.append(0)
                self.depth.append(self.depth[state] + 1)
                self.found.append(None)
            state = self.edges[state][char]
        self.found[state] = word

    def _link(self) -> None:
        # Breadth first, so a state's failure target (shallower) is linked before the state is.
        queue = list(self.edges[0].values())
        for state in queue:
            for char, child in self.edges[state].items():
                target = self.step(self.fail[state], char) if state else 0
                self.fail[child] = target
                self.found[child] = self.found[child] or self.found[target]
                queue.append(child)


class StreamWatch:
    """Feeds an answer through; lets out what can no longer be part of a forbidden string.

    `cap` (raw characters one match may span) defaults to the longest word: enough when `fold`
    drops no character; a fold that skips separators needs room for them."""

    def __init__(self, watched: WatchedStrings, fold: Fold = casefold, cap: int | None = None) -> None:
        self._watched = watched
        self._fold = fold
        self._cap = cap if cap is not None else max(watched.depth)
        self._state = 0
        self._held: list[tuple[str, int]] = []  # held raw characters, each with its folded length
        self.hit: str | None = None

    def feed(self, text: str) -> str:
        """The part of the text that is now safe to show."""
        if self.hit:
            return ""
        for char in text:
            folded = self._fold(char)
            self._held.append((char, len(folded)))
            for piece in folded:  # a character may fold to several ("ﬀ" -> "ff"): a word may end inside it
                self._state = self._watched.step(self._state, piece)
                self.hit = self._watched.found[self._state]
                if self.hit:
                    self._held = []
                    return ""
        return self._release()

    def flush(self) -> str:
        """The held-back end, at the end of the answer — unless there was a hit: it may hold its start."""
        shown = "" if self.hit else "".join(char for char, _ in self._held)
        self._held, self._state = [], 0
        return shown

    @property
    def held(self) -> int:
        """How many raw characters are held back now."""
        return len(self._held)

    def _release(self) -> str:
        """Lets out the held characters in front of the match in progress (and, past `cap`, the
        oldest characters of that match: its state falls back to its longest shorter prefix)."""
        start = self._match_start()
        while len(self._held) - start > self._cap and self._state:
            self._state = self._watched.fail[self._state]
            start = self._match_start()
        shown = "".join(char for char, _ in self._held[:start])
        del self._held[:start]
        return shown

    def _match_start(self) -> int:
        """Index of the first held character the current state's prefix was read from."""
        needed, index = self._watched.depth[self._state], len(self._held)
        while needed > 0:
            index -= 1
            needed -= self._held[index][1]
        return index
