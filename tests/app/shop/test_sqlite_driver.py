"""The one-hop SQLite cursor: the same results as aiosqlite's own adapter, one trip to the
database's thread per statement instead of four."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from switchboard.app.shop.db import make_engine


@contextmanager
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How many times code entered aiosqlite's thread, by the function it ran there."""
    seen: Counter[str] = Counter()
    enter = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen[getattr(fn, "__name__", "?")] += 1
        return await enter(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    with monkeypatch.context() as patch:
        patch.setattr(aiosqlite.Connection, "_execute", counted)
        yield seen


TABLE = sa.Table("item", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String))


@pytest.fixture(params=["one hop", "aiosqlite's adapter"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'items.db'}"
    made = make_engine(url) if request.param == "one hop" else create_async_engine(url)
    async with made.begin() as c:
        await c.run_sync(TABLE.metadata.create_all)
    yield made
    await made.dispose()


async def test_rows_counts_and_ids_are_those_of_aiosqlite(engine: AsyncEngine) -> None:
    async with engine.begin() as c:
        added = await c.execute(sa.insert(TABLE).values(name="tent"))
        await c.execute(sa.insert(TABLE), [{"name": "stove"}, {"name": "lamp"}])  # executemany
        changed = await c.execute(sa.update(TABLE).where(TABLE.c.name != "tent").values(name="gone"))
    async with engine.connect() as c:
        rows = (await c.execute(sa.select(TABLE.c.id, TABLE.c.name).order_by(TABLE.c.id))).all()
        none = (await c.execute(sa.select(TABLE.c.id).where(TABLE.c.name == "nothing"))).all()
    assert added.inserted_primary_key == (1,)
    assert changed.rowcount == 2
    assert [tuple(r) for r in rows] == [(1, "tent"), (2, "gone"), (3, "gone")]
    assert none == []


async def test_a_failing_statement_raises_sqlalchemys_error_and_rolls_back(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with engine.begin() as c:
            await c.execute(sa.insert(TABLE).values(id=7, name="tent"))
            await c.execute(sa.insert(TABLE).values(id=7, name="twice"))
    async with engine.connect() as c:
        assert (await c.execute(sa.select(sa.func.count()).select_from(TABLE))).scalar() == 0


async def test_a_statement_is_one_trip_to_the_database_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'items.db'}")
    async with engine.begin() as c:
        await c.run_sync(TABLE.metadata.create_all)
    async with engine.begin() as c:
        with hops(monkeypatch) as seen:
            await c.execute(sa.insert(TABLE), [{"name": "stove"}, {"name": "lamp"}])
            await c.execute(sa.select(TABLE.c.name))
    await engine.dispose()
    # aiosqlite's adapter: cursor, execute(many), fetchall, close — 7 trips for these two
    assert seen == {"run_statement": 2}


async def test_reading_and_giving_the_connection_back_costs_no_rollback_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'items.db'}")
    async with engine.begin() as c:
        await c.run_sync(TABLE.metadata.create_all)
    with hops(monkeypatch) as seen:
        async with engine.connect() as c:  # the pool rolls it back when it is given back
            await c.execute(sa.select(TABLE.c.name))
    await engine.dispose()
    assert seen == {"run_statement": 1}
