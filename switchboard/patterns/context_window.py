"""Context trimming: the history a model is sent fits a token budget, the newest turns whole.

A long conversation sent whole costs more every turn and eventually overflows the model's
window. Instead:

    kept    the longest run of the newest messages whose tokens fit in  budget - summary_cap
    folded  every older message, summarised (by a cheap model) into at most summary_cap tokens

The newest message is always kept, even alone over the budget: it is the question. The summary
is made incrementally and cached per conversation: when more messages fold, the cheap model is
given the previous summary plus only the newly folded messages, so each message is summarised
once however long the conversation grows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

Summarise = Callable[[str, Sequence[str], int], Awaitable[str]]  # (previous summary, new messages, cap)


@dataclass(frozen=True)
class Window:
    folded: int  # how many of the oldest messages the summary stands for
    kept: tuple[str, ...]  # the newest messages, whole


def plan(messages: Sequence[str], budget: int, summary_cap: int, count: Callable[[str], int]) -> Window:
    """Which messages go whole and how many fold into the summary."""
    room, start = budget - summary_cap, len(messages)
    while start > 0 and (start == len(messages) or count(messages[start - 1]) <= room):
        room -= count(messages[start - 1])
        start -= 1
    return Window(folded=start, kept=tuple(messages[start:]))


@dataclass(frozen=True)
class Folded:
    """A running summary: the text that stands for the oldest `count` messages."""

    count: int = 0
    text: str = ""


async def fold(known: Folded, messages: Sequence[str], folded: int, summarise: Summarise, cap: int) -> Folded:
    """The summary of messages[:folded], extended from `known` with only what folded since.

    Wherever the caller keeps summaries (a dict, a checkpointed graph state), this is the rule:
    the same count is the same summary (no call); more is one call on the new messages; fewer
    (a larger budget) starts again, since a summary cannot be unfolded.
    """
    if folded == known.count:
        return known
    start = known if folded > known.count else Folded()
    return Folded(folded, await summarise(start.text, messages[start.count : folded], cap))


class SummaryCache:
    """Each conversation's running summary, in memory: extended, never redone, as messages fold."""

    def __init__(self, summarise: Summarise, summary_cap: int) -> None:
        self._summarise = summarise
        self._cap = summary_cap
        self._summaries: dict[str, Folded] = {}
        self.calls = 0  # summaries made, for the record and the tests

    async def summary(self, conversation_id: str, messages: Sequence[str], folded: int) -> str:
        """The summary of messages[:folded], made from the cached one and what folded since."""
        known = self._summaries.get(conversation_id, Folded())
        made = await fold(known, messages, folded, self._summarise, self._cap)
        self.calls += made is not known
        self._summaries[conversation_id] = made
        return made.text
