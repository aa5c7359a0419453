"""Process leases: which running process owns the answers it streams and the approvals it decides.

Several processes share one database (replicas, `serve --workers N`). Each takes a lease at
start-up, renews it on a timer and drops it on a clean shutdown; what it holds carries the
lease's id in an `owner` column. A lease is expired once `now > renewed_at + ttl`: its process
is taken for dead, and a survivor closes the work it held (app/turns/recovery.py). Work with no
owner (written before revision 0009, or by a process without a lease) is nobody's: also closed.

The holder renews every ttl/3, so it survives two missed renewals (a busy database, a pause)
before anyone calls it dead. Liveness is decided inside the closing statement itself (a
subquery), so a process that starts between a sweep's read and its write is never mistaken for
a dead one.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_
from sqlmodel import col, select, update

from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import ProcessLease

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaseTerms:
    """How long a lease lasts unrenewed: expired when `now > renewed_at + ttl`."""

    ttl: timedelta

    def expired(self, renewed_at: datetime, now: datetime) -> bool:
        return now > _utc(renewed_at) + self.ttl

    def oldest_live(self, now: datetime) -> datetime:
        """The earliest `renewed_at` still live at `now`: `renewed_at >= now - ttl`."""
        return now - self.ttl

    @property
    def renew_every_s(self) -> float:
        """A third of the ttl: two renewals can be missed before the lease lapses."""
        return self.ttl.total_seconds() / 3


@dataclass(frozen=True)
class Identity:
    """Who a lease says is running: its id, and the process and host behind it (for people)."""

    lease: str
    pid: int
    host: str


class ProcessLeases:
    """This process's lease (taken, renewed, dropped) and the test for work no live lease holds."""

    def __init__(self, sessions: Sessions, now: Callable[[], datetime], terms: LeaseTerms, lease_id: str) -> None:
        self._sessions, self._now, self.terms = sessions, now, terms
        self.identity = Identity(lease=lease_id, pid=os.getpid(), host=socket.gethostname())

    @property
    def id(self) -> str:
        return self.identity.lease

    async def take(self) -> None:
        at = self._now()
        row = ProcessLease(id=self.id, pid=self.identity.pid, host=self.identity.host, started_at=at, renewed_at=at)
        async with self._sessions() as s, s.begin():
            s.add(row)

    async def renew(self) -> None:
        """Moves `renewed_at` to now. A lease found gone was taken for dead by a survivor (this
        process stalled past the ttl): it is taken again, and the stall logged."""
        async with self._sessions() as s, s.begin():
            mine = update(ProcessLease).where(col(ProcessLease.id) == self.id).values(renewed_at=self._now())
            renewed = await s.exec(mine)
        if renewed.rowcount == 0:
            log.warning("lease %s had lapsed (this process stalled past %s); taking it again", self.id, self.terms.ttl)
            await self.take()

    async def drop(self) -> None:
        async with self._sessions() as s, s.begin():
            await s.exec(delete(ProcessLease).where(col(ProcessLease.id) == self.id))

    def orphaned(self, owner: Any) -> ColumnElement[bool]:
        """SQL: `owner` is held by no live lease (none at all, or one expired at now)."""
        live = select(ProcessLease.id).where(col(ProcessLease.renewed_at) >= self.terms.oldest_live(self._now()))
        return or_(col(owner).is_(None), col(owner).not_in(live))

    async def forget_lapsed(self) -> int:
        """Deletes expired leases, once their work has been closed: the table keeps live ones."""
        lapsed = col(ProcessLease.renewed_at) < self.terms.oldest_live(self._now())
        async with self._sessions() as s, s.begin():
            gone = await s.exec(delete(ProcessLease).where(lapsed))
        return int(gone.rowcount)

    async def live(self) -> list[ProcessLease]:
        """The leases not expired at now (for the console and tests)."""
        async with self._sessions() as s:
            rows = (await s.exec(select(ProcessLease))).all()
        return [row for row in rows if not self.terms.expired(row.renewed_at, self._now())]


def _utc(moment: datetime) -> datetime:
    """SQLite gives datetimes back without their zone; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
