"""Where each turn's trace is kept (`tracing`): its spans, written with the turn, read by the viewer.

The in-process exporter is `Tracing`'s `TurnSpans` (app/telemetry/tracing.py), which holds the
spans as they end. The runner claims a turn's spans when it saves the turn's record, each row
scoped like the record (conversation, record, tenant, customer); the HTTP request's span, which
ends after the turn, is claimed by the tracing middleware when the response ends
(`request_done`), under the scope the turn claimed for its trace. A trace no turn claimed (a page
view) is dropped there: not written, only handed to the OTLP exporter if there is one.

Claimed spans are written behind the turn, every `WRITE_EVERY_S`, all pending traces in one
transaction (patterns/write_behind.py), as an OpenTelemetry batch exporter would: writing them
with each record cost a turn more than making them. Each claim is ONE row (`trace_parts`): its
spans as one JSON array, made in the batch from the recorder's finished spans; the same batch
hands them, as the SDK's spans, to the OTLP exporter (`Tracing.export`). A row per span —
fourteen columns, two JSON ones, each bound and encoded on its own — cost the process more CPU
than the SDK spent making the spans. A read flushes first, so the viewer always sees every span
claimed before it asked; a crash can lose the spans of the last interval, never a turn's record.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from opentelemetry.trace import Tracer
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from switchboard.app.shop.models import TraceRow
from switchboard.app.telemetry.lean import LeanSpan
from switchboard.app.telemetry.tracing import SpanData, Tracing, span_object
from switchboard.patterns.write_behind import WriteBehind

MAX_CLAIMS = 2000  # traces whose request is still open: more would mean responses never ending
WRITE_EVERY_S = 0.5


@dataclass(frozen=True)
class TraceScope:
    """Whose a trace is: its turn's, exactly as the turn's record is scoped."""

    conversation_id: str
    record_id: str
    tenant_id: str
    customer_id: str


@dataclass(frozen=True)
class Claimed:
    """Spans one claim took, under their trace's scope: one `trace_parts` row, once written
    (`scope` None: a trace no turn claimed, only exported)."""

    trace_id: str
    scope: TraceScope | None
    spans: list[LeanSpan]


@dataclass(frozen=True)
class StoredTrace:
    """A trace as read back: whose it is (its first part's scope) and its spans, earliest first."""

    scope: TraceScope
    spans: list[SpanData]


class TraceStore:
    def __init__(
        self,
        engine: AsyncEngine,
        tracing: Tracing,
        prompt_versions: Callable[[], Mapping[str, str]] = dict,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`engine`: the app's database, written and read through SQLAlchemy Core alone: an ORM
        session's set-up cost each batch a third more CPU than its INSERT.
        `prompt_versions`: each prompt's version now, which a turn's span names (the version matrix)."""
        self._engine = engine
        self.tracing = tracing
        self.prompt_versions = prompt_versions
        self._claims: OrderedDict[str, TraceScope] = OrderedDict()
        self._writes: WriteBehind[int, Claimed] = WriteBehind(self._write_many, clock, WRITE_EVERY_S)
        self._offers = itertools.count()  # each claim is a key of its own: nothing replaces it

    def tracer(self, on: bool) -> Tracer:
        return self.tracing.tracer(on)

    def claim(self, trace_id: str, scope: TraceScope) -> int:
        """The trace's spans finished so far, kept under `scope`; the trace is claimed for the
        spans still open (its request's), which `request_done` keeps. How many were kept."""
        self._claims[trace_id] = scope
        while len(self._claims) > MAX_CLAIMS:
            self._claims.popitem(last=False)
        return self._keep(trace_id, self.tracing.take_finished(trace_id), scope)

    def request_done(self, trace_id: str) -> int:
        """The request's span has ended: keep what is left of a claimed trace, drop the rest
        (an exporter still gets it). How many were kept."""
        spans = self.tracing.take_finished(trace_id)
        scope = self._claims.pop(trace_id, None)
        if scope is None and spans and self.tracing.extra:
            self._writes.offer(next(self._offers), Claimed(trace_id, None, spans))
        return 0 if scope is None else self._keep(trace_id, spans, scope)

    def _keep(self, trace_id: str, spans: list[LeanSpan], scope: TraceScope) -> int:
        """Held as recorded: turned into JSON (and the exporter's spans) in the batch, behind the turn."""
        if spans:
            self._writes.offer(next(self._offers), Claimed(trace_id, scope, spans))
        return len(spans)

    async def _write_many(self, batch: dict[int, Claimed]) -> None:
        for claimed in batch.values():
            self.tracing.export(claimed.spans)
        rows = [part_row(claimed) for claimed in batch.values() if claimed.scope is not None]
        if rows:
            async with self._engine.begin() as connection:
                await insert_parts(connection, rows)

    async def flush(self) -> None:
        """Every span kept so far in the database (a read does this first; so does shutdown)."""
        await self._writes.flush()

    async def trace(self, trace_id: str) -> StoredTrace | None:
        """A trace's spans, earliest first (None: no such trace, or not kept)."""
        await self.flush()
        parts_table = TraceRow.metadata.tables["trace_parts"]
        query = sa.select(parts_table).where(parts_table.c.trace_id == trace_id).order_by(parts_table.c.id)
        async with self._engine.connect() as connection:
            parts = list((await connection.execute(query)).all())
        if not parts:
            return None
        first = parts[0]
        scope = TraceScope(first.conversation_id, first.record_id, first.tenant_id, first.customer_id)
        spans = [SpanData(**span) for part in parts for span in json.loads(part.spans)]
        return StoredTrace(scope, sorted(spans, key=lambda span: span.start_ns))


async def insert_parts(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """One multi-row INSERT, not the ORM's unit of work (its bookkeeping costs more than the rows)."""
    if rows:
        await connection.execute(sa.insert(TraceRow), list(rows))


def part_row(claimed: Claimed) -> dict[str, Any]:
    """A claim's row in `trace_parts`: its scope, and its spans as one JSON array of objects."""
    assert claimed.scope is not None
    spans = [span_object(span, claimed.trace_id) for span in claimed.spans]
    return {"trace_id": claimed.trace_id, **vars(claimed.scope), "spans": json.dumps(spans, separators=(",", ":"))}
