"""The spend ledger: how many tokens and dollars each budget window has spent, in the database.

    add(keys, spend)   every window's row += spend, one INSERT ... ON CONFLICT DO UPDATE each
    spent(keys)        {key: Spend} for the windows asked about (absent: nothing spent)
    matching(pattern)  {key: Spend} for the windows whose key is LIKE the pattern (the panel's lists)

The addition happens in SQL, not as read-then-write in Python, so two turns finishing at once
both count; the rows survive a restart, so a customer's daily budget is not reset by one.
Dollars are stored as whole micro-dollars: a demo turn costs a few millionths of a dollar, and
summing floats in a database column drifts.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import SpendWindow
from switchboard.patterns.spend_budget import Spend


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
            for key in keys:
                await _add_one(s, key, spend)
            await s.commit()

    async def spent(self, keys: Sequence[str]) -> dict[str, Spend]:
        async with self._sessions() as s:
            rows = await s.exec(select(SpendWindow).where(col(SpendWindow.key).in_(list(keys))))
            return {row.key: Spend(row.tokens, row.micro_usd / 1_000_000) for row in rows}

    async def matching(self, pattern: str) -> dict[str, Spend]:
        """`pattern`: SQL LIKE, `\\` escaping a literal % or _ (see `literal`)."""
        async with self._sessions() as s:
            rows = await s.exec(select(SpendWindow).where(col(SpendWindow.key).like(pattern, escape="\\")))
            return {row.key: Spend(row.tokens, row.micro_usd / 1_000_000) for row in rows}


async def _add_one(s: AsyncSession, key: str, spend: Spend) -> None:
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    row = insert(SpendWindow).values(key=key, tokens=spend.tokens, micro_usd=micro(spend.usd))
    summed = {
        "tokens": SpendWindow.tokens + row.excluded.tokens,
        "micro_usd": SpendWindow.micro_usd + row.excluded.micro_usd,
    }
    await s.exec(row.on_conflict_do_update(index_elements=["key"], set_=summed))
