"""Tenants: every customer and product belongs to one storefront; orders belong to their customer.

Rows made before tenants existed were all Tidewater Outfitters' (the only shop there was), so the
new columns are filled with `tidewater`. The seed marker becomes per tenant, so that the next
start seeds the storefronts this database has not seen yet, and only those.

Revision 0002, after 0001.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FIRST_TENANT = "tidewater"


def upgrade() -> None:
    for table in ("customer", "product"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("tenant_id", sa.String(), nullable=False, server_default=FIRST_TENANT))
            batch.create_index(f"ix_{table}_tenant_id", ["tenant_id"], unique=False)
    op.execute(f"UPDATE meta SET key = 'seeded_at:{FIRST_TENANT}' WHERE key = 'seeded_at'")


def downgrade() -> None:
    op.execute(f"UPDATE meta SET key = 'seeded_at' WHERE key = 'seeded_at:{FIRST_TENANT}'")
    for table in ("customer", "product"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_tenant_id")
            batch.drop_column("tenant_id")
