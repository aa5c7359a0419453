"""A degradation ladder: when the model cannot answer, fall to the best answer that needs less.

Each rung is a way to answer with fewer dependencies than the one above it — for Switchboard:
a cached answer to the same question from the same customer of the same tenant, then an
extractive answer from the knowledge base with no model at all, then an honest "we're having
trouble" that opens a ticket. Rungs are tried in order; the first that produces text serves, and
the turn records which one it was.
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
    """The last good answer to each recent question, kept for the tenant and owner it was given to.

    The key is (tenant, owner, question) — the question's exact text with case and spacing
    ignored — because an answer is only known to be fit for whoever it was made for: "where is
    my last order?" has a different right answer for every customer, and serving one customer's
    answer to another hands over their data. The owner is whatever scope the caller trusts an
    answer within (a customer, or the whole tenant for answers that used nothing personal). The
    tenant is part of the key on its own, not left to the owner's name: "what is your returns
    window?" has a different answer at every storefront, and customer ids need not be unique
    across them.

    Bounded: an LRU of at most `capacity` keys; remembering or recalling an answer makes it the
    most recent, and the least recent goes when one more would not fit.
    """

    def __init__(self, capacity: int = 1000) -> None:
        self._answers: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._capacity = capacity

    @staticmethod
    def key(tenant: str, owner: str, question: str) -> tuple[str, str, str]:
        return tenant, owner, " ".join(question.lower().split())

    def __len__(self) -> int:
        return len(self._answers)

    def remember(self, tenant: str, owner: str, question: str, answer: str) -> None:
        key = self.key(tenant, owner, question)
        self._answers[key] = answer
        self._answers.move_to_end(key)
        if len(self._answers) > self._capacity:
            self._answers.popitem(last=False)

    def recall(self, tenant: str, owner: str, question: str) -> str | None:
        key = self.key(tenant, owner, question)
        if key not in self._answers:
            return None
        self._answers.move_to_end(key)
        return self._answers[key]
