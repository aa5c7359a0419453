"""The knowledge base: help-centre articles chunked, embedded and kept in a Chroma collection.

Every storefront (tenant) has its own articles in the one collection: a chunk's id is
`<tenant>/<article>#<n>` and its metadata names its tenant, and every search is kept to one
tenant — in Chroma's query, which names the tenant's chunk ids, and in the keyword index alike —
so that a customer of one shop is never shown another's articles. Article ids are only unique
within a tenant (both shops have a `returns-policy`); passages still cite the bare article id.

Ingest is idempotent: each article's chunks carry the article's content hash, so re-ingesting
an unchanged folder writes nothing, a changed article's chunks are replaced, and the chunks of
an article that disappeared from the folder are removed. The tenant and `source` scope this
bookkeeping, so ingesting your own folder never deletes the shipped articles, or the other way
round, nor one tenant's articles another's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, QueryResult
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError

from switchboard.agents.context import Passage
from switchboard.agents.embeddings import Embedder
from switchboard.patterns.chunking import Article, Chunker, chunker, parse_article
from switchboard.patterns.hybrid_search import BM25Index, reciprocal_rank_fusion

Progress = Callable[[int, int], None]
# Collections made before tenants hold chunks with neither a tenant nor a tenant in their ids;
# the index is derived from the articles, so such a collection is dropped and built again.
LAYOUT = "tenant-chunks"


class ChromaEmbedding(EmbeddingFunction[Documents]):
    """Lets Chroma embed documents and queries with our offline embedder."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "switchboard-embedder"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
        raise ValueError("open the collection through KnowledgeBase, which supplies the embedder")

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


@dataclass(frozen=True)
class IngestReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    changed: tuple[str, ...] = ()  # `<tenant>/<article>` of each article updated or removed: stale answers cite them


class KnowledgeBase:
    def __init__(self, collection: Collection, chunk: Chunker | None = None) -> None:
        self._collection = collection
        self._chunk = chunk or chunker("heading")
        self._keywords: dict[str, BM25Index] = {}
        self._chunk_ids: dict[str, list[str]] = {}  # per tenant, read once, dropped on ingest
        self._versions: dict[str, str] | None = None  # read once, dropped on ingest

    def _keyword_index(self, tenant: str) -> BM25Index:
        """One tenant's keyword index, in memory: built on its first hybrid search, dropped on ingest."""
        if tenant not in self._keywords:
            theirs = self._collection.get(where={"tenant": tenant}, include=["documents"])
            self._keywords[tenant] = BM25Index(dict(zip(theirs["ids"], theirs["documents"] or [], strict=True)))
        return self._keywords[tenant]

    def _ids_of(self, tenant: str) -> list[str]:
        """One tenant's chunk ids. A query names them instead of filtering on the tenant's
        metadata: at 10,000 chunks Chroma's `where` filter costs tens of milliseconds a search,
        an id list a few."""
        if tenant not in self._chunk_ids:
            self._chunk_ids[tenant] = self._collection.get(where={"tenant": tenant}, include=[])["ids"]
        return self._chunk_ids[tenant]

    def _nearest(self, query: str, n: int, tenant: str) -> QueryResult:
        try:
            return self._collection.query(query_texts=[query], n_results=n, ids=self._ids_of(tenant))
        except InternalError:  # a chunk another process removed: filter, and read the ids anew
            self._chunk_ids.pop(tenant, None)
            return self._collection.query(query_texts=[query], n_results=n, where={"tenant": tenant})

    @classmethod
    def open(cls, path: Path, name: str, embedder: Embedder, chunking: str = "heading") -> KnowledgeBase:
        """`chunking` names a strategy of patterns/chunking.py; the layout records it, so a
        collection chunked another way is dropped and built again."""
        chunk = chunker(chunking)
        layout = f"{LAYOUT}/{chunking}"
        client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
        settings: dict[str, Any] = {
            "embedding_function": ChromaEmbedding(embedder),
            "metadata": {"hnsw:space": "cosine", "layout": layout},
        }
        collection = client.get_or_create_collection(name, **settings)
        if (collection.metadata or {}).get("layout") != layout:
            client.delete_collection(name)
            collection = client.create_collection(name, **settings)
        return cls(collection, chunk)

    def count(self) -> int:
        return self._collection.count()

    def ingest(self, folder: Path, source: str, tenant: str, progress: Progress | None = None) -> IngestReport:
        """Bring `tenant`'s articles from `source` up to date with the folder."""
        articles = read_articles(folder)
        known = self._known_hashes(source, tenant)
        counts = {"added": 0, "updated": 0, "unchanged": 0, "chunks": 0}
        updated: list[str] = []
        for index, article in enumerate(articles, start=1):
            done = self._upsert(article, source, tenant, known.get(article.id))
            counts[done] += 1
            updated += [article.id] if done == "updated" else []
            if progress:
                progress(index, len(articles))
        gone = sorted(set(known) - {a.id for a in articles})
        for article_id in gone:
            self._collection.delete(where=_article_of(tenant, article_id))
        counts["chunks"] = self._collection.count()
        self._keywords.pop(tenant, None)
        self._chunk_ids.pop(tenant, None)
        self._versions = None
        changed = tuple(f"{tenant}/{a}" for a in [*updated, *gone])
        return IngestReport(removed=len(gone), changed=changed, **counts)

    def versions(self) -> dict[str, str]:
        """Every article's content hash, keyed `<tenant>/<article>`: the version a cached answer
        citing it was made from (patterns/semantic_cache.py serves an answer only while it holds)."""
        if self._versions is None:
            found = self._collection.get(include=["metadatas"])
            self._versions = {
                f"{m['tenant']}/{m['article_id']}": str(m["content_hash"]) for m in found["metadatas"] or []
            }
        return self._versions

    def _known_hashes(self, source: str, tenant: str) -> dict[str, str]:
        found = self._collection.get(where={"$and": [{"source": source}, {"tenant": tenant}]}, include=["metadatas"])
        return {str(m["article_id"]): str(m["content_hash"]) for m in found["metadatas"] or []}

    def _upsert(self, article: Article, source: str, tenant: str, known_hash: str | None) -> str:
        if known_hash == article.content_hash:
            return "unchanged"
        if known_hash is not None:
            self._collection.delete(where=_article_of(tenant, article.id))
        chunks = self._chunk(article)
        self._collection.add(
            ids=[f"{tenant}/{c.id}" for c in chunks],
            documents=[c.text for c in chunks],
            metadatas=[
                {
                    "article_id": article.id,
                    "tenant": tenant,
                    "title": article.title,
                    "heading": c.heading,
                    "passage": c.passage,
                    "parent": c.parent,
                    "source": source,
                    "content_hash": article.content_hash,
                }
                for c in chunks
            ],
        )
        return "added" if known_hash is None else "updated"

    def search_now(self, query: str, k: int, hybrid: bool = False, *, tenant: str) -> list[Passage]:
        """The `k` passages of `tenant`'s articles nearest the query; no other tenant's, ever."""
        if not query.strip() or not self._ids_of(tenant):  # no ids must never mean "search them all"
            return []
        pool = k * 3
        found = self._nearest(query, pool, tenant)
        ids, docs = found["ids"][0], (found["documents"] or [[]])[0]
        metas, distances = (found["metadatas"] or [[]])[0], (found["distances"] or [[]])[0]
        passages = {
            i: _passage(i, d, m, score=1 - dist) for i, d, m, dist in zip(ids, docs, metas, distances, strict=True)
        }
        if not hybrid:
            return _distinct(list(passages.values()), k)
        fused = reciprocal_rank_fusion([ids, self._keyword_index(tenant).search(query, pool)])
        passages.update(self._passages([i for i in fused if i not in passages]))
        return _distinct([passages[i] for i in fused], k)

    def _passages(self, chunk_ids: list[str]) -> dict[str, Passage]:
        """Keyword-only hits, fetched in one call (they carry no vector score)."""
        if not chunk_ids:
            return {}
        got = self._collection.get(ids=chunk_ids, include=["documents", "metadatas"])
        rows = zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
        return {i: _passage(i, d, m, score=0.0) for i, d, m in rows}

    async def search(self, query: str, k: int, hybrid: bool = False, *, tenant: str) -> list[Passage]:
        """Search off the event loop: Chroma's client is synchronous."""
        return await asyncio.to_thread(lambda: self.search_now(query, k, hybrid, tenant=tenant))


def _article_of(tenant: str, article_id: str) -> dict[str, Any]:
    """Chroma's filter for one article's chunks: its id names an article only within a tenant."""
    return {"$and": [{"tenant": tenant}, {"article_id": article_id}]}


def _passage(chunk_id: str, document: str, meta: Mapping[str, Any], score: float) -> Passage:
    """A chunk as the model sees it: the "Title — Heading" line that helped embed it becomes
    the passage's title, and the text is the chunk's passage (its section, its sentence window)
    or else the chunk itself. A chunk returning its parent section is named after the parent."""
    _, _, body = document.partition("\n")
    heading = f" — {meta['heading']}" if meta.get("heading") else ""
    text = str(meta.get("passage") or "") or body or document
    named = f"{meta['tenant']}/{meta['parent']}" if meta.get("parent") else chunk_id
    return Passage(named, str(meta["article_id"]), f"{meta['title']}{heading}", text, score)


def _distinct(passages: list[Passage], k: int) -> list[Passage]:
    """The first `k` passages with distinct ids: small chunks of one section return it once."""
    first: dict[str, Passage] = {}
    for passage in passages:
        first.setdefault(passage.id, passage)
    return list(first.values())[:k]


def read_articles(folder: Path) -> list[Article]:
    if not folder.is_dir():
        raise FileNotFoundError(f"no such folder: {folder}")
    return [parse_article(p.read_text(encoding="utf-8"), p.stem) for p in sorted(folder.rglob("*.md"))]
