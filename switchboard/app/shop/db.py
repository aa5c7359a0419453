"""The async database engine: a SQLite file by default, Postgres or any async URL by setting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from switchboard.app.shop.migrations import Migrated, migrate

Sessions = async_sessionmaker[AsyncSession]


# SQLite takes one writer at a time. A pool of connections lets many transactions queue for
# the file's lock inside SQLite, each holding a connection while it polls (so reads wait for a
# connection too) and the unluckiest giving up with "database is locked". One connection makes
# them queue in the event loop instead, in order, costing nothing while they wait; a read or
# write here takes well under a millisecond. The timeout covers the other writer, LangGraph's
# checkpointer, which has a connection of its own.
SQLITE_POOL = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60, "connect_args": {"timeout": 30}}


def make_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    """An engine for `url`: SQLite's single connection, or a pool of `pool_size` (plus as many
    again at peaks) for a server database such as Postgres."""
    if not url.startswith("sqlite"):
        # pre_ping: a replica outlives a database restart without failing its next turn.
        return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **SQLITE_POOL)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: object, _record: object) -> None:
    # WAL lets the web server read while a run writes; foreign keys are off by default in SQLite.
    # In WAL mode synchronous=NORMAL still survives the process being killed (a commit is in the
    # WAL file, in the OS's hands, before it returns); only a power cut can lose the last
    # commits. FULL would fsync each of the several writes a second every streaming answer makes.
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


async def upgrade_schema(engine: AsyncEngine) -> Migrated:
    """The tables as the models describe them: built, or migrated from an earlier version's."""
    return await migrate(engine)


def make_sessions(engine: AsyncEngine) -> Sessions:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


# Any fixed number: the key of the Postgres advisory lock replicas take around start-up's writes.
START_UP_LOCK = 0x5B0A2D


@asynccontextmanager
async def start_up_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """One process at a time through start-up's schema and seed writes, across replicas.

    Replicas started together on one fresh Postgres would otherwise race to create the same
    tables and seed the same rows, and all but one would fail. A session-level advisory lock
    (`pg_advisory_lock`) queues them: the next one in finds the schema at head and the shops
    seeded, and writes nothing. SQLite takes one writer at a time already: nothing to do there.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as holder:
        await holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": START_UP_LOCK})
        try:
            yield
        finally:
            await holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": START_UP_LOCK})
