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

    held back = the raw characters behind the longest folded suffix that starts a forbidden string,
                less what `EarlyRelease` let out of it
    on a hit: nothing more goes out, not even what was held back
    work per character O(1) amortised; the held text is at most `cap` raw characters

Held text is released once it can no longer complete a forbidden string (the next character
breaks the match). Waiting for that alone made an answer opening with "I" wait a whole token
(50 ms at 20 tokens/s) whenever a watched name starts with "I". So a hold is also bounded in
time (`EarlyRelease`): once held `after_s` seconds, the opening characters of the match in
progress may go out, but never more than `chars` of one match, and never a whole word:

    shown of any one occurrence of a watched string w  <=  min(chars, first_word(w) - 1)

(folded characters; first_word(w) = the length of w's leading run of letters and digits, so a
string that opens with anything else is never let out early). The budget is per match, not per
hold: a match whose opening was let out keeps being tracked across that boundary, and what is
held of it after goes out only once the match breaks — an attacker dripping a value one
character per tick, each past the bound, still shows at most `chars` of it (within `cap`), and the completed
value is caught as it would be with nothing let out. Why it holds: while an occurrence of w is
in progress its read part is a suffix of the text that begins w, so it lies on the current
state's failure chain (its start is at or after the current match's start, and `opening`, the
least first word over that chain, is at most first_word(w)); every release leaves
shown <= match start + min(chars, opening - 1), and shown only grows. What no hold hides, with
or without the bound: that text was held at all (a reader timing the stream sees a pause).

`cap` bounds the raw text one match may span (a forbidden string spread out with separators):
past it, the oldest characters are given up as the start of a match, just as a look-back window
forgets them.

A small automaton of our own rather than `pyahocorasick`: that one reports the words found, not
how long the match in progress is, and that length is what decides what may go out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

_NO_MATCH = 1 << 30  # the empty prefix's `opening`: no match in progress bounds nothing
Fold = Callable[[str], str]  # one raw character -> what the watch reads of it ("" to skip it)


def casefold(char: str) -> str:
    return char.casefold()


def first_word(word: str) -> int:
    """Length of the word's leading run of letters and digits ("ines okafor" -> 4, "+44" -> 0)."""
    return next((i for i, char in enumerate(word) if not char.isalnum()), len(word))


@dataclass(frozen=True)
class EarlyRelease:
    """A hold's bound in time: after `after_s` seconds held, up to `chars` opening characters of
    the match in progress go out (at most that many of any one match; see the module)."""

    after_s: float = 0.010
    chars: int = 1


@dataclass
class WatchedStrings:
    """An Aho–Corasick automaton over folded forbidden strings.

    State 0 is the empty prefix; a state is a prefix of some word, `depth` its length, `fail` the
    state of its longest proper suffix that is also a prefix, `found` the word that ends there or
    at a suffix of it (None if none does), `opening` the least `first_word` of the words that begin
    with it or with a suffix of it (any occurrence that may be in progress there)."""

    edges: list[dict[str, int]] = field(default_factory=lambda: [{}])
    fail: list[int] = field(default_factory=lambda: [0])
    depth: list[int] = field(default_factory=lambda: [0])
    found: list[str | None] = field(default_factory=lambda: [None])
    opening: list[int] = field(default_factory=lambda: [_NO_MATCH])

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
        state, opening = 0, first_word(word)
        for char in word:
            if char not in self.edges[state]:
                self.edges[state][char] = len(self.edges)
                self.edges.append({})
                self.fail.append(0)
                self.depth.append(self.depth[state] + 1)
                self.found.append(None)
                self.opening.append(opening)
            state = self.edges[state][char]
            self.opening[state] = min(self.opening[state], opening)
        self.found[state] = word

    def _link(self) -> None:
        # Breadth first, so a state's failure target (shallower) is linked before the state is.
        queue = list(self.edges[0].values())
        for state in queue:
            for char, child in self.edges[state].items():
                target = self.step(self.fail[state], char) if state else 0
                self.fail[child] = target
                self.found[child] = self.found[child] or self.found[target]
                self.opening[child] = min(self.opening[child], self.opening[target])
                queue.append(child)


class StreamWatch:
    """Feeds an answer through; lets out what can no longer be part of a forbidden string.

    `cap` (raw characters one match may span) defaults to the longest word: enough when `fold`
    drops no character; a fold that skips separators needs room for them. With `early`, a hold
    is bounded in time (see the module): `due` says when `tick` will let something out, read on
    `clock` (seconds)."""

    def __init__(
        self,
        watched: WatchedStrings,
        fold: Fold = casefold,
        cap: int | None = None,
        early: EarlyRelease | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._watched = watched
        self._fold = fold
        self._cap = cap if cap is not None else max(watched.depth)
        self._early, self._clock = early, clock
        self._state = 0
        self._held: list[tuple[str, int]] = []  # held raw characters, each with its folded length
        self._pending = 0  # folded characters held: the match's first (depth - pending) are out
        self._since: float | None = None  # when what is held now began to wait
        self.hit: str | None = None

    def feed(self, text: str) -> str:
        """The part of the text that is now safe to show."""
        if self.hit:
            return ""
        for char in text:
            folded = self._fold(char)
            self._held.append((char, len(folded)))
            self._pending += len(folded)
            for piece in folded:  # a character may fold to several ("ﬀ" -> "ff"): a word may end inside it
                self._state = self._watched.step(self._state, piece)
                self.hit = self._watched.found[self._state]
                if self.hit:
                    self._held, self._pending, self._since = [], 0, None
                    return ""
        return self._release() + self.tick()

    def flush(self) -> str:
        """The held-back end, at the end of the answer — unless there was a hit: it may hold its start."""
        shown = "" if self.hit else "".join(char for char, _ in self._held)
        self._held, self._state, self._pending, self._since = [], 0, 0, None
        return shown

    @property
    def held(self) -> int:
        """How many raw characters are held back now."""
        return len(self._held)

    def due(self) -> float | None:
        """Seconds until `tick` lets something out (<= 0: now); None when it never will as things
        stand (nothing held, no `early`, or this match's opening already out)."""
        if self._early is None or self._since is None or self._budget() <= 0:
            return None
        return self._since + self._early.after_s - self._clock()

    def tick(self) -> str:
        """What the bound in time lets out now: the opening of the match in progress, within its budget."""
        wait = self.due()
        if wait is None or wait > 0:
            return ""
        budget, count = self._budget(), 0
        while count < len(self._held) and self._held[count][1] <= budget:
            budget -= self._held[count][1]
            count += 1
        if not count:  # its first character folds to more than the budget ("ﬀ"): it waits for the match to break
            self._since = None
            return ""
        return self._let_out(count)

    def _budget(self) -> int:
        """Folded characters of the match in progress that may still go out early."""
        assert self._early is not None
        state = self._state
        allowed = min(self._early.chars, self._watched.opening[state] - 1)
        return allowed - max(self._watched.depth[state] - self._pending, 0)

    def _release(self) -> str:
        """Lets out the held characters in front of the match in progress (and, past `cap`, the
        oldest characters of that match: its state falls back to its longest shorter prefix)."""
        start = self._match_start()
        while len(self._held) - start > self._cap and self._state:
            self._state = self._watched.fail[self._state]
            start = self._match_start()
        return self._let_out(start)

    def _let_out(self, count: int) -> str:
        """The first `count` held characters go out; what stays waits from now on (or from when it
        first began to wait, if nothing went out)."""
        shown = "".join(char for char, _ in self._held[:count])
        self._pending -= sum(folded for _, folded in self._held[:count])
        del self._held[:count]
        if not self._held:
            self._since = None
        elif count or self._since is None:
            self._since = self._clock()
        return shown

    def _match_start(self) -> int:
        """Index of the first held character the current state's prefix was read from (0 when
        its opening is already out)."""
        needed, index = min(self._watched.depth[self._state], self._pending), len(self._held)
        while needed > 0:
            index -= 1
            needed -= self._held[index][1]
        return index
