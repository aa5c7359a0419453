"""Switchboard's degradation ladder (chapter 9): cached answer → help centre without a model →
an honest "unavailable" with a ticket. Used when every provider has failed a turn.

A cached answer is served only to the customer it was given to, at the tenant it was given at:
most answers worth caching used that customer's orders or account, and would hand them to anyone
who asked the same words. The help-centre rung searches only the customer's own tenant's articles.
What the ladder serves still goes through the turn's privacy filter, like a model's answer."""

from __future__ import annotations

from collections.abc import Callable

from switchboard.agents.context import Knowledge, Shop
from switchboard.agents.record import TurnRecord
from switchboard.patterns.degradation import RecentAnswers, Served, descend
from switchboard.patterns.order_numbers import names_an_order

KB_FLOOR = 0.55  # a passage less similar than this is not offered as an answer
UNAVAILABLE = (
    "I'm sorry — I'm having trouble answering right now. I've opened ticket {ticket} so that a "
    "member of our team follows up with you, usually within {reply_within}."
)


class Ladder:
    def __init__(
        self,
        answers: RecentAnswers,
        knowledge: Knowledge,
        shop: Shop,
        reply_within: Callable[[str], str],
    ) -> None:
        self.answers = answers
        self._knowledge = knowledge
        self._shop = shop
        self._reply_within = reply_within  # a tenant's ticket promise, as its help centre states it

    def learn(self, question: str, answer: str, record: TurnRecord) -> None:
        """After every turn: remember answers that a model gave successfully, for their customer."""
        if record.outcome == "answered" and answer:
            self.answers.remember(record.tenant_id, record.customer_id, question, answer)

    async def serve(
        self, question: str, customer_id: str, conversation_id: str, tenant_id: str, recall: bool = True
    ) -> tuple[Served, str | None]:
        """The best answer still possible, and the ticket opened if it came to that. `recall`
        False skips the cached rung: the kill switch stops the model's answers, remembered ones too
        (an operator may have stopped the model for what it was saying)."""
        tickets: list[str] = []

        async def cached() -> str | None:
            return self.answers.recall(tenant_id, customer_id, question)

        async def help_centre() -> str | None:
            if names_an_order(question):  # needs the shop's records, not an article: a person, with a ticket
                return None
            found = await self._knowledge.search(question, k=1, tenant=tenant_id)
            if not found or found[0].score < KB_FLOOR:
                return None
            first = " ".join(found[0].text.split(". ")[:2]).strip()
            return f"Our assistant is unavailable right now, but this may help: {first} [{found[0].source}]"

        async def unavailable() -> str | None:
            tickets.append(await self._shop.open_ticket(customer_id, conversation_id, f"unanswered: {question[:200]}"))
            return UNAVAILABLE.format(ticket=tickets[-1], reply_within=self._reply_within(tenant_id))

        rungs = [("cache", cached)] if recall else []
        served = await descend([*rungs, ("kb-only", help_centre), ("unavailable", unavailable)])
        assert served is not None  # the last rung always answers
        return served, (tickets[0] if tickets else None)
