"""Where LangGraph keeps each conversation's checkpoints: a SQLite file, or Postgres by URL.

On Postgres every replica reads and writes the same checkpoints, so a conversation started on
one continues on another. The saver's own tables are made by its `setup()` (its migrations,
idempotent), run here at start-up before any turn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

if TYPE_CHECKING:  # the `scale` extra's packages, imported only when Postgres is chosen
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver


@asynccontextmanager
async def open_checkpointer(url: str, sqlite_path: Path, pool_size: int) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Postgres at `url` (a psycopg postgresql:// URL) when given, else the SQLite file."""
    if not url:
        async with AsyncSqliteSaver.from_conn_string(str(sqlite_path)) as saver:
            yield saver
        return
    async with postgres_checkpointer(url, pool_size) as saver:
        yield saver


@asynccontextmanager
async def postgres_checkpointer(url: str, pool_size: int) -> AsyncIterator[AsyncPostgresSaver]:
    """A saver over a pool of `pool_size` connections (one connection would make concurrent
    turns wait for each other's checkpoint writes), its tables set up."""
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    # What AsyncPostgresSaver needs of each connection (its from_conn_string sets the same): it
    # commits statement by statement, and prepared statements would break behind PgBouncer.
    connection = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        url, min_size=1, max_size=pool_size, kwargs=connection, open=False
    )
    async with pool:
        saver = AsyncPostgresSaver(conn=pool)
        await saver.setup()
        yield saver


async def set_up_checkpoints(url: str, sqlite_path: Path) -> str:
    """The saver's tables made (its `setup()`, idempotent) without serving: for `switchboard
    migrate`. Returns where, for the operator."""
    async with open_checkpointer(url, sqlite_path, pool_size=1) as saver:
        if isinstance(saver, AsyncSqliteSaver):  # Postgres's is set up on opening already
            await saver.setup()
    return "Postgres" if url else str(sqlite_path)
