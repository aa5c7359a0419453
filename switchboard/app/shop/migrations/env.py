"""Alembic's entry point: runs the revisions on the connection `migrate` hands over (__init__.py)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from switchboard.app.shop import models  # noqa: F401  (registers the tables, for comparisons)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters a table by copying it: batch mode does that for it
)
with context.begin_transaction():
    context.run_migrations()
