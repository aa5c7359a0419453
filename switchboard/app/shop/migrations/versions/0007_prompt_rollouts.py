"""Prompt rollouts: per prompt, the stable version, an optional candidate and its share.

Revision 0007 (issue 14: the prompt canary).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prompt_rollout",
        sa.Column("prompt", sa.String(), nullable=False),
        sa.Column("stable", sa.String(), nullable=False),
        sa.Column("candidate", sa.String(), nullable=True),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("prompt"),
    )


def downgrade() -> None:
    op.drop_table("prompt_rollout")
