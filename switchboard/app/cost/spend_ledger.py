"""The spend ledger: how many tokens and dollars each budget window has spent, in the database.

    add(keys, spend)         every window's row += spend, one INSERT ... ON CONFLICT DO UPDATE for all
    reserve(hold, decide, settling)
                             one transaction: the charges `settling` written (as settle_all),
                             the windows locked, charged + reserved read, `decide` judges, and
                             the hold recorded if the verdict lets the call go
    settle_all(charges)      one transaction: every charge's hold deleted, what was spent added
    settle(hold, keys, sp)   settle_all of one charge
    settle_in(conn, chs)     settle_all's writes in a transaction of the caller's (a connection's)
    drop_expired(now)        reservations past their expiry deleted (at start-up)
    spent(keys)              {key: Spend} charged in the windows asked about (absent: nothing spent)
    matching(pattern)        {key: Spend} charged in the windows whose key is LIKE the pattern

The addition happens in SQL, not as read-then-write in Python, so two turns finishing at once
both count; the rows survive a restart, so a customer's daily budget is not reset by one.
Dollars are stored as whole micro-dollars: a demo turn costs a few millionths of a dollar, and
summing floats in a database column drifts.

**Reserving is atomic.** `reserve` first writes every window's row (a no-op upsert, one
statement for all of them), in key order. That write takes the lock a second reserver or settler
of the same window must wait for until this transaction commits: on Postgres the row's lock, on
SQLite the database's write lock (the write is the transaction's first statement, so SQLite waits
for the lock rather than failing on a stale snapshot). Only then is the spend read, so two checks of one window are
weighed one after the other, the second seeing the first's reservation; key order keeps two
transactions from each holding a lock the other waits for. The charges a reservation carries
(`settling`) are added by that same first statement, their windows' rows among those locked.

A reservation expires (its `expires_at`): one whose call was never charged — the process died
in between — stops counting then, and is deleted at the next start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from switchboard.app.shop.db import Sessions, engine_of
from switchboard.app.shop.models import SpendReservation, SpendWindow
from switchboard.patterns.spend_budget import BudgetVerdict, Spend

Decide = Callable[[Mapping[str, Spend]], BudgetVerdict]


@dataclass(frozen=True)
class Charge:
    """What a finished call spent, in each of its windows, in place of its reservation `hold`."""

    hold: str | None  # None: the call was not checked, nothing was reserved
    keys: tuple[str, ...]
    spend: Spend


@dataclass(frozen=True)
class Hold:
    """A call's expected spend, to be reserved in each of its windows until `expires_at`."""

    id: str
    keys: tuple[str, ...]
    spend: Spend
    made_at: datetime  # reservations expired by then do not count
    expires_at: datetime


def literal(text: str) -> str:
    """Text matched as itself inside a `matching` pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def micro(usd: float) -> int:
    return round(usd * 1_000_000)


class SpendLedger:
    """Every transaction here is Core statements on a connection of the engine (no ORM session:
    the reservation check runs once per model call, on the turn's path)."""

    def __init__(self, sessions: Sessions) -> None:
        self._engine = engine_of(sessions)

    async def add(self, keys: Sequence[str], spend: Spend) -> None:
        async with self._engine.begin() as c:
            await _add_all(c, keys, spend)

    async def reserve(self, hold: Hold, decide: Decide, settling: Sequence[Charge] = ()) -> BudgetVerdict:
        """`decide`'s verdict on the windows' charged + reserved spend; the hold is recorded with it
        when the verdict lets the call go. The charges `settling` are written first, in the same
        transaction, so the verdict counts them at what they spent. Atomic: see the module's docstring."""
        async with self._engine.begin() as c:
            # the windows' locks (the hold's and the charges'), taken before anything is read
            await _add_rows(c, _amounts(settling, hold.keys))
            await _drop_holds(c, settling)
            verdict = decide(await _committed(c, hold.keys, hold.made_at))
            if verdict.allowed:
                await c.execute(sa.insert(RESERVATIONS), _reservations(hold))
        return verdict

    async def settle_all(self, charges: Sequence[Charge]) -> None:
        """What the calls really spent, in place of their reservations, in one transaction."""
        async with self._engine.begin() as c:
            await self.settle_in(c, charges)

    async def settle_in(self, c: AsyncConnection, charges: Sequence[Charge]) -> None:
        """settle_all's writes, inside a transaction of the caller's (a turn's end: the windows'
        rows are written last there, after rows no check locks, so no lock order is reversed)."""
        await _add_rows(c, _amounts(charges))
        await _drop_holds(c, charges)

    async def settle(self, hold: str | None, keys: Sequence[str], spent: Spend) -> None:
        """What a call really spent, in place of its reservation (None: it had none)."""
        await self.settle_all([Charge(hold, tuple(keys), spent)])

    async def drop_expired(self, now: datetime) -> int:
        """Reservations whose calls were never charged, past their expiry: deleted. How many."""
        async with self._engine.begin() as c:
            dropped = await c.execute(sa.delete(RESERVATIONS).where(RESERVATIONS.c.expires_at <= now))
        return int(dropped.rowcount)

    async def reserved(self, keys: Sequence[str], now: datetime) -> dict[str, Spend]:
        """{key: Spend} held by unexpired reservations in the windows asked about."""
        async with self._engine.connect() as c:
            rows = await c.execute(_reserved_query(keys, now))
            return {key: Spend(int(tokens), int(micros) / 1_000_000) for key, tokens, micros in rows}

    async def spent(self, keys: Sequence[str]) -> dict[str, Spend]:
        return await self._windows(WINDOWS.c.key.in_(list(keys)))

    async def matching(self, pattern: str) -> dict[str, Spend]:
        """`pattern`: SQL LIKE, `\\` escaping a literal % or _ (see `literal`)."""
        return await self._windows(WINDOWS.c.key.like(pattern, escape="\\"))

    async def _windows(self, where: sa.ColumnElement[bool]) -> dict[str, Spend]:
        async with self._engine.connect() as c:
            rows = await c.execute(sa.select(WINDOWS.c.key, WINDOWS.c.tokens, WINDOWS.c.micro_usd).where(where))
            return {key: Spend(tokens, micros / 1_000_000) for key, tokens, micros in rows}


WINDOWS: sa.Table = SpendWindow.__table__  # type: ignore[attr-defined]
RESERVATIONS: sa.Table = SpendReservation.__table__  # type: ignore[attr-defined]


async def _committed(c: AsyncConnection, keys: Sequence[str], now: datetime) -> dict[str, Spend]:
    """Charged + reserved (unexpired), per window: both read by one statement (UNION ALL)."""
    w = WINDOWS.c
    charged = sa.select(w.key, w.tokens, w.micro_usd).where(w.key.in_(list(keys)))
    rows = (await c.execute(sa.union_all(charged, _reserved_query(keys, now)))).all()
    committed = {key: Spend() for key in keys}
    for key, tokens, micros in rows:
        committed[key] = committed[key] + Spend(int(tokens), int(micros) / 1_000_000)
    return committed


def _reserved_query(keys: Sequence[str], now: datetime) -> Any:
    """(key, tokens, micro-dollars) held by unexpired reservations, per window."""
    r = RESERVATIONS.c
    return (
        sa.select(r.key, sa.func.sum(r.tokens), sa.func.sum(r.micro_usd))
        .where(r.key.in_(list(keys)), r.expires_at > now)
        .group_by(r.key)
    )


def _reservations(hold: Hold) -> list[dict[str, Any]]:
    """The hold's rows, one a window (parameters of one executemany INSERT)."""
    tokens, micros, expires = hold.spend.tokens, micro(hold.spend.usd), hold.expires_at
    return [
        {"id": hold.id, "key": key, "tokens": tokens, "micro_usd": micros, "expires_at": expires} for key in hold.keys
    ]


def _amounts(charges: Sequence[Charge], touched: Sequence[str] = ()) -> dict[str, tuple[int, int]]:
    """{key: (tokens, micro-dollars)} the charges add to each window, each key once (one row of an
    upsert may not be hit twice); `touched`: windows written with nothing added, for their locks.
    Each charge is rounded to micro-dollars on its own, as if it had been written alone."""
    amounts = dict.fromkeys(touched, (0, 0))
    for charge in charges:
        for key in charge.keys:
            tokens, micros = amounts.get(key, (0, 0))
            amounts[key] = (tokens + charge.spend.tokens, micros + micro(charge.spend.usd))
    return amounts


async def _drop_holds(c: AsyncConnection, charges: Sequence[Charge]) -> None:
    """The reservations the charges settle, deleted in one statement."""
    holds = [charge.hold for charge in charges if charge.hold is not None]
    if holds:
        await c.execute(sa.delete(RESERVATIONS).where(RESERVATIONS.c.id.in_(holds)))


async def _add_all(c: AsyncConnection, keys: Sequence[str], spend: Spend) -> None:
    await _add_rows(c, dict.fromkeys(keys, (spend.tokens, micro(spend.usd))))


async def _add_rows(c: AsyncConnection, amounts: Mapping[str, tuple[int, int]]) -> None:
    """Every window's row += its (tokens, micro-dollars), in one statement (one round trip, not one
    a window). The rows are written in key order, so two transactions lock shared rows in the same
    order."""
    if not amounts:
        return
    insert = postgresql.insert if c.dialect.name == "postgresql" else sqlite.insert
    values = [{"key": k, "tokens": amounts[k][0], "micro_usd": amounts[k][1]} for k in sorted(amounts)]
    row = insert(WINDOWS).values(values)
    summed = {
        "tokens": WINDOWS.c.tokens + row.excluded.tokens,
        "micro_usd": WINDOWS.c.micro_usd + row.excluded.micro_usd,
    }
    await c.execute(row.on_conflict_do_update(index_elements=["key"], set_=summed))
