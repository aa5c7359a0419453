"""Process leases: which running process owns an answer streaming and an approval claimed.

Revision 0009, after 0008 (issue 17: several replicas on one database). Until now start-up closed
every unfinished answer and released every claim, which is right for one process and wrong for
two: a replica starting would cut off the other's live turns. A `process_lease` row per running
process, renewed on a timer, and an `owner` column on what it holds let recovery close only the
work of processes whose lease has lapsed. Rows from before this revision have no owner: no live
process holds them, so they are recovered as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OWNED = ("message", "approval")


def upgrade() -> None:
    op.create_table(
        "process_lease",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in OWNED:
        op.add_column(table, sa.Column("owner", sa.String(), nullable=True))


def downgrade() -> None:
    for table in OWNED:
        with op.batch_alter_table(table) as batch:  # SQLite drops a column by copying the table
            batch.drop_column("owner")
    op.drop_table("process_lease")
