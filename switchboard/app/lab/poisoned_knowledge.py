"""The help centre as the agents see it, with the chaos panel's poisoned article in or out.

The poisoned article (data/tenants/tidewater/chaos) is indexed like any other of its tenant's, so
that when the panel plants it, it is found the way a compromised page would be: by being
relevant. While the switch is off, every search filters it out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from switchboard.agents.context import Knowledge, Passage
from switchboard.app.lab.chaos import AgentFaults

POISONED_SOURCE = "chaos"
POISONED_ARTICLES = frozenset({"tent-waterproofing-tips"})


class PoisonableKnowledge:
    def __init__(self, knowledge: Knowledge, faults: Callable[[], AgentFaults]) -> None:
        self._knowledge = knowledge
        self._faults = faults

    async def search(self, query: str, k: int, hybrid: bool = False, *, tenant: str) -> list[Passage]:
        """Only ever `tenant`'s articles: a poisoned article planted at one storefront's help
        centre (its `chaos/` folder) is never found by another's customers."""
        if self._faults().poisoned_article:
            return await self._knowledge.search(query, k, hybrid, tenant=tenant)
        found = await self._knowledge.search(query, k + 3, hybrid, tenant=tenant)  # spares for the article's sections
        return [p for p in found if p.source not in POISONED_ARTICLES][:k]


def visible_versions(versions: Mapping[str, str], faults: AgentFaults) -> dict[str, str]:
    """The articles' versions (`<tenant>/<article>`) as the agents can see them: the poisoned
    article's only while the panel plants it, so an answer that cited it goes stale (is never
    served from the cache) once the switch is off."""
    if faults.poisoned_article:
        return dict(versions)
    return {key: v for key, v in versions.items() if key.partition("/")[2] not in POISONED_ARTICLES}
