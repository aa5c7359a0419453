"""The knowledge base: help-centre articles chunked, embedded and kept in Chroma collections.

Every storefront (tenant) has a collection of its own, so a search needs no filter at all and a
customer of one shop is never shown another's articles. A chunk's id is `<tenant>/<article>#<n>`;
article ids are only unique within a tenant (both shops have a `returns-policy`); passages still
cite the bare article id.

A collection records what made its vectors — the embedder's name and the chunking layout — and
its name is derived from them, so vectors from two embedders never share a collection. When the
running embedder differs from the one a tenant's index was built with, `refresh` builds the new
collection from the stored chunks (re-embedded) while the old one keeps serving searches, swaps
it in and drops the old one. Without the old embedder its vectors cannot be queried, so `open`
re-embeds such an index at once. An index of another layout is left alone at open: it is not
served, and another process on the same Chroma server may be serving it or building it. At
start-up `recut_others` cuts the folders such an index records again the running way and drops
it (a changed setting, or a choice made on the panel of another replica).

A change of chunking strategy while running (`rechunk`) cuts every folder the index was fed from
again into new collections of the new layout while the old ones serve every search, then swaps
them in at once and drops the old ones: only the articles can be cut again, and each chunk
records the folder it came from.

Ingest is idempotent: each article's chunks carry the article's content hash, so re-ingesting
an unchanged folder writes nothing, a changed article's chunks are replaced, and the chunks of
an article that disappeared from the folder are removed. The tenant and `source` scope this
bookkeeping, so ingesting your own folder never deletes the shipped articles, or the other way
round, nor one tenant's articles another's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Include, QueryResult
from chromadb.errors import InternalError, NotFoundError

from switchboard.agents.context import Passage
from switchboard.agents.embeddings import Embedder
from switchboard.app.shop.chroma import chroma_client
from switchboard.patterns.chunking import Article, Chunker, chunker, parse_article
from switchboard.patterns.hybrid_search import BM25Index, reciprocal_rank_fusion
from switchboard.patterns.rerank import rerank_order

Progress = Callable[[int, int], None]
Folders = Mapping[str, Mapping[str, Path]]  # tenant → source → the folder its articles are read from
Spawn = Callable[[Callable[[], object]], None]  # starts a job in the background (a thread; by hand in tests)
# How the stored chunks were cut: part of every collection's record, so a change of layout cuts
# the articles again into collections of their own instead of mixing two layouts in one index.
LAYOUT = "tenant-chunks"
COPY_BATCH = 500  # chunks re-embedded per write while an index is rebuilt
RERANK_DEPTH = 12  # first-stage passages the reranker rescores (the depth its weights were tuned at)
# Per embedder, the best passage's cosine below which a question is not in the help centre: tuned
# on the 74 labelled development questions and 20 unanswerable ones (bench/retrieval.py prints both rates),
# the fewest false answers refusing at most 2% (one question of 74; refusing one the help centre
# answers costs more than answering one it does not).
REFUSE_BELOW = {"static": 0.58, "onnx": 0.38}


def layout_of(chunking: str) -> str:
    """The layout a chunking strategy writes: `heading` keeps the name indexes had before there
    were strategies (so they are not rebuilt); each other strategy records its name."""
    return LAYOUT if chunking == "heading" else f"{LAYOUT}/{chunking}"


def chunking_of(layout: str) -> str:
    """The strategy a layout was written by (`layout_of`'s inverse)."""
    return "heading" if layout == LAYOUT else layout.removeprefix(f"{LAYOUT}/")


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
    reembedded: int = 0  # the tenant's articles whose vectors a change of embedder made again since the last ingest


@dataclass(frozen=True)
class Index:
    """One tenant's serving collection and the embedder its vectors were made with."""

    collection: Collection
    embedder: Embedder


@dataclass(frozen=True)
class Chunks:
    """One tenant's chunks held in memory for hybrid search, read in one call from the collection
    named `collection`: the keyword index over their texts, and each chunk as its passage (score
    0), so a search asks Chroma only for the nearest ids and their distances. Like the keyword
    index they were always held with, they are this process's: another replica's ingest into a
    shared Chroma server is seen by neither (a chunk it changed keeps its id and, here, its old
    text) until this process ingests or reloads; a chunk it added is fetched (see `_fused`)."""

    collection: str
    keywords: BM25Index
    passages: Mapping[str, Passage]


@dataclass(frozen=True)
class Cut:
    """How new chunks are cut, and the layout their collections record."""

    chunking: str
    layout: str
    chunk: Chunker

    @classmethod
    def of(cls, chunking: str, layout: str | None = None) -> Cut:
        """A ValueError naming the strategies for an unknown one (from patterns/chunking.py)."""
        return cls(chunking, layout or layout_of(chunking), chunker(chunking))


@dataclass(frozen=True)
class Feed:
    """One folder's articles, to be cut again into a tenant's new index."""

    tenant: str
    source: str
    folder: Path
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Build:
    """A change of chunking strategy under way: `done` of `total` articles cut into the new layout."""

    chunking: str
    layout: str
    done: int
    total: int


@dataclass(frozen=True)
class IndexHealth:
    """What an operator checks: is every tenant's index complete, current and recently fed."""

    tenants: int
    articles: int
    chunks: int
    stale_chunks: int  # chunks whose vectors another embedder (or none of ours) made
    embedder: str
    layout: str
    last_ingest: float | None  # seconds since the epoch, of the latest ingest that wrote anything
    rebuilding: tuple[str, ...]  # tenants whose index is being re-embedded right now
    chunking: str = "heading"  # the strategy of patterns/chunking.py new chunks are cut with
    building: Build | None = None  # a change of strategy under way (the index above serves meanwhile)


def in_a_thread(job: Callable[[], object]) -> None:
    threading.Thread(target=job, name="kb-refresh", daemon=True).start()


class KnowledgeBase:
    def __init__(
        self,
        client: ClientAPI,
        name: str,
        embedder: Embedder,
        *,
        previous: Sequence[Embedder] = (),
        spawn: Spawn = in_a_thread,
        clock: Callable[[], float] = time.time,
        chunking: str = "heading",
        layout: str | None = None,
        rerank: bool = False,
        floor: float = 0.0,
    ) -> None:
        """`previous`: embedders an existing index may have been built with, kept to serve it
        while it is re-embedded; an index built by any other is re-embedded before it serves.
        `chunking` names a strategy of patterns/chunking.py; its layout (`layout_of`, unless
        `layout` is given) goes in the collection's record, so another strategy's index is not
        served (see `recut_others` and `rechunk`). `rerank`: whether searches rerank by default.
        `floor`: the vector similarity (cosine) the best passage must reach for a search to find
        anything; it depends on the embedder (see `REFUSE_BELOW`), 0 finds always."""
        self._rerank, self._floor = rerank, floor
        self._cut = Cut.of(chunking, layout)
        self._client, self._name, self._embedder = client, name, embedder
        self._building: Build | None = None
        self._others: dict[str, Collection] = {}  # per tenant, a complete index of another layout
        self._embedders = {e.name: e for e in [*previous, embedder]}
        self._spawn, self._clock = spawn, clock
        self._indexes: dict[str, Index] = {}
        self._rebuilding: set[str] = set()
        self._reembedded: dict[str, int] = {}  # per tenant, since its last ingest reported them
        self._writes = threading.Lock()  # an ingest and a rebuild's copy never interleave
        self._keywords: dict[str, Chunks] = {}  # per tenant, for hybrid search
        self._whole: dict[tuple[str, str], Any] = {}  # (embedder, passage) -> vector, for reranking
        self._versions: dict[str, str] | None = None  # read once, dropped on ingest
        self._load()

    @classmethod
    def open(cls, store: Path | ClientAPI, name: str, embedder: Embedder, **options: Any) -> KnowledgeBase:
        """`store`: a Chroma client (see chroma.py), or the folder of an embedded one."""
        return cls(chroma_client(store) if isinstance(store, Path) else store, name, embedder, **options)

    def _load(self) -> None:
        """Each tenant's serving collection: the current embedder's if complete, else one whose
        embedder is still at hand; what can serve no one is dropped (see the module docstring)."""
        if self._name in {c.name for c in self._client.list_collections()}:
            self._client.delete_collection(self._name)  # one collection for every tenant, from before
        for collection in self._ours():
            meta = collection.metadata or {}
            tenant, embedder = str(meta["tenant"]), self._embedders.get(str(meta.get("embedder")))
            if meta.get("layout") != self._cut.layout:  # maybe serving, or being built, in another process
                if meta.get("complete"):
                    self._others.setdefault(tenant, collection)
                continue
            if not meta.get("complete") or embedder is None:
                self._drop_or_reembed(collection, tenant)
            elif self._better(tenant, embedder):
                self._retire(tenant)
                self._indexes[tenant] = Index(collection, embedder)
            else:
                self._client.delete_collection(collection.name)

    def _ours(self) -> list[Collection]:
        """This knowledge base's collections, the running embedder's first (they win a tie)."""
        found = [c for c in self._client.list_collections() if (c.metadata or {}).get("kb") == self._name]
        return sorted(found, key=lambda c: ((c.metadata or {}).get("embedder") != self._embedder.name, c.name))

    def _better(self, tenant: str, embedder: Embedder) -> bool:
        held = self._indexes.get(tenant)
        return held is None or (embedder is self._embedder and held.embedder is not self._embedder)

    def _drop_or_reembed(self, collection: Collection, tenant: str) -> None:
        """A complete index of the right layout by an embedder not at hand: its chunks are good,
        its vectors unqueryable, so they are made again now. Anything else is dropped."""
        meta = collection.metadata or {}
        if meta.get("complete") and tenant not in self._indexes:
            self._indexes[tenant] = Index(collection, self._embedder)  # serves nothing until rebuilt
            self._rebuild(tenant)
        else:
            self._client.delete_collection(collection.name)

    def _retire(self, tenant: str) -> None:
        held = self._indexes.pop(tenant, None)
        if held is not None:
            self._client.delete_collection(held.collection.name)

    def _create(
        self, tenant: str, complete: bool, ingested_at: float | None = None, layout: str | None = None
    ) -> Collection:
        """A new collection; a complete one (a first ingest) may meet a twin made a moment ago by
        a replica starting beside this one on the same Chroma server: it is taken, not refused —
        both then write the same chunks, which ingestion's content hashes make harmless."""
        meta = self._record(tenant, complete, ingested_at, layout)
        name = _collection_name(self._name, tenant, self._embedder.name, layout or self._cut.layout)
        make = self._client.get_or_create_collection if complete else self._client.create_collection
        return make(name, embedding_function=None, metadata=meta)  # type: ignore[arg-type]

    def _record(
        self, tenant: str, complete: bool, ingested_at: float | None, layout: str | None = None
    ) -> dict[str, Any]:
        """A collection's record of what made it (the `hnsw:space` is set once, at creation)."""
        cut = layout or self._cut.layout
        record = {"kb": self._name, "tenant": tenant, "embedder": self._embedder.name, "layout": cut}
        times = {} if ingested_at is None else {"ingested_at": ingested_at}
        return {"hnsw:space": "cosine", **record, "complete": complete, **times}

    def _collection_of(self, tenant: str) -> Collection:
        """The tenant's collection to write to: made on its first ingest."""
        if tenant not in self._indexes:
            self._indexes[tenant] = Index(self._create(tenant, complete=True), self._embedder)
        return self._indexes[tenant].collection

    @property
    def chunking(self) -> str:
        """The strategy new chunks are cut with, and every served index was cut with."""
        return self._cut.chunking

    def stale(self) -> list[str]:
        """Tenants whose index serves vectors of another embedder than the running one."""
        return sorted(t for t, i in self._indexes.items() if i.embedder is not self._embedder)

    def refresh_in_background(self) -> list[str]:
        """Start re-embedding every stale index; each keeps serving until its new one is swapped in."""
        started = [t for t in self.stale() if t not in self._rebuilding]
        for tenant in started:
            self._rebuilding.add(tenant)
            self._spawn(functools.partial(self._rebuild, tenant))
        return started

    def refresh(self, tenant: str) -> int:
        """Re-embed one tenant's stale index now; the number of its articles re-embedded."""
        if tenant not in self.stale():
            return 0
        self._rebuilding.add(tenant)
        return self._rebuild(tenant)

    def _rebuild(self, tenant: str) -> int:
        """Copy the tenant's chunks into a new collection with the running embedder's vectors,
        then swap it in (one assignment: a search holds either index, whole) and drop the old."""
        try:
            with self._writes:
                old = self._indexes[tenant].collection
                self._delete_if_present(_collection_name(self._name, tenant, self._embedder.name, self._cut.layout))
                new = self._create(tenant, complete=False)
                articles = self._copy(old, new)
                self._reembedded[tenant] = self._reembedded.get(tenant, 0) + articles
                new.modify(metadata=_without_space(self._record(tenant, True, (old.metadata or {}).get("ingested_at"))))
                self._indexes[tenant] = Index(new, self._embedder)
                self._client.delete_collection(old.name)
                return articles
        finally:
            self._rebuilding.discard(tenant)

    def _copy(self, old: Collection, new: Collection) -> int:
        articles: set[str] = set()
        for offset in range(0, old.count(), COPY_BATCH):
            got = old.get(include=["documents", "metadatas"], limit=COPY_BATCH, offset=offset)
            documents, metadatas = got["documents"] or [], got["metadatas"] or []
            vectors = list(self._embedder.embed(documents))
            new.add(ids=got["ids"], embeddings=vectors, documents=documents, metadatas=metadatas)  # type: ignore[arg-type]
            articles |= {str(m["article_id"]) for m in metadatas}
        return len(articles)

    def _delete_if_present(self, name: str) -> None:
        """A half-built collection left by a rebuild that was cut short."""
        if name in {c.name for c in self._client.list_collections()}:
            self._client.delete_collection(name)

    def rechunk(self, chunking: str, shipped: Folders, progress: Progress | None = None) -> int:
        """Cut every tenant's articles again with `chunking` into new collections while the current
        ones serve, then swap them all in at once; the number of articles cut. The folders are the
        ones each chunk records plus `shipped` (tenant → source → folder: those of indexes made
        before chunks recorded theirs). An ingest waits until the swap; a failure leaves the old
        index serving and drops what was half built. The strategy serving already: nothing to do
        (its collections would share the new ones' names)."""
        cut = Cut.of(chunking)  # an unknown strategy fails here, before anything is touched
        with self._writes:
            if cut.layout == self._cut.layout:
                return 0
            feeds = self._feeds(shipped, {t: i.collection for t, i in self._indexes.items()})
            self._building = Build(cut.chunking, cut.layout, 0, sum(len(f.articles) for f in feeds))
            try:
                self._swap(cut, self._build(cut, feeds, progress))
            finally:
                self._building = None
        return sum(len(f.articles) for f in feeds)

    def _feeds(self, shipped: Folders, fed: Mapping[str, Collection]) -> list[Feed]:
        """What each tenant's index (`fed`) was fed from; a folder gone since is skipped (its articles go)."""
        feeds = []
        for tenant in sorted(set(fed) | set(shipped)):
            folders = {**shipped.get(tenant, {}), **(_recorded_folders(fed[tenant]) if tenant in fed else {})}
            for source, folder in sorted(folders.items()):
                if folder.is_dir():
                    feeds.append(Feed(tenant, source, folder, tuple(read_articles(folder))))
        return feeds

    def recut_others(self, shipped: Folders) -> int:
        """At start-up under another strategy than a tenant's index was cut with (a changed
        setting, or the panel's choice stored by another replica): cut the folders that index
        records again the running way, and drop it; the number of articles cut. Tenants this
        process already serves are left alone."""
        with self._writes:
            others = {t: c for t, c in self._others.items() if t not in self._indexes}
            feeds = self._feeds({t: f for t, f in shipped.items() if t in others}, others)
            built = self._build(self._cut, feeds, None)
            for tenant, index in built.items():
                index.collection.modify(metadata=_without_space(self._record(tenant, True, self._clock())))
                self._indexes[tenant] = index
                self._delete_if_present(others[tenant].name)
            self._others.clear()
        self._versions = None
        return sum(len(f.articles) for f in feeds)

    def _build(self, cut: Cut, feeds: list[Feed], progress: Progress | None) -> dict[str, Index]:
        built: dict[str, Index] = {}
        try:
            for feed in feeds:
                index = built.get(feed.tenant) or self._fresh(feed.tenant, cut)
                built[feed.tenant] = index
                for article in feed.articles:
                    self._upsert(index, article, feed, None, cut)
                    self._count_built(progress)
        except BaseException:
            for index in built.values():
                self._client.delete_collection(index.collection.name)
            raise
        return built

    def _fresh(self, tenant: str, cut: Cut) -> Index:
        """An empty, incomplete collection of `cut`'s layout (a half-built one from before is dropped)."""
        self._delete_if_present(_collection_name(self._name, tenant, self._embedder.name, cut.layout))
        return Index(self._create(tenant, complete=False, layout=cut.layout), self._embedder)

    def _count_built(self, progress: Progress | None) -> None:
        if self._building is not None:
            self._building = dataclasses.replace(self._building, done=self._building.done + 1)
            if progress:
                progress(self._building.done, self._building.total)

    def _swap(self, cut: Cut, built: dict[str, Index]) -> None:
        """Mark the new collections complete, serve them (one assignment: a search holds either
        index, whole) and drop the old ones."""
        for tenant, index in built.items():
            held = self._indexes.get(tenant)
            ingested = (held.collection.metadata or {}).get("ingested_at") if held else None
            index.collection.modify(metadata=_without_space(self._record(tenant, True, ingested, cut.layout)))
        old, self._indexes, self._cut = self._indexes, built, cut
        self._keywords.clear()
        self._versions = None
        for index in old.values():
            self._delete_if_present(index.collection.name)

    def count(self) -> int:
        return sum(i.collection.count() for i in list(self._indexes.values()))

    def health(self) -> IndexHealth:
        indexes = list(self._indexes.values())
        chunks = {id(i): i.collection.count() for i in indexes}
        times = [float(t) for i in indexes if (t := (i.collection.metadata or {}).get("ingested_at")) is not None]
        return IndexHealth(
            tenants=len(indexes),
            articles=len(self.versions()),
            chunks=sum(chunks.values()),
            stale_chunks=sum(chunks[id(i)] for i in indexes if i.embedder is not self._embedder),
            embedder=self._embedder.name,
            layout=self._cut.layout,
            last_ingest=max(times, default=None),
            rebuilding=tuple(sorted(self._rebuilding)),
            chunking=self._cut.chunking,
            building=self._building,
        )

    def ingest(self, folder: Path, source: str, tenant: str, progress: Progress | None = None) -> IngestReport:
        """Bring `tenant`'s articles from `source` up to date with the folder (into whichever
        index serves the tenant, with that index's embedder; a rebuild under way finishes first)."""
        articles = read_articles(folder)
        with self._writes:
            index = Index(self._collection_of(tenant), self._indexes[tenant].embedder)
            report = self._write(index, articles, Feed(tenant, source, folder.resolve(), ()), progress)
            if report.added or report.updated or report.removed:
                meta = index.collection.metadata or {}
                index.collection.modify(metadata={**_without_space(meta), "ingested_at": self._clock()})
        self._keywords.pop(tenant, None)
        self._whole.clear()
        self._versions = None
        return dataclasses.replace(report, reembedded=self._reembedded.pop(tenant, 0))

    def _write(self, index: Index, articles: list[Article], feed: Feed, progress: Progress | None) -> IngestReport:
        source, tenant = feed.source, feed.tenant
        known = self._known_hashes(index.collection, source)
        counts = {"added": 0, "updated": 0, "unchanged": 0, "chunks": 0}
        updated: list[str] = []
        for number, article in enumerate(articles, start=1):
            done = self._upsert(index, article, feed, known.get(article.id))
            counts[done] += 1
            updated += [article.id] if done == "updated" else []
            if progress:
                progress(number, len(articles))
        gone = sorted(set(known) - {a.id for a in articles})
        for article_id in gone:
            index.collection.delete(where={"article_id": article_id})
        counts["chunks"] = self.count()
        changed = tuple(f"{tenant}/{a}" for a in [*updated, *gone])
        return IngestReport(removed=len(gone), changed=changed, **counts)

    def versions(self) -> dict[str, str]:
        """Every article's content hash, keyed `<tenant>/<article>`: the version a cached answer
        citing it was made from (patterns/semantic_cache.py serves an answer only while it holds)."""
        if self._versions is None:
            versions: dict[str, str] = {}
            for tenant, index in list(self._indexes.items()):
                found = index.collection.get(include=["metadatas"])
                versions |= {f"{tenant}/{m['article_id']}": str(m["content_hash"]) for m in found["metadatas"] or []}
            self._versions = versions
        return self._versions

    def _known_hashes(self, collection: Collection, source: str) -> dict[str, str]:
        found = collection.get(where={"source": source}, include=["metadatas"])
        return {str(m["article_id"]): str(m["content_hash"]) for m in found["metadatas"] or []}

    def _upsert(
        self, index: Index, article: Article, feed: Feed, known_hash: str | None, cut: Cut | None = None
    ) -> str:
        if known_hash == article.content_hash:
            return "unchanged"
        if known_hash is not None:
            index.collection.delete(where={"article_id": article.id})
        tenant, source = feed.tenant, feed.source
        chunks = (cut or self._cut).chunk(article)
        index.collection.add(
            ids=[f"{tenant}/{c.id}" for c in chunks],
            embeddings=list(index.embedder.embed([c.text for c in chunks])),  # type: ignore[arg-type]
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
                    "folder": str(feed.folder),  # to cut the article again for another strategy
                    "content_hash": article.content_hash,
                }
                for c in chunks
            ],
        )
        return "added" if known_hash is None else "updated"

    def _chunks(self, tenant: str) -> Chunks:
        """One tenant's chunks in memory (keyword index and passages): read on its first hybrid
        search, dropped on ingest. Kept with the collection they were read from: chunks of an index
        swapped out meanwhile (a search under way during a swap) are not served."""
        collection = self._indexes[tenant].collection
        held = self._keywords.get(tenant)
        if held is None or held.collection != collection.name:
            theirs = collection.get(include=["documents", "metadatas"])
            rows = list(zip(theirs["ids"], theirs["documents"] or [], theirs["metadatas"] or [], strict=True))
            passages = {i: _passage(i, d, m, score=0.0) for i, d, m in rows}
            held = Chunks(collection.name, BM25Index({i: d for i, d, _ in rows}), passages)
            self._keywords[tenant] = held
        return held

    def _nearest(self, query: str, n: int, tenant: str, include: Include | None = None) -> QueryResult:
        """The tenant's own collection, unfiltered; if another process swapped it away, find the
        one that serves now and ask that. `include`: what to return besides ids (Chroma's default
        unless given)."""
        index = self._indexes[tenant]
        asked: dict[str, Any] = {"n_results": n} if include is None else {"n_results": n, "include": include}
        try:
            return index.collection.query(query_embeddings=[index.embedder.embed([query])[0]], **asked)
        except (NotFoundError, InternalError):
            self._reload()
            index = self._indexes[tenant]
            return index.collection.query(query_embeddings=[index.embedder.embed([query])[0]], **asked)

    def _reload(self) -> None:
        self._indexes.clear()
        self._keywords.clear()
        self._whole.clear()
        self._versions = None
        self._load()
        if not self._indexes and (swapped := self._swapped_layout()) is not None:
            self._cut = Cut.of(chunking_of(swapped))  # another process switched the strategy: follow it
            self._load()

    def _swapped_layout(self) -> str | None:
        """The one other layout our complete, current-embedder collections have, if just one does:
        what another process on the same Chroma server swapped in for the index this one served."""
        metas = [c.metadata or {} for c in self._ours()]
        layouts = {
            str(m.get("layout")) for m in metas if m.get("complete") and m.get("embedder") == self._embedder.name
        }
        return layouts.pop() if len(layouts) == 1 and layouts != {self._cut.layout} else None

    def search_now(
        self,
        query: str,
        k: int,
        hybrid: bool = False,
        *,
        tenant: str,
        rerank: bool | None = None,
        floor: float | None = None,
    ) -> list[Passage]:
        """The `k` passages of `tenant`'s articles nearest the query; no other tenant's, ever.
        With `rerank` (unless given, as the knowledge base was opened) the first stage's best
        RERANK_DEPTH passages are rescored by patterns/rerank.py and the best `k` of them kept.
        When no passage's vector similarity reaches the `floor` (unless given, the knowledge
        base's), nothing is found."""
        if not query.strip() or tenant not in self._indexes:  # a tenant with no index finds nothing
            return []
        reranking = self._rerank if rerank is None else rerank
        found = self._first_stage(query, max(k, RERANK_DEPTH) if reranking else k, hybrid, tenant)
        if max((p.score for p in found), default=0.0) < (self._floor if floor is None else floor):
            return []  # nothing close enough: not in the help centre, rather than an unrelated passage
        return self._reranked(query, found, tenant)[:k] if reranking else found

    def _reranked(self, query: str, passages: list[Passage], tenant: str) -> list[Passage]:
        """The passages in the reranker's order; the cosine is the serving index's embedder's."""
        texts = [f"{p.title}\n{p.text}" for p in passages]
        embedder = self._indexes[tenant].embedder
        question = embedder.embed([query])[0]
        cosines = [float(v @ question) for v in self._passage_vectors(embedder, texts)]
        return [passages[i] for i in rerank_order(query, texts, cosines)]

    def _passage_vectors(self, embedder: Embedder, texts: list[str]) -> list[Any]:
        """Whole passages' vectors, each embedded once (the help centre's passages are few and
        every question reranks some of them); forgotten on ingest."""
        missing = [t for t in dict.fromkeys(texts) if (embedder.name, t) not in self._whole]
        for text, vector in zip(missing, embedder.embed(missing) if missing else [], strict=True):
            self._whole[(embedder.name, text)] = vector
        return [self._whole[(embedder.name, t)] for t in texts]

    def _first_stage(self, query: str, k: int, hybrid: bool, tenant: str) -> list[Passage]:
        """Vector search, or vector and keyword search fused by reciprocal rank."""
        pool = k * 3  # small chunks of one section collapse into one passage, so ask for more
        if hybrid:
            return self._fused(query, k, pool, tenant)
        found = self._nearest(query, pool, tenant)
        ids, docs = found["ids"][0], (found["documents"] or [[]])[0]
        metas, distances = (found["metadatas"] or [[]])[0], (found["distances"] or [[]])[0]
        rows = zip(ids, docs, metas, distances, strict=True)
        return _distinct([_passage(i, d, m, score=1 - dist) for i, d, m, dist in rows], k)

    def _fused(self, query: str, k: int, pool: int, tenant: str) -> list[Passage]:
        """The nearest `pool` ids (with their distances only) and the best `pool` by BM25, fused;
        the passages come from the tenant's chunks in memory. Ids not among them (another replica
        wrote them since, or the index was swapped between the two lookups) are fetched from
        Chroma; a keyword hit of a swapped-out index is then in neither, and skipped."""
        found = self._nearest(query, pool, tenant, include=["distances"])
        scores = dict(zip(found["ids"][0], (1 - d for d in (found["distances"] or [[]])[0]), strict=True))
        held = self._chunks(tenant)
        fused = reciprocal_rank_fusion([list(scores), held.keywords.search(query, pool)])
        passages = {i: held.passages[i] for i in fused if i in held.passages}
        passages.update(self._passages([i for i in fused if i not in passages], tenant))
        kept = [i for i in fused if i in passages]
        return _distinct(
            [dataclasses.replace(passages[i], score=scores[i]) if i in scores else passages[i] for i in kept], k
        )

    def _passages(self, chunk_ids: list[str], tenant: str) -> dict[str, Passage]:
        """Chunks fetched from Chroma in one call (score 0: the caller knows the vector scores)."""
        if not chunk_ids:
            return {}
        got = self._indexes[tenant].collection.get(ids=chunk_ids, include=["documents", "metadatas"])
        rows = zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
        return {i: _passage(i, d, m, score=0.0) for i, d, m in rows}

    async def search(self, query: str, k: int, hybrid: bool = False, *, tenant: str) -> list[Passage]:
        """Search off the event loop: Chroma's client is synchronous."""
        return await asyncio.to_thread(lambda: self.search_now(query, k, hybrid, tenant=tenant))


def _recorded_folders(collection: Collection) -> dict[str, Path]:
    """source → folder, as an index's chunks record them (none before chunks did)."""
    found = collection.get(include=["metadatas"])
    return {str(m["source"]): Path(str(m["folder"])) for m in found["metadatas"] or [] if m.get("folder")}


def _collection_name(base: str, tenant: str, embedder: str, layout: str) -> str:
    """`<base>.<tenant>.<digest>`: one per tenant, embedder and layout, within Chroma's rules for
    names (letters, digits, `._-`, starting and ending with a letter or digit)."""
    digest = hashlib.sha256(f"{tenant}\n{embedder}\n{layout}".encode()).hexdigest()[:12]
    return f"{base}.{re.sub(r'[^A-Za-z0-9_-]', '-', tenant)[:40]}.{digest}"


def _without_space(meta: Mapping[str, Any]) -> dict[str, Any]:
    """A collection's metadata to write back: its distance is fixed at creation."""
    return {k: v for k, v in meta.items() if not k.startswith("hnsw:")}


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
