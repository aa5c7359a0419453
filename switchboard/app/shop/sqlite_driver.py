"""SQLite through aiosqlite with one trip to its thread per statement, not four.

SQLAlchemy's aiosqlite adapter asks aiosqlite's thread for a cursor, then to execute, then for
the rows, then to close the cursor: four hand-offs between the event loop and that thread per
statement, each a queue put, a thread wake-up and a future resolved back on the loop (about 80
of them a turn, a large share of the turn's CPU). Here the whole statement — cursor, execute,
rows, close — is one function run in that thread, and its result (rows, description, row count)
comes back in one piece. Transactions, commits and errors are aiosqlite's and SQLAlchemy's, as
before; only the cursor is different.

Given to the engine as its DBAPI module (`create_async_engine(url, module=one_hop_dbapi())`).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_


@dataclass
class Ran:
    """What a statement left on its sqlite3 cursor, taken before the cursor closed."""

    description: Any = None
    rowcount: int = -1
    lastrowid: int | None = None
    rows: list[Any] = field(default_factory=list)
    arraysize: int = 1


def run_statement(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> Ran:
    """One statement on its own cursor, in the database's thread: executed, read, closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        elif parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return Ran(cursor.description, cursor.rowcount, cursor.lastrowid, rows)
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor that holds a statement's result (`Ran`) instead of a live aiosqlite cursor."""

    __slots__ = ()

    def __init__(self, adapt_connection: Any) -> None:  # no aiosqlite cursor: no hop to open one
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = Ran()  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = deque()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        return self._run(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._run(operation, seq_of_parameters, True)

    def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        try:
            ran: Ran = await_(self._in_thread(operation, parameters, many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._cursor = ran  # type: ignore[assignment]
        self._rows = deque(ran.rows)

    async def _in_thread(self, operation: Any, parameters: Any, many: bool) -> Ran:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            # aiosqlite's own way into its thread (what its cursor methods use)
            ran: Ran = await connection._execute(  # type: ignore[no-untyped-call]
                run_statement, connection._conn, operation, parameters, many
            )
            return ran

    async def _async_soft_close(self) -> None:
        return None  # nothing is open: the statement's cursor closed in the thread

    def close(self) -> None:
        self._rows.clear()


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """Its cursors one hop a statement; a rollback with nothing to roll back, none at all."""

    __slots__ = ()
    _cursor_cls = OneHopCursor

    def rollback(self) -> None:
        # The pool rolls back every connection it takes back, and so does a session that only
        # read: after SELECTs alone sqlite3 holds no transaction, so that rollback does nothing,
        # but it would still cost a trip to the thread. (Read here, in the loop's thread: while
        # SQLAlchemy rolls back, nothing else runs on this connection.)
        connection = self._connection._connection
        if connection is not None and not connection.in_transaction:
            return
        super().rollback()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite's adapter module, its connections' cursors one hop a statement."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def one_hop_dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)
