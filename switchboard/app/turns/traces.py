"""Where each turn's trace is kept (`tracing`): its spans, written with the turn, read by the viewer.

The in-process exporter is `Tracing`'s `TurnSpans` (app/telemetry/tracing.py), which holds the
spans as they end. The runner claims a turn's spans when it saves the turn's record and writes
them in the same transaction, each row scoped like the record (conversation, record, tenant, customer); the HTTP
request's span, which ends after the turn, is written by the tracing middleware when the response
ends (`request_done`), under the scope the turn claimed for its trace. A trace no turn claimed
(a page view) is dropped there.
"""

from __future__ import annotations

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

MAX_CLAIMS = 2000  # traces whose request is still open: more would mean responses never ending


@dataclass(frozen=True)
class TraceScope:
    """Whose a trace is: its turn's, exactly as the turn's record is scoped."""

    conversation_id: str
    record_id: str
    tenant_id: str
    customer_id: str


class TraceStore:
    def __init__(
        self, sessions: Sessions, tracing: Tracing, prompt_versions: Callable[[], Mapping[str, str]] = dict
    ) -> None:
        """`prompt_versions`: each prompt's version now, which a turn's span names (the version matrix)."""
        self._sessions = sessions
        self.tracing = tracing
        self.prompt_versions = prompt_versions
        self._claims: OrderedDict[str, TraceScope] = OrderedDict()

    def tracer(self, on: bool) -> Tracer:
        return self.tracing.tracer(on)

    def claim(self, trace_id: str, scope: TraceScope) -> list[dict[str, Any]]:
        """The trace's spans finished so far, as rows under `scope` (the runner writes them in the
        transaction that stores the turn's record); the trace is claimed for the spans still open
        (its request's), which `request_done` writes."""
        self._claims[trace_id] = scope
        while len(self._claims) > MAX_CLAIMS:
            self._claims.popitem(last=False)
        return [span_row(span, scope) for span in self.tracing.take(trace_id)]

    async def request_done(self, trace_id: str) -> int:
        """The request's span has ended: write what is left of a claimed trace, drop the rest."""
        spans = self.tracing.take(trace_id)
        scope = self._claims.pop(trace_id, None)
        return 0 if scope is None else await self._write(spans, scope)

    async def _write(self, spans: list[SpanData], scope: TraceScope) -> int:
        if not spans:
            return 0
        async with self._sessions() as s, s.begin():
            await insert_spans(s, [span_row(span, scope) for span in spans])
        return len(spans)

    async def trace(self, trace_id: str) -> list[SpanRow]:
        """A trace's spans, earliest first (none: no such trace, or not kept)."""
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
