"""A degradation ladder: when the model cannot answer, fall to the best answer that needs less.

Each rung is a way to answer with fewer dependencies than the one above it — for Switchboard:
a cached answer to the same question, then an extractive answer from the knowledge base with
no model at all, then an honest "we're having trouble" that opens a ticket. Rungs are tried in
order; the first that produces text serves, and the turn records which one it was.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

Rung = tuple[str, Callable[[], Awaitable[str | None]]]


@dataclass(frozen=True)
class Served:
    tier: str
    text: str


async def descend(rungs: Sequence[Rung]) -> Served | None:
    for tier, attempt in rungs:
        text = await attempt()
        if text:
            return Served(tier, text)
    return None


class RecentAnswers:
    """The last good answer to each recent question (exact text, case and spacing ignored).

    An LRU of `capacity` questions; the cache rung of the ladder reads it.
    """

    def __init__(self, capacity: int = 1000) -> None:
        self._answers: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    @staticmethod
    def key(question: str) -> str:
        return " ".join(question.lower().split())

    def remember(self, question: str, answer: str) -> None:
        key = self.key(question)
        self._answers[key] = answer
        self._answers.move_to_end(key)
        if len(self._answers) > self._capacity:
            self._answers.popitem(last=False)

    def recall(self, question: str) -> str | None:
        return self._answers.get(self.key(question))
