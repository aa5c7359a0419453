"""Recovery with several processes on one database (process leases, revision 0009): a process
starting up leaves another's live answer and claimed approval alone; once that one's lease lapses
(it stopped renewing: killed with -9), a survivor's next sweep closes them. On SQLite and on a
real Postgres (tests/services/postgres.py)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path

import pytest

from switchboard.app.services import Services, running_services
from switchboard.app.shop.models import Approval, Message
from switchboard.app.turns.recovery import INTERRUPTED
from tests.app.turns.test_approvals import waiting_approval
from tests.conftest import fast_settings
from tests.fakes import CalendarClock

TTL_S = 600.0  # the keepers' own timers (every ttl/3 of real time) never fire in a test: it ticks them


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"


def _process(tmp_path: Path, name: str, url: str, clock: CalendarClock) -> AbstractAsyncContextManager[Services]:
    settings = fast_settings(tmp_path / name).model_copy(update={"database_url": url, "lease_ttl_s": TTL_S})
    return running_services(settings, now=clock)


async def _held_work(services: Services) -> tuple[str, str]:
    """An answer streaming (a draft saved, no record) and an approval claimed by a decision in flight."""
    conversation, waiting = await waiting_approval(services)
    await services.approvals._claim(waiting.id)  # a person's decision, mid-way
    opened = await services.conversations.open_exchange(conversation, "and how long will it take?")
    await services.conversations.save_drafts({opened.reply.id: "It usually takes"})
    return opened.reply.id, waiting.id


async def _state(services: Services, message_id: str, approval_id: str) -> tuple[Message, Approval]:
    async with services.sessions() as s:
        message, approval = await s.get(Message, message_id), await s.get(Approval, approval_id)
    assert message is not None and approval is not None
    return message, approval


async def test_a_second_process_leaves_the_first_s_live_work_alone_until_its_lease_lapses(
    database_url: str, tmp_path: Path
) -> None:
    clock = CalendarClock()
    async with _process(tmp_path, "first", database_url, clock) as first:
        first.keeper.stop()  # from here on the first never renews: as if killed with -9
        message_id, approval_id = await _held_work(first)
        async with _process(tmp_path, "second", database_url, clock) as second:
            second.keeper.stop()
            message, approval = await _state(second, message_id, approval_id)
            assert (message.complete, message.record_id, message.owner) == (False, None, first.leases.id)
            assert (approval.status, approval.owner) == ("deciding", first.leases.id)
            clock.now += timedelta(seconds=TTL_S)  # exactly ttl since the first's lease: still live
            assert await second.keeper.tick() == 0
            clock.now += timedelta(seconds=1)  # now > renewed_at + ttl: the first is taken for dead
            assert await second.keeper.tick() == 2
            message, approval = await _state(second, message_id, approval_id)
            assert (message.content, message.complete) == ("It usually takes", False)  # the partial text kept
            record = await second.records.get(message.record_id or "")
            assert record is not None and record.outcome == "error" and record.data["error"] == INTERRUPTED
            assert (approval.status, approval.owner) == ("pending", None)
            assert [lease.id for lease in await second.leases.live()] == [second.leases.id]
            assert await second.keeper.tick() == 0  # closed once


async def test_a_live_process_s_renewals_keep_its_work_its_own(database_url: str, tmp_path: Path) -> None:
    clock = CalendarClock()
    async with _process(tmp_path, "first", database_url, clock) as first:
        first.keeper.stop()
        message_id, approval_id = await _held_work(first)
        async with _process(tmp_path, "second", database_url, clock) as second:
            second.keeper.stop()
            for _ in range(3):  # well past one ttl in all, but never a ttl without a renewal
                clock.now += timedelta(seconds=TTL_S * 0.9)
                await first.keeper.tick()
                assert await second.keeper.tick() == 0
            message, approval = await _state(second, message_id, approval_id)
            assert (message.record_id, approval.status) == (None, "deciding")
            assert {lease.id for lease in await second.leases.live()} == {first.leases.id, second.leases.id}


async def test_a_clean_stop_drops_the_lease_and_the_next_start_closes_what_it_left(tmp_path: Path) -> None:
    url, clock = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}", CalendarClock()
    async with _process(tmp_path, "first", url, clock) as first:
        message_id, approval_id = await _held_work(first)
    async with _process(tmp_path, "again", url, clock) as again:
        message, approval = await _state(again, message_id, approval_id)  # closed at start-up: no clock moved
        assert message.record_id is not None and approval.status == "pending"
        assert [lease.id for lease in await again.leases.live()] == [again.leases.id]
