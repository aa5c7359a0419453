"""A trace's spans as one JSON array per claim (`trace_parts`), instead of a row per span.

Revision 0008, after 0007 (issue 14: tracing's overhead). Writing a dozen rows of fourteen
columns, two of them JSON, for every traced turn cost more CPU than making the spans did; one
row of six columns holds the same spans. The spans 0005's table kept are copied over, grouped
by trace and scope, and the old table dropped; downgrade splits them back into rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SCOPE = ("trace_id", "conversation_id", "record_id", "tenant_id", "customer_id")
SPAN = ("trace_id", "span_id", "parent_span_id", "name", "kind", "start_ns", "end_ns", "status", "attributes", "events")


def upgrade() -> None:
    parts = op.create_table(
        "trace_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.String(), nullable=False) for name in SCOPE),
        sa.Column("spans", sa.String(), nullable=False),  # JSON text: a String as the model declares it
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("trace_id", "conversation_id", "record_id"):
        op.create_index(op.f(f"ix_trace_parts_{column}"), "trace_parts", [column], unique=False)
    grouped: defaultdict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in op.get_bind().execute(sa.text("SELECT * FROM spans ORDER BY start_ns")).mappings():
        span = {name: row[name] for name in SPAN}
        for name in ("attributes", "events"):  # JSON columns read back as text by a raw SELECT
            span[name] = json.loads(span[name]) if isinstance(span[name], str) else span[name] or {}
        grouped[tuple(row[name] for name in SCOPE)].append(span)
    rows = [{**dict(zip(SCOPE, scope, strict=True)), "spans": json.dumps(spans)} for scope, spans in grouped.items()]
    if rows:
        op.bulk_insert(parts, rows)
    op.drop_table("spans")


def downgrade() -> None:
    spans = op.create_table(
        "spans",
        sa.Column("span_id", sa.String(), nullable=False),
        sa.Column("trace_id", sa.String(), nullable=False),
        sa.Column("parent_span_id", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("start_ns", sa.BigInteger(), nullable=False),
        sa.Column("end_ns", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.Column("events", sa.JSON(), nullable=True),
        *(sa.Column(name, sa.String(), nullable=False) for name in SCOPE[1:]),
        sa.PrimaryKeyConstraint("span_id"),
    )
    for column in ("trace_id", "conversation_id", "record_id"):
        op.create_index(op.f(f"ix_spans_{column}"), "spans", [column], unique=False)
    rows: list[dict[str, Any]] = []
    for row in op.get_bind().execute(sa.text("SELECT * FROM trace_parts")).mappings():
        scope = {name: row[name] for name in SCOPE[1:]}
        rows.extend({**span, **scope} for span in json.loads(row["spans"]))
    if rows:
        op.bulk_insert(spans, rows)
    op.drop_table("trace_parts")
