"""The schema's revisions: a fresh database gets every table, and a database made before
revisions existed (by create_all) is upgraded with its rows kept."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from switchboard.app.shop.db import make_engine, upgrade_schema
from switchboard.app.shop.migrations import alembic_config, current_revision, head_revision

BEFORE_REVISIONS = Path(__file__).parent / "data" / "before_revisions.sql"
OLD_ROWS = """
INSERT INTO customer VALUES ('C1001', 'Ada Lovelace', 'ada@example.com', '+1 555 0100', '1 Main St', 'gold', 10,
                             '2026-01-01 00:00:00');
INSERT INTO product VALUES ('TNT-2P', 'Two-person tent', 'tents', 199.0, 24, 0, '');
INSERT INTO orders VALUES ('10001', 'C1001', '2026-11-01 00:00:00', 'delivered', 'standard', NULL, NULL);
INSERT INTO conversation VALUES ('conv_1', 'C1001', '2026-11-02 00:00:00', 'Where is my tent?');
INSERT INTO meta VALUES ('seeded_at', '2026-11-01T00:00:00+00:00');
"""


def old_database(path: Path, drop: tuple[str, ...] = ()) -> str:
    """A database file as an earlier version left it: its tables, a few rows, no alembic_version."""
    with sqlite3.connect(path) as db:
        db.executescript(BEFORE_REVISIONS.read_text())
        db.executescript(OLD_ROWS)
        for table in drop:
            db.execute(f"DROP TABLE {table}")
    return f"sqlite+aiosqlite:///{path}"


async def _run(engine: AsyncEngine, sql: str) -> list[tuple[object, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in (await connection.execute(text(sql))).all()]


async def _inspect(engine: AsyncEngine) -> dict[str, object]:
    def read(connection: Connection) -> dict[str, object]:
        return {
            "tables": set(inspect(connection).get_table_names()),
            "revision": current_revision(connection),
            "drift": compare_metadata(MigrationContext.configure(connection), SQLModel.metadata),
        }

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def test_a_fresh_database_gets_every_table_at_the_latest_revision(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    await upgrade_schema(engine)
    found = await _inspect(engine)
    await engine.dispose()
    assert found["tables"] == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert found["revision"] == head_revision()
    assert found["drift"] == []  # the revisions build exactly what the models describe


async def test_a_database_from_before_revisions_is_upgraded_with_its_rows(tmp_path: Path) -> None:
    engine = make_engine(old_database(tmp_path / "old.db"))
    await upgrade_schema(engine)
    found = await _inspect(engine)
    conversations = await _run(engine, "SELECT id, customer_id, title FROM conversation")
    orders = await _run(engine, "SELECT id, customer_id FROM orders")
    await engine.dispose()
    assert found["revision"] == head_revision()
    assert found["drift"] == []
    assert conversations == [("conv_1", "C1001", "Where is my tent?")]
    assert orders == [("10001", "C1001")]


async def test_rows_from_before_tenants_belong_to_the_first_shop(tmp_path: Path) -> None:
    engine = make_engine(old_database(tmp_path / "old.db"))
    await upgrade_schema(engine)
    customers = await _run(engine, "SELECT id, tenant_id FROM customer")
    products = await _run(engine, "SELECT sku, tenant_id FROM product")
    marker = await _run(engine, "SELECT key FROM meta")
    await engine.dispose()
    assert customers == [("C1001", "tidewater")] and products == [("TNT-2P", "tidewater")]
    assert marker == [("seeded_at:tidewater",)]  # so the next start seeds only the shops it lacks


async def test_tables_an_older_version_lacked_are_created_and_the_rest_kept(tmp_path: Path) -> None:
    engine = make_engine(old_database(tmp_path / "older.db", drop=("spend_window", "run_conversation")))
    await upgrade_schema(engine)
    found = await _inspect(engine)
    customers = await _run(engine, "SELECT id FROM customer")
    await engine.dispose()
    assert {"spend_window", "run_conversation"} <= found["tables"]  # type: ignore[operator]
    assert customers == [("C1001",)]


async def test_upgrading_an_upgraded_database_changes_nothing(tmp_path: Path) -> None:
    engine = make_engine(old_database(tmp_path / "twice.db"))
    await upgrade_schema(engine)
    await upgrade_schema(engine)
    rows = await _run(engine, "SELECT count(*) FROM customer")
    await engine.dispose()
    assert rows == [(1,)]


SPAN_ROW = (
    "INSERT INTO spans VALUES ('s{n}', 't1', NULL, 'span {n}', 'internal', {n}, {n}, 'unset',"
    " '{{\"n\": {n}}}', '[]', 'c_1', 'r_1', 'tidewater', 'C1001')"
)


async def test_spans_kept_a_row_each_are_carried_over_as_one_part_per_trace(tmp_path: Path) -> None:
    """0008 folds 0005's row per span into one JSON array per trace and scope, order kept."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'spans.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(lambda c: command.upgrade(alembic_config(c), "0007"))
        for n in (2, 1):
            await connection.execute(text(SPAN_ROW.format(n=n)))
    await upgrade_schema(engine)
    parts = await _run(engine, "SELECT trace_id, record_id, customer_id, spans FROM trace_parts")
    await engine.dispose()
    ((trace_id, record_id, customer_id, spans),) = parts
    assert (trace_id, record_id, customer_id) == ("t1", "r_1", "C1001")
    assert [(s["name"], s["attributes"]) for s in json.loads(str(spans))] == [
        ("span 1", {"n": 1}),
        ("span 2", {"n": 2}),
    ]


async def test_postgres_gets_the_same_schema(postgres_url: str) -> None:
    """On a fresh database of the session's real Postgres."""
    engine = make_engine(postgres_url)
    await upgrade_schema(engine)
    found = await _inspect(engine)
    await engine.dispose()
    assert found["revision"] == head_revision()
    assert found["drift"] == []
