"""The answer cache's entries, kept in a Chroma collection beside the knowledge base.

Chroma, not a dict in memory, because the cache has to outlive a restart and be shared by every
replica (a Chroma server holds both collections when Switchboard scales out). Each entry is one
stored question: its embedding, the answer as metadata, and the fields a lookup filters on:

    scope       Scope.key(): tenant, model, prompt version, owner. Every read filters on it,
                so an entry is never even a candidate for another tenant or customer.
    exact       the normalised question, for the exact step
    cited       the articles the answer cited, with their versions (content hashes) as JSON;
                plus one `cites:<article id>` marker each, so re-ingesting an article can
                delete the answers that cited it in one call
    grounds     the chunk id of each passage the stored question retrieved, best first (JSON),
                when the cache was given a retriever: what retrieval agreement compares with
    intent      the stored question's route, when the cache was given a router

The decisions (threshold, entity check, freshness) are patterns/semantic_cache.py's; this
module only stores and fetches.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Where

from switchboard.agents.embeddings import Embedder
from switchboard.app.shop.chroma import chroma_client
from switchboard.app.shop.knowledge import KnowledgeBase
from switchboard.patterns.semantic_cache import (
    VERIFIED,
    CachePolicy,
    Entry,
    Evidence,
    Hit,
    Outcome,
    Scope,
    choose,
    entities_of,
    is_fresh,
    normalise,
)

CANDIDATES = 8  # nearest neighbours weighed per lookup: the closest may be stale or name another thing
KbVersions = Callable[[], Mapping[str, str]]
Retriever = Callable[[str, str], Sequence[str]]  # (question, tenant) -> each top passage's chunk id, best first
Router = Callable[[str], str]  # question -> the route the app's router would choose


def help_centre_retriever(knowledge: KnowledgeBase, k: int = 4, hybrid: bool = True) -> Retriever:
    """The passages the knowledge specialist would be given for a question (the same
    tenant-filtered search), best first, as their chunk ids `<tenant>/<article>#<n>`: the part
    before `#` is the article as stored answers cite it, so how many passages share an article
    says how decided the search is, and the ids themselves which sections an answer rests on."""

    def passages(question: str, tenant: str) -> list[str]:
        shop = tenant.partition("@")[0]  # an eval run's partition, "tidewater@run:<id>", searches its shop
        # floor 0: the nearest passages even of a question the help centre does not answer, so two
        # such questions are still told apart by where their searches lead
        return [p.id for p in knowledge.search_now(question, k, hybrid, tenant=shop, floor=0.0)]

    return passages


class AnswerCache:
    def __init__(
        self,
        collection: Collection,
        embedder: Embedder,
        vocabulary: frozenset[str],
        kb_versions: KbVersions,
        policy: CachePolicy | None = None,
        retriever: Retriever | None = None,
        router: Router | None = None,
        candidates: int = CANDIDATES,
    ) -> None:
        self._collection = collection
        self._candidates = candidates
        self._embedder = embedder
        self._vocabulary = vocabulary
        self._kb_versions = kb_versions
        self._retriever = retriever
        self._router = router
        self.policy = policy or (VERIFIED if retriever else CachePolicy())

    @classmethod
    def open(
        cls,
        store: Path | ClientAPI,
        name: str,
        embedder: Embedder,
        vocabulary: frozenset[str],
        kb: KbVersions,
        *,
        retriever: Retriever | None = None,
        router: Router | None = None,
        policy: CachePolicy | None = None,
        candidates: int = CANDIDATES,
    ) -> AnswerCache:
        """`retriever` (see `help_centre_retriever`) turns on retrieval agreement, and with it the
        tuned `VERIFIED` policy unless `policy` says otherwise; `router` turns on intent agreement.
        `store`: a Chroma client (see chroma.py), or the folder of an embedded one."""
        client = chroma_client(store) if isinstance(store, Path) else store
        collection = client.get_or_create_collection(name, metadata={"hnsw:space": "cosine"})
        return cls(collection, embedder, vocabulary, kb, policy, retriever, router, candidates)

    def count(self) -> int:
        return self._collection.count()

    def lookup_now(self, question: str, scopes: Sequence[Scope], now: float) -> Outcome:
        """Exact text first, then the nearest neighbours, within any of `scopes` (a customer's
        own answers and the tenant's shared ones, say: one tenant's, whose help centre the
        retriever searches)."""
        versions = self._kb_versions()
        for exact in self._exact(question, scopes):
            if is_fresh(exact, now, self.policy.ttl_s, versions):
                return Hit(exact, "exact", 1.0)
        query = entities_of(question, self._vocabulary)
        nearest = self._nearest(question, scopes)
        close = any(similarity >= self.policy.threshold for _, similarity in nearest)
        evidence = self._evidence(question, scopes[0].tenant) if close else None  # asked only when it decides
        return choose(query, nearest, self.policy, now, versions, evidence)

    def _evidence(self, question: str, tenant: str) -> Evidence | None:
        if self._retriever is None and self._router is None:
            return None
        passages = tuple(self._retriever(question, tenant)) if self._retriever else None
        return Evidence(passages, self._router(question) if self._router else None)

    def store_now(self, question: str, answer: str, scope: Scope, cited: Sequence[str], now: float) -> None:
        """Keep an answer for `scope`, with the current versions of the articles it cited."""
        versions = self._kb_versions()
        cites = {article: versions.get(article, "") for article in cited}
        metadata: dict[str, Any] = {
            "scope": scope.key(),
            "exact": normalise(question),
            "answer": answer,
            "stored_at": now,
            "cited": json.dumps(cites),
            **self._evidence_metadata(question, scope.tenant),
            **{f"cites:{article}": True for article in cites},
        }
        vector = self._embedder.embed([question])[0]
        self._collection.upsert(
            ids=[_entry_id(question, scope)], embeddings=[vector], documents=[question], metadatas=[metadata]
        )

    def _evidence_metadata(self, question: str, tenant: str) -> dict[str, str]:
        """What the retriever and router say about the stored question, for later agreement."""
        evidence = self._evidence(question, tenant) or Evidence()
        grounds = {"grounds": json.dumps(list(evidence.passages or ()))}
        return grounds | ({"intent": evidence.intent} if evidence.intent is not None else {})

    def forget_citing(self, article_ids: Sequence[str]) -> None:
        """Drop every answer that cited one of these articles (they were re-ingested or removed)."""
        for article in article_ids:
            self._collection.delete(where={f"cites:{article}": True})

    def _exact(self, question: str, scopes: Sequence[Scope]) -> list[Entry]:
        found = self._collection.get(ids=[_entry_id(question, s) for s in scopes], include=["documents", "metadatas"])
        return self._entries(found["documents"] or [], found["metadatas"] or [], scopes)

    def _nearest(self, question: str, scopes: Sequence[Scope]) -> list[tuple[Entry, float]]:
        if self._collection.count() == 0:
            return []
        found = self._collection.query(
            query_embeddings=[self._embedder.embed([question])[0]],
            n_results=self._candidates,
            where=_in_scopes(scopes),
            include=["documents", "metadatas", "distances"],
        )
        entries = self._entries((found["documents"] or [[]])[0], (found["metadatas"] or [[]])[0], scopes)
        return [
            (entry, 1.0 - distance) for entry, distance in zip(entries, (found["distances"] or [[]])[0], strict=True)
        ]

    def _entries(
        self, questions: Sequence[str], metas: Sequence[Mapping[str, Any]], scopes: Sequence[Scope]
    ) -> list[Entry]:
        by_key = {s.key(): s for s in scopes}
        return [self._entry(q, m, by_key[str(m["scope"])]) for q, m in zip(questions, metas, strict=True)]

    def _entry(self, question: str, meta: Mapping[str, Any], scope: Scope) -> Entry:
        cited = json.loads(str(meta["cited"]))
        grounds = tuple(json.loads(str(meta.get("grounds", "[]"))))
        intent = str(meta["intent"]) if "intent" in meta else None
        entities = entities_of(question, self._vocabulary)
        stored_at = float(meta["stored_at"])
        return Entry(question, str(meta["answer"]), scope, stored_at, entities, cited, grounds, intent)

    async def lookup(self, question: str, scopes: Sequence[Scope], now: float) -> Outcome:
        """Off the event loop: Chroma's client is synchronous."""
        return await asyncio.to_thread(self.lookup_now, question, scopes, now)

    async def store(self, question: str, answer: str, scope: Scope, cited: Sequence[str], now: float) -> None:
        await asyncio.to_thread(self.store_now, question, answer, scope, cited, now)


def _in_scopes(scopes: Sequence[Scope]) -> Where:
    keys: list[str | int | float | bool] = [s.key() for s in scopes]
    one_of: dict[Literal["$in", "$nin"], list[str | int | float | bool]] = {"$in": keys}
    return {"scope": one_of}


def _entry_id(question: str, scope: Scope) -> str:
    """One entry per (scope, normalised question): storing the same question again replaces it."""
    return hashlib.sha256(f"{scope.key()}\n{normalise(question)}".encode()).hexdigest()[:32]
