"""`semantic_cache` in a turn: whose answers a lookup may find, and which answers are kept.

The decisions about one lookup (exact, nearest, entity check, freshness) are
patterns/semantic_cache.py's, and the entries live in app/cost/answer_cache.py's collection.
This module is the app's policy around them:

    lookup   searches the asker's own scope and their tenant's shared scope, for each model that
             may answer the turn, under the prompt versions the turn is served (a canary's are
             its own; an eval run's turns only the entries that run made)
    keep     stores a turn's answer only when it finished as a plain answer: not blocked,
             escalated, declined, degraded, cut short or failed; no write tool called (an answer
             that says "I've refunded it" must never be replayed); no guard acting on it; and
             never an answer that came from the cache. Its owner is the customer when the turn
             read their data (an order, the account) or followed earlier messages, and SHARED
             when it used the help centre alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from switchboard.agents.events import CacheLooked
from switchboard.agents.llm.types import HAND_BACK
from switchboard.agents.prompts import book_version
from switchboard.agents.record import TurnRecord
from switchboard.agents.tools import TOOLS
from switchboard.app.cost.answer_cache import AnswerCache
from switchboard.patterns.pii.redaction import mask
from switchboard.patterns.semantic_cache import SHARED, CachePolicy, Hit, Miss, Outcome, Rejected, Scope

# Tools that read nothing of the customer's: an answer that used only these may be shared.
IMPERSONAL_TOOLS = frozenset({"search_kb", HAND_BACK})
# Tools that change something: a turn that called one is an action, and an action is not replayed.
WRITE_TOOLS = frozenset({name for name, tool in TOOLS.items() if tool.writes} | {"create_ticket"})
NOT_ANSWERING = frozenset({"router", "summarise"})  # model calls that do not write the answer
_PLACEHOLDER = re.compile(r"<[A-Z]+(?:_[A-Z]+)*_\d+>")  # the vault's `<EMAIL_1>` (patterns/pii/redaction.py)


class CachedAnswers:
    """The app's side of agents' `AnswerMemory`: looked up by the graph, kept by the runner."""

    def __init__(self, cache: AnswerCache, prompt_version: str, clock: Callable[[], float]) -> None:
        """`clock`: wall-clock seconds (entries outlive a restart, so their TTL is on the calendar)."""
        self._cache = cache
        self._prompt_version = prompt_version
        self._clock = clock

    @property
    def cache(self) -> AnswerCache:
        return self._cache

    async def lookup(
        self,
        question: str,
        *,
        tenant: str,
        customer: str,
        models: Sequence[str],
        run_id: str | None = None,
        prompts: str | None = None,
    ) -> CacheLooked:
        """`prompts`: the hash of the prompt versions the turn is served (a canary's answers are
        not the stable prompt's); None, the shipped book's."""
        partition, version = partition_of(tenant, run_id), prompts or self._prompt_version
        scopes = [Scope(partition, m, version, owner) for m in models for owner in (customer, SHARED)]
        outcome = await self._cache.lookup(question, scopes, self._clock())
        return looked(question, outcome, self._cache.policy)

    async def keep(self, looked_up: CacheLooked, answer: str, record: TurnRecord) -> str | None:
        """Store the turn's answer under the question looked up, if the turn earned it. Returns
        why it was not kept, or None when it was."""
        why = unkept(looked_up, record)
        model = answering_model(record)
        if why is not None or model is None:
            return why or "no model wrote the answer"
        partition = partition_of(record.tenant_id, record.run_id)
        version = book_version(record.prompt_versions) if record.prompt_versions else self._prompt_version
        scope = Scope(partition, model, version, owner_of(looked_up, record))
        cited = [f"{record.tenant_id}/{source}" for source in record.sources]
        await self._cache.store(looked_up.question, answer, scope, cited, self._clock())
        return None

    def forget_citing(self, article_ids: Sequence[str]) -> None:
        """Drop the answers that cited these `<tenant>/<article>` ids (re-ingested or removed)."""
        if article_ids:
            self._cache.forget_citing(list(article_ids))


def partition_of(tenant: str, run_id: str | None) -> str:
    """The scope's tenant part: an eval run caches apart from live traffic and from other runs,
    as it spends in budget windows of its own — or a second run of a dataset would be served
    the first one's answers and measure nothing."""
    return tenant if run_id is None else f"{tenant}@run:{run_id}"


def looked(question: str, outcome: Outcome, policy: CachePolicy) -> CacheLooked:
    """A lookup's outcome as the turn reports it."""
    if isinstance(outcome, Hit):
        how = "exact match" if outcome.how == "exact" else f"semantic match at {outcome.similarity:.3f}"
        return CacheLooked("hit", question, how, round(outcome.similarity, 4), outcome.entry.answer)
    if isinstance(outcome, Rejected):
        detail = f"nearest at {outcome.similarity:.3f} rejected: {outcome.reason}"
        return CacheLooked("rejected", question, detail, round(outcome.similarity, 4))
    return _missed(question, outcome, policy)


def _missed(question: str, miss: Miss, policy: CachePolicy) -> CacheLooked:
    if miss.best_similarity is None:
        return CacheLooked("miss", question, "no current answer stored for this customer's scopes")
    detail = f"nearest at {miss.best_similarity:.3f}, below the threshold {policy.threshold:.2f}"
    return CacheLooked("miss", question, detail, round(miss.best_similarity, 4))


def unkept(looked_up: CacheLooked, record: TurnRecord) -> str | None:
    """Why this turn's answer must not be stored, or None when it may be."""
    if looked_up.outcome == "hit" or record.cache == "hit":
        return "answered from the cache"
    if record.outcome != "answered":
        return f"the turn was {record.outcome}"
    writes = [t.name for t in record.tools if t.name in WRITE_TOOLS]
    if writes:
        return f"it called {writes[0]}, which changes something"
    if any(not t.ok for t in record.tools):
        return "a tool failed"
    if record.guards:
        return f"{record.guards[0].guard} acted on it"
    if record.mid_stream_cuts:
        return "its answer was continued by another provider mid-stream"
    return None


def owner_of(looked_up: CacheLooked, record: TurnRecord) -> str:
    """The customer, for an answer that read their data, followed their conversation or was
    asked with their personal data in it (an answer may echo it); SHARED for one built from the
    help centre alone."""
    personal = any(t.name not in IMPERSONAL_TOOLS for t in record.tools) or record.route in ("orders", "account")
    mine = personal or looked_up.follow_up or names_someone(looked_up.question)
    return record.customer_id if mine else SHARED


def names_someone(question: str) -> bool:
    """Personal data in the question: as it was typed, or as the PII vault's placeholders."""
    return mask(question) != question or _PLACEHOLDER.search(question) is not None


def answering_model(record: TurnRecord) -> str | None:
    """The model whose call wrote the answer: the last one that did not fail."""
    answering = [c.model for c in record.calls if c.error is None and c.purpose not in NOT_ANSWERING]
    return answering[-1] if answering else None
