"""The call log: every model call attempt's exact request and what came back, per turn record.

Revision 0006 (issue 14: replay).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXED = ("conversation_id", "customer_id", "tenant_id", "run_id", "created_at")


def upgrade() -> None:
    op.create_table(
        "model_call",
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("call_index", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("tenant_id", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("provider", sa.String(), nullable=False),
        sa.Column("masked", sa.Boolean(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("record_id", "call_index"),
    )
    for column in INDEXED:
        op.create_index(op.f(f"ix_model_call_{column}"), "model_call", [column], unique=False)


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(op.f(f"ix_model_call_{column}"), table_name="model_call")
    op.drop_table("model_call")
