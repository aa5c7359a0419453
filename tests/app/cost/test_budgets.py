"""Token budgets through the real path: a scripted customer meets the configured action at exactly
the turn whose expected spend would take their day over, a restart does not reset it, turns
charging at once all count, and an eval run spends in windows of its own. (A call cut off by a
customer leaving is charged too: tests/agents/test_spending.py, where the cut can be timed.)

The guard on its own, against the real database: checks made at once reserve, so exactly as many
pass as the budget fits, and the ledger ends at what was really spent; a restart keeps the spend
and drops reservations whose calls were never charged once they expire.

The limit is set from a calibration turn, not written in: on a first day the customer asks the
question once with no budget, and each call's check is watched to learn the turn's spend and the
highest `spent so far + expected` any of its calls reaches. On the next day, with a daily limit of
(K-1) turns' spend + that peak - 1 token, turns 1..K-1 fit and turn K would overrun.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from switchboard.agents.record import BudgetAction
from switchboard.app.cost.budgets import BudgetBook, BudgetChanges, BudgetSet, BudgetSpec, LedgerGuard
from switchboard.app.cost.spend_ledger import SpendLedger
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema
from switchboard.patterns.spend_budget import BudgetVerdict, Owners, Spend, window_key, window_keys
from tests.app.playing import turn
from tests.app.statements import counted
from tests.fakes import CalendarClock, GatedSleeps

QUESTION = "Can I return boots I bought last month?"
CUSTOMER = "C1001"
ACTING_TURN = 4  # the turn the daily budget is set to run out at
# Every turn calls the same models, so each spends the same; and the large one answers, so that
# degrading to the small one shows in the cost.
OFF_CACHE = {"semantic_cache": False, "model_routing": False}


@asynccontextmanager
async def started(data_dir: Path, clock: CalendarClock) -> AsyncIterator[Services]:
    settings = Settings(data_dir=data_dir, demo_ttft_ms=0, demo_tokens_per_s=0)
    async with running_services(settings, now=clock) as services:
        yield services


def day_key(services: Services, customer: str = CUSTOMER, run: str | None = None) -> str:
    return window_key("customer_day", Owners("", customer, "tidewater", rehearsal=run), services.now())


async def day_spend(services: Services, customer: str = CUSTOMER, run: str | None = None) -> Spend:
    await services.spend.settled()
    key = day_key(services, customer, run)
    return (await services.ledger.spent([key])).get(key, Spend())


async def calibrate(services: Services) -> tuple[int, int]:
    """One turn with nothing limited: (its tokens, the highest spent-so-far + expected of its calls)."""
    peaks: list[int] = []
    check = services.spend.check

    async def watched(owners: Owners, expected: Spend) -> BudgetVerdict:
        before = await day_spend(services)
        peaks.append(before.tokens + expected.tokens)
        return await check(owners, expected)

    services.spend.check = watched  # type: ignore[method-assign]
    try:
        await turn(services, CUSTOMER, QUESTION, token_budget=True, **OFF_CACHE)
    finally:
        services.spend.check = check  # type: ignore[method-assign]
    return (await day_spend(services)).tokens, max(peaks)


async def daily_limit_at_turn(services: Services, clock: CalendarClock, action: BudgetAction) -> None:
    """Calibrate today, then tomorrow a daily token budget that runs out at ACTING_TURN."""
    per_turn, peak = await calibrate(services)
    clock.now += timedelta(days=1)
    limit = (ACTING_TURN - 1) * per_turn + peak - 1
    await services.budgets.change(BudgetChanges(customer_day=BudgetSpec(action=action, max_tokens=limit)))


async def script(services: Services, turns: int) -> list[dict[str, Any]]:
    return [(await turn(services, CUSTOMER, QUESTION, token_budget=True, **OFF_CACHE))[1] for _ in range(turns)]


@pytest.mark.parametrize("action", ["refuse", "degrade", "warn"])
async def test_the_daily_budget_acts_at_exactly_the_turn_that_would_overrun_it(
    tmp_path: Path, action: BudgetAction
) -> None:
    clock = CalendarClock()
    async with started(tmp_path, clock) as services:
        await daily_limit_at_turn(services, clock, action)
        records = await script(services, ACTING_TURN + 1)
    acted = [r["budget_action"] for r in records]
    assert acted == [None] * (ACTING_TURN - 1) + [action, action]
    assert "customer_day budget" in records[ACTING_TURN - 1]["budget_detail"]
    before, after = records[: ACTING_TURN - 1], records[ACTING_TURN - 1 :]
    assert all(r["outcome"] == "answered" for r in before)
    if action == "refuse":
        assert all(r["outcome"] == "declined" for r in after)
        assert all("demo-large" not in r["models"] for r in after)  # the answering model was never called
    elif action == "degrade":
        assert all(r["models"] == ["demo-small"] for r in after)
        assert after[0]["cost_usd"] < before[0]["cost_usd"]
    else:
        assert [r["models"] for r in after] == [before[0]["models"]] * 2  # answered as before, recorded


async def test_a_restart_does_not_reset_the_days_spend_or_the_panels_edit(tmp_path: Path) -> None:
    clock = CalendarClock()
    async with started(tmp_path, clock) as services:
        await daily_limit_at_turn(services, clock, "refuse")
        first = await script(services, ACTING_TURN - 1)
    async with started(tmp_path, clock) as reopened:
        assert reopened.budgets.current.customer_day.action == "refuse"  # the edit, not the settings' degrade
        after = await script(reopened, 1)
    assert [r["budget_action"] for r in first + after] == [None] * (ACTING_TURN - 1) + ["refuse"]
    assert after[0]["outcome"] == "declined"


async def test_the_next_day_starts_afresh(tmp_path: Path) -> None:
    clock = CalendarClock()
    async with started(tmp_path, clock) as services:
        await daily_limit_at_turn(services, clock, "refuse")
        await script(services, ACTING_TURN)
        clock.now += timedelta(days=1)
        [tomorrow] = await script(services, 1)
    assert tomorrow["budget_action"] is None and tomorrow["outcome"] == "answered"


async def test_turns_charging_at_once_all_count(tmp_path: Path) -> None:
    async with started(tmp_path, CalendarClock()) as services:
        played = await asyncio.gather(*(turn(services, CUSTOMER, QUESTION, **OFF_CACHE) for _ in range(12)))
        spent = await day_spend(services)
    records = [record for _, record in played]
    assert spent.tokens == sum(r["input_tokens"] + r["output_tokens"] for r in records) > 0
    assert spent.usd == pytest.approx(sum(r["cost_usd"] for r in records), abs=1e-6 * 3 * len(records))


async def test_an_eval_run_spends_in_windows_of_its_own(tmp_path: Path) -> None:
    async with started(tmp_path, CalendarClock()) as services:
        conversation = await services.conversations.create(CUSTOMER)
        flags = {**services.flags.snapshot(), "token_budget": True, **OFF_CACHE}
        events = [e async for e in services.turns.play(conversation.id, CUSTOMER, QUESTION, flags, run_id="run_x")]
        record = events[-1].data
        assert await day_spend(services) == Spend()  # the live customer's day is untouched
        assert (await day_spend(services, run="run_x")).tokens == record["input_tokens"] + record["output_tokens"]


async def test_turns_under_a_budget_leave_no_reservation_behind(tmp_path: Path) -> None:
    async with started(tmp_path, CalendarClock()) as services:
        played = await asyncio.gather(
            *(turn(services, CUSTOMER, QUESTION, token_budget=True, **OFF_CACHE) for _ in range(4))
        )
        spent = await day_spend(services)
        held = await services.ledger.reserved([day_key(services)], services.now())
    assert held == {}
    assert spent.tokens == sum(r["input_tokens"] + r["output_tokens"] for _, r in played) > 0


HOLD_FOR = timedelta(minutes=10)
EXPECTED = Spend(100, 0.001)  # each call's estimate
REAL = Spend(60, 0.0006)  # what each really spent
FLUSH_AFTER = 0.1  # seconds a charge is held for the next check (the guards' sleep is gated: never for real)


@pytest.fixture
async def opened() -> AsyncIterator[list[AsyncEngine]]:
    """The engines a test opened, closed after it."""
    engines: list[AsyncEngine] = []
    yield engines
    for engine in engines:
        await engine.dispose()


async def guards(
    opened: list[AsyncEngine],
    data_dir: Path,
    clock: CalendarClock,
    fits: int,
    engines: int = 1,
    url: str = "",
    sleep: GatedSleeps | None = None,
) -> list[LedgerGuard]:
    """Guards over one database (a file in `data_dir` unless `url`), each through an engine of its
    own (as processes would be), under a daily refuse budget that fits `fits` calls' expected spend."""
    url = url or f"sqlite+aiosqlite:///{data_dir / 'shop.db'}"
    unlimited = BudgetSpec(action="warn")
    daily = BudgetSpec(action="refuse", max_tokens=fits * EXPECTED.tokens)
    made = []
    for _ in range(engines):
        engine = make_engine(url)
        opened.append(engine)
        await upgrade_schema(engine)
        sessions = make_sessions(engine)
        book = BudgetBook(sessions, BudgetSet(request=unlimited, customer_day=daily, tenant_month=unlimited))
        made.append(LedgerGuard(book, SpendLedger(sessions), clock, HOLD_FOR, FLUSH_AFTER, sleep or GatedSleeps()))
    return made


def owners(turn: int, customer: str = CUSTOMER) -> Owners:
    return Owners(f"turn-{turn}", customer, "tidewater")


async def ledger_state(guard: LedgerGuard, clock: CalendarClock, customer: str = CUSTOMER) -> tuple[Spend, Spend]:
    """The customer's day: (charged, reserved and unexpired)."""
    await guard.settled()
    key = window_key("customer_day", owners(0, customer), clock())
    ledger = guard._ledger
    return (await ledger.spent([key])).get(key, Spend()), (await ledger.reserved([key], clock())).get(key, Spend())


@pytest.mark.parametrize("engines", [1, 2])
async def test_checks_made_at_once_let_exactly_as_many_calls_through_as_the_budget_fits(
    tmp_path: Path, engines: int, opened: list[AsyncEngine]
) -> None:
    clock, fits, calls = CalendarClock(), 5, 12
    made = await guards(opened, tmp_path, clock, fits, engines)
    verdicts = await asyncio.gather(*(made[n % engines].check(owners(n), EXPECTED) for n in range(calls)))
    passed = [(n, v) for n, v in enumerate(verdicts) if v.allowed]
    assert len(passed) == fits
    assert all(v.budget is not None and v.budget.window == "customer_day" for v in verdicts if not v.allowed)
    assert await ledger_state(made[0], clock) == (Spend(), Spend(500, 0.005))  # 5 × EXPECTED
    for n, verdict in passed:
        made[n % engines].charge(owners(n), REAL, verdict.hold)
    for guard in made:
        await guard.settled()
    assert await ledger_state(made[0], clock) == (Spend(300, 0.003), Spend())  # 5 × REAL


async def test_on_postgres_too_checks_made_at_once_let_exactly_as_many_through_as_fit(
    tmp_path: Path, opened: list[AsyncEngine], postgres_url: str
) -> None:
    """Three engines, each a pool of connections: the checks' transactions truly overlap."""
    clock, fits, calls, customer = CalendarClock(), 7, 30, f"C-{uuid.uuid4().hex[:8]}"  # a window no earlier run used
    made = await guards(opened, tmp_path, clock, fits, engines=3, url=postgres_url)
    verdicts = await asyncio.gather(*(made[n % 3].check(owners(n, customer), EXPECTED) for n in range(calls)))
    assert sum(v.allowed for v in verdicts) == fits
    for n, verdict in enumerate(verdicts):
        if verdict.allowed:
            made[n % 3].charge(owners(n, customer), REAL, verdict.hold)
    for guard in made:
        await guard.settled()
    assert await ledger_state(made[0], clock, customer) == (Spend(7 * 60, 0.0042), Spend())


async def test_a_restart_keeps_the_spend_and_drops_reservations_never_charged_once_expired(
    tmp_path: Path, opened: list[AsyncEngine]
) -> None:
    clock = CalendarClock()
    [guard] = await guards(opened, tmp_path, clock, fits=3)
    charged = await guard.check(owners(1), EXPECTED)
    guard.charge(owners(1), REAL, charged.hold)
    assert (await guard.check(owners(2), EXPECTED)).allowed  # and the process dies before its charge
    await guard.settled()

    [restarted] = await guards(opened, tmp_path, clock, fits=3)
    await restarted.drop_expired()  # not yet expired: the call may still be running elsewhere
    assert await ledger_state(restarted, clock) == (REAL, EXPECTED)

    clock.now += HOLD_FOR
    [later] = await guards(opened, tmp_path, clock, fits=3)
    await later.drop_expired()
    assert await ledger_state(later, clock) == (REAL, Spend())
    window = window_keys(owners(2), clock())
    assert await later._ledger.reserved(window, clock() - HOLD_FOR) == {}  # deleted, not only expired
    verdicts = [await later.check(owners(n), EXPECTED) for n in (3, 4, 5)]
    assert [v.allowed for v in verdicts] == [True, True, False]  # 60 charged + 2 × 100 fit in 300


async def charged_and_held(guard: LedgerGuard, clock: CalendarClock) -> None:
    """A call checked and charged: its charge held, nothing of it written yet but the reservation."""
    verdict = await guard.check(owners(1), EXPECTED)
    guard.charge(owners(1), REAL, verdict.hold)
    key = window_key("customer_day", owners(1), clock())
    assert await guard._ledger.spent([key]) == {key: Spend()}  # the window's row, written for its lock
    assert await guard._ledger.reserved([key], clock()) == {key: EXPECTED}


async def test_a_held_charge_is_written_by_the_next_checks_transaction(
    tmp_path: Path, opened: list[AsyncEngine]
) -> None:
    clock, sleeps = CalendarClock(), GatedSleeps()
    [guard] = await guards(opened, tmp_path, clock, fits=3, sleep=sleeps)
    await charged_and_held(guard, clock)
    with counted(opened[-1]) as checking:
        assert (await guard.check(owners(2), EXPECTED)).allowed
    # the windows' upsert (the charge added), the charge's hold deleted, the read, the new hold
    assert checking == {"commits": 1, "INSERT": 2, "DELETE": 1, "SELECT": 1}
    assert sleeps.waits == [FLUSH_AFTER]  # a flush was waiting; the check took its charge first
    await sleeps.open()
    await guard.written()
    assert await ledger_state(guard, clock) == (REAL, EXPECTED)  # counted once, the next call reserved


async def test_a_held_charge_is_written_by_the_flush_after_its_delay(tmp_path: Path, opened: list[AsyncEngine]) -> None:
    clock, sleeps = CalendarClock(), GatedSleeps()
    [guard] = await guards(opened, tmp_path, clock, fits=3, sleep=sleeps)
    await charged_and_held(guard, clock)
    guard.charge(owners(2), REAL)  # a call never checked (a judge's), held with it
    with counted(opened[-1]) as flushing:
        await sleeps.open()  # the delay is over
        await guard.written()
    assert flushing == {"commits": 1, "INSERT": 1, "DELETE": 1}  # both charges, one transaction
    assert sleeps.waits == [FLUSH_AFTER]
    key = window_key("customer_day", owners(1), clock())
    assert await guard._ledger.spent([key]) == {key: Spend(120, 0.0012)}
    assert await guard._ledger.reserved([key], clock()) == {}


async def test_a_held_charge_is_written_at_shutdown(tmp_path: Path, opened: list[AsyncEngine]) -> None:
    clock, sleeps = CalendarClock(), GatedSleeps()
    [guard] = await guards(opened, tmp_path, clock, fits=3, sleep=sleeps)
    await charged_and_held(guard, clock)
    await guard.settled()  # shutdown's: the flush's delay never ends here
    assert await ledger_state(guard, clock) == (REAL, Spend())


async def test_a_turns_last_charge_is_written_by_the_turns_end_transaction(tmp_path: Path) -> None:
    """The flush delay longer than the test, and no check after the turn's last call: only the
    transaction that writes the turn's answer and record can have written that call's charge."""
    settings = Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, budget_flush_ms=3_600_000)
    clock = CalendarClock()
    async with running_services(settings, now=clock) as services:
        _, record = await turn(services, CUSTOMER, QUESTION, token_budget=True, **OFF_CACHE)
        key = day_key(services)
        spent, held = await services.ledger.spent([key]), await services.ledger.reserved([key], clock())
    assert spent[key].tokens == record["input_tokens"] + record["output_tokens"] > 0
    assert held == {}


async def test_charges_riding_in_a_transaction_that_fails_are_held_again(
    tmp_path: Path, opened: list[AsyncEngine]
) -> None:
    clock = CalendarClock()
    [guard] = await guards(opened, tmp_path, clock, fits=3)
    await charged_and_held(guard, clock)
    sessions = make_sessions(opened[-1])
    with pytest.raises(RuntimeError):
        async with sessions() as s, guard.riding(s) as ride, s.begin():
            await ride()
            raise RuntimeError("the turn's end failed after the charges were written in it")
    key = window_key("customer_day", owners(1), clock())
    assert await guard._ledger.reserved([key], clock()) == {key: EXPECTED}  # rolled back with it
    await guard.settled()  # still held, so still written
    assert await ledger_state(guard, clock) == (REAL, Spend())


async def test_a_check_cancelled_mid_transaction_leaves_no_reservation(
    tmp_path: Path, opened: list[AsyncEngine]
) -> None:
    clock = CalendarClock()
    [guard] = await guards(opened, tmp_path, clock, fits=3)
    entered, gate, reserve = asyncio.Event(), asyncio.Event(), guard._ledger.reserve

    async def slow_reserve(*args: Any) -> BudgetVerdict:
        entered.set()
        await gate.wait()
        return await reserve(*args)

    guard._ledger.reserve = slow_reserve  # type: ignore[method-assign]
    checking = asyncio.create_task(guard.check(owners(1), EXPECTED))
    await entered.wait()
    checking.cancel()  # the customer left while the check's transaction ran
    with pytest.raises(asyncio.CancelledError):
        await checking
    gate.set()
    await guard.settled()
    assert await ledger_state(guard, clock) == (Spend(), Spend())  # reserved, then released


CRASHING = """
import asyncio, os, signal, sys
from datetime import timedelta
from pathlib import Path
from tests.app.cost.test_budgets import EXPECTED, REAL, guards, owners
from tests.fakes import CalendarClock

async def main(folder: Path, settle_first: bool) -> None:
    [guard] = await guards([], folder, CalendarClock(), fits=3)
    verdict = await guard.check(owners(1), EXPECTED)
    guard.charge(owners(1), REAL, verdict.hold)
    if settle_first:
        await guard.check(owners(2), EXPECTED)  # its transaction writes the held charge
    os.kill(os.getpid(), signal.SIGKILL)  # before any flush

asyncio.run(main(Path(sys.argv[1]), sys.argv[2] == "1"))
"""


@pytest.mark.parametrize("settle_first", [False, True])
async def test_a_process_killed_with_a_charge_held_leaves_at_most_a_reservation_that_expires(
    tmp_path: Path, opened: list[AsyncEngine], settle_first: bool
) -> None:
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASHING, str(tmp_path), str(int(settle_first)), cwd=root, env=env
    )
    assert await child.wait() == -signal.SIGKILL
    clock = CalendarClock()
    [restarted] = await guards(opened, tmp_path, clock, fits=3)
    # killed with the charge held: it is lost, its reservation still counts, until it expires;
    # killed after the next check: the charge was written with that check's reservation
    assert await ledger_state(restarted, clock) == ((REAL, EXPECTED) if settle_first else (Spend(), EXPECTED))
    clock.now += HOLD_FOR
    await restarted.drop_expired()
    assert await ledger_state(restarted, clock) == ((REAL if settle_first else Spend()), Spend())


def test_a_document_restores_the_budgets_and_a_bad_one_changes_nothing(tmp_path: Path) -> None:
    """What replicas share (app/shared/boards.py): the set another replica already stored."""
    sessions = make_sessions(make_engine(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"))
    unlimited = BudgetSpec(action="warn")
    source = BudgetBook(sessions, BudgetSet(request=unlimited, customer_day=unlimited, tenant_month=unlimited))
    other = BudgetBook(sessions, source.current)
    source.current = source.current.model_copy(update={"customer_day": BudgetSpec(action="refuse", max_tokens=900)})
    other.restore(source.document())
    assert other.current == source.current
    for bad in ({**source.document(), "request": {"action": "explode"}}, {"request": source.document()["request"]}):
        with pytest.raises(ValidationError):
            other.restore(bad)
        assert other.current == source.current
