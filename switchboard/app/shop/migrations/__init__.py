"""The database's schema as named Alembic revisions, applied at start-up (no alembic CLI needed).

`versions/` holds one file per change, oldest first: `0001` is the schema databases had before
revisions existed (what `SQLModel.metadata.create_all` made), `0002` adds tenants, `0003` spend
reservations, `0004` the audit log. A database made before revisions has tables but no
`alembic_version`; `0001` creates only the tables it lacks, so such a database is brought to
`0001` with its rows as they were and then upgraded like any other, and a fresh one is built
from `0001` up. Each revision runs in the transaction `migrate` opens: on Postgres a failed
upgrade leaves the database as it was.

A change to the tables in models.py needs a revision here too; tests/app/shop/migrations checks
that the upgraded schema is the one the models describe. To write one, copy the latest file:
`revision` is its id, `down_revision` the one before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

HERE = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, from code: the revisions here, run on `connection` (env.py)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


@dataclass(frozen=True)
class Migrated:
    """What `migrate` did: the revision found (None: a database with no revisions yet) and the one left."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


async def migrate(engine: AsyncEngine) -> Migrated:
    """Bring the database up to the latest revision, in one transaction where the database allows."""
    async with engine.begin() as connection:
        before = await connection.run_sync(current_revision)
        await connection.run_sync(upgrade_to_head)
        return Migrated(before, await connection.run_sync(current_revision))


def upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
