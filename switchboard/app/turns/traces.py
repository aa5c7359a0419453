"""Where each turn's trace is kept (`tracing`): its spans, written with the turn, read by the viewer.

The in-process exporter is `Tracing`'s `TurnSpans` (app/telemetry/tracing.py), which holds the
spans as they end. The runner claims a turn's spans when it saves the turn's record, each row
scoped like the record (conversation, record, tenant, customer); the HTTP request's span, which
ends after the turn, is claimed by the tracing middleware when the response ends
(`request_done`), under the scope the turn claimed for its trace. A trace no turn claimed (a page
view) is dropped there.

Claimed rows are written behind the turn, every `WRITE_EVERY_S`, all pending traces in one
transaction (patterns/write_behind.py), as an OpenTelemetry batch exporter would: writing them
with each record cost a turn more than making them. A read flushes first, so the viewer always
sees every span claimed before it asked; a crash can lose the spans of the last interval, never a
turn's record.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from opentelemetry.trace import Tracer
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import SpanRow
from switchboard.app.telemetry.tracing import SpanData, Tracing
from switchboard.patterns.write_behind import WriteBehind

MAX_CLAIMS = 2000  # traces whose request is still open: more would mean responses never ending
WRITE_EVERY_S = 0.5
Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class TraceScope:
    """Whose a trace is: its turn's, exactly as the turn's record is scoped."""

    conversation_id: str
    record_id: str
    tenant_id: str
    customer_id: str


class TraceStore:
    def __init__(
        self,
        sessions: Sessions,
        tracing: Tracing,
        prompt_versions: Callable[[], Mapping[str, str]] = dict,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`prompt_versions`: each prompt's version now, which a turn's span names (the version matrix)."""
        self._sessions = sessions
        self.tracing = tracing
        self.prompt_versions = prompt_versions
        self._claims: OrderedDict[str, TraceScope] = OrderedDict()
        self._writes: WriteBehind[int, Rows] = WriteBehind(self._write_many, clock, WRITE_EVERY_S)
        self._offers = itertools.count()  # each claim is a key of its own: nothing replaces it

    def tracer(self, on: bool) -> Tracer:
        return self.tracing.tracer(on)

    def claim(self, trace_id: str, scope: TraceScope) -> int:
        """The trace's spans finished so far, kept under `scope`; the trace is claimed for the
        spans still open (its request's), which `request_done` keeps. How many were kept."""
        self._claims[trace_id] = scope
        while len(self._claims) > MAX_CLAIMS:
            self._claims.popitem(last=False)
        return self._keep(self.tracing.take(trace_id), scope)

    def request_done(self, trace_id: str) -> int:
        """The request's span has ended: keep what is left of a claimed trace, drop the rest."""
        spans = self.tracing.take(trace_id)
        scope = self._claims.pop(trace_id, None)
        return 0 if scope is None else self._keep(spans, scope)

    def _keep(self, spans: list[SpanData], scope: TraceScope) -> int:
        if spans:
            self._writes.offer(next(self._offers), [span_row(span, scope) for span in spans])
        return len(spans)

    async def _write_many(self, batch: dict[int, Rows]) -> None:
        async with self._sessions() as s, s.begin():
            await insert_spans(s, [row for rows in batch.values() for row in rows])

    async def flush(self) -> None:
        """Every span kept so far in the database (a read does this first; so does shutdown)."""
        await self._writes.flush()

    async def trace(self, trace_id: str) -> list[SpanRow]:
        """A trace's spans, earliest first (none: no such trace, or not kept)."""
        await self.flush()
        async with self._sessions() as s:
            query = select(SpanRow).where(col(SpanRow.trace_id) == trace_id).order_by(col(SpanRow.start_ns))
            return list((await s.exec(query)).all())


async def insert_spans(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """One multi-row INSERT, not the ORM's unit of work: a traced turn writes a dozen rows, and
    the ORM's bookkeeping for them would cost more than making the spans did."""
    if rows:
        await (await session.connection()).execute(sa.insert(SpanRow), list(rows))


def span_row(span: SpanData, scope: TraceScope) -> dict[str, Any]:
    """A span's row in `spans`, scoped like its turn's record (a shallow copy: `asdict` would
    deep-copy every attribute, the costliest step of keeping a trace)."""
    return {**vars(span), **vars(scope)}
