"""The spend ledger: how many tokens and dollars each budget window has spent, in the database.

    add(keys, spend)         every window's row += spend, one INSERT ... ON CONFLICT DO UPDATE for all
    reserve(hold, decide, settling)
                             one transaction: the charges `settling` written (as settle_all),
                             the windows locked, charged + reserved read, `decide` judges, and
                             the hold recorded if the verdict lets the call go
    settle_all(charges)      one transaction: every charge's hold deleted, what was spent added
    settle(hold, keys, sp)   settle_all of one charge
    settle_in(session, chs)  settle_all's writes in a transaction of the caller's
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

from sqlalchemy import delete, func, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from switchboard.app.shop.db import Sessions
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
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def add(self, keys: Sequence[str], spend: Spend) -> None:
        async with self._sessions() as s:
            await _add_all(s, keys, spend)
            await s.commit()

    async def reserve(self, hold: Hold, decide: Decide, settling: Sequence[Charge] = ()) -> BudgetVerdict:
        """`decide`'s verdict on the windows' charged + reserved spend; the hold is recorded with it
        when the verdict lets the call go. The charges `settling` are written first, in the same
        transaction, so the verdict counts them at what they spent. Atomic: see the module's docstring."""
        async with self._sessions() as s:
            # the windows' locks (the hold's and the charges'), taken before anything is read
            await _add_rows(s, _amounts(settling, hold.keys))
            await _drop_holds(s, settling)
            verdict = decide(await _committed(s, hold.keys, hold.made_at))
            if verdict.allowed:
                s.add_all(_reservations(hold))
            await s.commit()
        return verdict

    async def settle_all(self, charges: Sequence[Charge]) -> None:
        """What the calls really spent, in place of their reservations, in one transaction."""
        async with self._sessions() as s:
            await _add_rows(s, _amounts(charges))
            await _drop_holds(s, charges)
            await s.commit()

    async def settle_in(self, s: AsyncSession, charges: Sequence[Charge]) -> None:
        """settle_all's writes, inside a transaction of the caller's (a turn's end: the windows'
        rows are written last there, after rows no check locks, so no lock order is reversed)."""
        await _add_rows(s, _amounts(charges))
        await _drop_holds(s, charges)

    async def settle(self, hold: str | None, keys: Sequence[str], spent: Spend) -> None:
        """What a call really spent, in place of its reservation (None: it had none)."""
        await self.settle_all([Charge(hold, tuple(keys), spent)])

    async def drop_expired(self, now: datetime) -> int:
        """Reservations whose calls were never charged, past their expiry: deleted. How many."""
        async with self._sessions() as s:
            dropped = await s.exec(delete(SpendReservation).where(col(SpendReservation.expires_at) <= now))  # type: ignore[call-overload]
            await s.commit()
        return int(dropped.rowcount)

    async def reserved(self, keys: Sequence[str], now: datetime) -> dict[str, Spend]:
        """{key: Spend} held by unexpired reservations in the windows asked about."""
        async with self._sessions() as s:
            return await _reserved(s, keys, now)

    async def spent(self, keys: Sequence[str]) -> dict[str, Spend]:
        async with self._sessions() as s:
            rows = await s.exec(select(SpendWindow).where(col(SpendWindow.key).in_(list(keys))))
            return {row.key: Spend(row.tokens, row.micro_usd / 1_000_000) for row in rows}

    async def matching(self, pattern: str) -> dict[str, Spend]:
        """`pattern`: SQL LIKE, `\\` escaping a literal % or _ (see `literal`)."""
        async with self._sessions() as s:
            rows = await s.exec(select(SpendWindow).where(col(SpendWindow.key).like(pattern, escape="\\")))
            return {row.key: Spend(row.tokens, row.micro_usd / 1_000_000) for row in rows}


async def _committed(s: AsyncSession, keys: Sequence[str], now: datetime) -> dict[str, Spend]:
    """Charged + reserved (unexpired), per window: both read by one statement (UNION ALL)."""
    w = SpendWindow
    charged = select(w.key, w.tokens, w.micro_usd).where(col(w.key).in_(list(keys)))
    rows = (await s.exec(union_all(charged, _reserved_query(keys, now)))).all()  # type: ignore[call-overload]
    committed = {key: Spend() for key in keys}
    for key, tokens, micros in rows:
        committed[key] = committed[key] + Spend(int(tokens), int(micros) / 1_000_000)
    return committed


def _reserved_query(keys: Sequence[str], now: datetime) -> Any:
    """(key, tokens, micro-dollars) held by unexpired reservations, per window."""
    r = SpendReservation
    return (
        select(r.key, func.sum(r.tokens), func.sum(r.micro_usd))
        .where(col(r.key).in_(list(keys)), col(r.expires_at) > now)
        .group_by(col(r.key))
    )


async def _reserved(s: AsyncSession, keys: Sequence[str], now: datetime) -> dict[str, Spend]:
    rows = await s.exec(_reserved_query(keys, now))
    return {key: Spend(int(tokens), int(micros) / 1_000_000) for key, tokens, micros in rows}


def _reservations(hold: Hold) -> list[SpendReservation]:
    tokens, micros, expires = hold.spend.tokens, micro(hold.spend.usd), hold.expires_at
    return [
        SpendReservation(id=hold.id, key=key, tokens=tokens, micro_usd=micros, expires_at=expires) for key in hold.keys
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


async def _drop_holds(s: AsyncSession, charges: Sequence[Charge]) -> None:
    """The reservations the charges settle, deleted in one statement."""
    holds = [charge.hold for charge in charges if charge.hold is not None]
    if holds:
        await s.exec(delete(SpendReservation).where(col(SpendReservation.id).in_(holds)))  # type: ignore[call-overload]


async def _add_all(s: AsyncSession, keys: Sequence[str], spend: Spend) -> None:
    await _add_rows(s, dict.fromkeys(keys, (spend.tokens, micro(spend.usd))))


async def _add_rows(s: AsyncSession, amounts: Mapping[str, tuple[int, int]]) -> None:
    """Every window's row += its (tokens, micro-dollars), in one statement (one round trip, not one
    a window). The rows are written in key order, so two transactions lock shared rows in the same
    order."""
    if not amounts:
        return
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = [{"key": k, "tokens": amounts[k][0], "micro_usd": amounts[k][1]} for k in sorted(amounts)]
    row = insert(SpendWindow).values(values)
    summed = {
        "tokens": SpendWindow.tokens + row.excluded.tokens,
        "micro_usd": SpendWindow.micro_usd + row.excluded.micro_usd,
    }
    await s.exec(row.on_conflict_do_update(index_elements=["key"], set_=summed))
