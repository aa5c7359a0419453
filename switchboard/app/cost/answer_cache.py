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

import chromadb
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Where
from chromadb.config import Settings as ChromaSettings

from switchboard.agents.embeddings import Embedder
from switchboard.patterns.semantic_cache import (
    CachePolicy,
    Entry,
    Hit,
    Outcome,
    Scope,
    choose,
    entities_of,
    is_fresh,
    normalise,
)

CANDIDATES = 4  # nearest neighbours weighed per lookup: the closest may be stale
KbVersions = Callable[[], Mapping[str, str]]


class AnswerCache:
    def __init__(
        self,
        collection: Collection,
        embedder: Embedder,
        vocabulary: frozenset[str],
        kb_versions: KbVersions,
        policy: CachePolicy | None = None,
    ) -> None:
        self._collection = collection
        self._embedder = embedder
        self._vocabulary = vocabulary
        self._kb_versions = kb_versions
        self.policy = policy or CachePolicy()

    @classmethod
    def open(cls, path: Path, name: str, embedder: Embedder, vocabulary: frozenset[str], kb: KbVersions) -> AnswerCache:
        client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
        collection = client.get_or_create_collection(name, metadata={"hnsw:space": "cosine"})
        return cls(collection, embedder, vocabulary, kb)

    def count(self) -> int:
        return self._collection.count()

    def lookup_now(self, question: str, scopes: Sequence[Scope], now: float) -> Outcome:
        """Exact text first, then the nearest neighbours, within any of `scopes` (a customer's
        own answers and the tenant's shared ones, say)."""
        versions = self._kb_versions()
        for exact in self._exact(question, scopes):
            if is_fresh(exact, now, self.policy.ttl_s, versions):
                return Hit(exact, "exact", 1.0)
        query = entities_of(question, self._vocabulary)
        return choose(query, self._nearest(question, scopes), self.policy, now, versions)

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
            **{f"cites:{article}": True for article in cites},
        }
        vector = self._embedder.embed([question])[0]
        self._collection.upsert(
            ids=[_entry_id(question, scope)], embeddings=[vector], documents=[question], metadatas=[metadata]
        )

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
            n_results=CANDIDATES,
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
        entities = entities_of(question, self._vocabulary)
        return Entry(question, str(meta["answer"]), scope, float(meta["stored_at"]), entities, cited)

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
