"""Spend reservations: a budget check holds a call's expected spend until the call is charged.

Revision 0003, after 0002.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spend_reservation",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("micro_usd", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", "key"),
    )
    op.create_index(op.f("ix_spend_reservation_key"), "spend_reservation", ["key"], unique=False)
    op.create_index(op.f("ix_spend_reservation_expires_at"), "spend_reservation", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_spend_reservation_expires_at"), table_name="spend_reservation")
    op.drop_index(op.f("ix_spend_reservation_key"), table_name="spend_reservation")
    op.drop_table("spend_reservation")
