"""Chapter 7: a refund above the limit waits for a person — across a restart — and a decision
reaches the customer's conversation."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from switchboard.agents.events import ApprovalRequested
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from switchboard.app.shop.audit import Actor
from switchboard.app.shop.models import Approval, ApprovalRefund, Refund
from switchboard.app.shop.seed import load_seed
from switchboard.app.turns.approvals import (
    AlreadyDecided,
    ApprovalError,
    ConsoleDecision,
    DecisionFailed,
    InvalidDecision,
)
from tests.app.playing import BIG_REFUND, play
from tests.fakes import CalendarClock


def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0, approval_deadline_minutes=30)


async def refunds(services: Services, order_id: str) -> list[Refund]:
    async with services.sessions() as s:
        return list((await s.exec(select(Refund).where(Refund.order_id == order_id))).all())


async def test_without_approval_a_big_refund_becomes_a_ticket(tmp_path: Path) -> None:
    async with running_services(settings(tmp_path)) as services:
        conversation = (await services.conversations.create("C1001")).id
        _, record = await play(services, conversation, "C1001", BIG_REFUND, human_approval=False)
        assert record["tickets"] and not record["approvals"] and not await services.approvals.pending()


async def test_a_big_refund_waits_across_a_restart_then_an_approval_pays_it(tmp_path: Path) -> None:
    async with running_services(settings(tmp_path)) as services:
        conversation = (await services.conversations.create("C1001")).id
        answer, record = await play(services, conversation, "C1001", BIG_REFUND, human_approval=True)
        assert "asked a colleague to approve it" in answer and record["outcome"] == "escalated"
        (wanted,) = record["approvals"]
        assert wanted["order_id"] == "10049" and wanted["amount"] == 357.05 and "$250" in wanted["reason"]
        assert not await refunds(services, "10049")
    async with running_services(settings(tmp_path)) as restarted:
        (waiting,) = await restarted.approvals.pending()
        assert waiting.request["order_id"] == "10049" and waiting.conversation_id == conversation
        decided = await restarted.approvals.decide(waiting.id, ConsoleDecision(decision="approve"), "sam")
        assert decided.status == "approve" and decided.decided_by == "sam"
        (paid,) = await refunds(restarted, "10049")
        assert paid.amount == 357.05 and paid.reason == "approved by sam"
        last = (await restarted.conversations.messages(conversation))[-1]
        assert last.role == "assistant" and "approved your refund of $357.05" in last.content
        with pytest.raises(ApprovalError, match="already decided"):
            await restarted.approvals.decide(waiting.id, ConsoleDecision(decision="deny"), "sam")


async def test_an_edited_amount_is_what_gets_refunded_and_a_denial_refunds_nothing(tmp_path: Path) -> None:
    async with running_services(settings(tmp_path)) as services:
        first = (await services.conversations.create("C1001")).id
        await play(services, first, "C1001", BIG_REFUND, human_approval=True)
        (waiting,) = await services.approvals.pending()
        await services.approvals.decide(waiting.id, ConsoleDecision(decision="deny", note="It was used."), "kim")
        assert not await refunds(services, "10049")
        denied = (await services.conversations.messages(first))[-1].content
        assert "couldn't approve it. They add: It was used." in denied
        second = (await services.conversations.create("C1001")).id
        await play(services, second, "C1001", BIG_REFUND, human_approval=True)
        (again,) = await services.approvals.pending()
        await services.approvals.decide(again.id, ConsoleDecision(decision="edit", amount=200.0), "kim")
        assert [r.amount for r in await refunds(services, "10049")] == [200.0]


async def test_past_its_deadline_a_request_is_declined_with_a_message(tmp_path: Path) -> None:
    clock = CalendarClock()
    async with running_services(settings(tmp_path), now=clock) as services:
        conversation = (await services.conversations.create("C1001")).id
        await play(services, conversation, "C1001", BIG_REFUND, human_approval=True)
        clock.now += timedelta(minutes=29)
        assert await services.approvals.expire_overdue() == []
        clock.now += timedelta(minutes=2)
        assert len(await services.approvals.expire_overdue()) == 1
        assert not await services.approvals.pending() and not await refunds(services, "10049")
        assert "no one could review" in (await services.conversations.messages(conversation))[-1].content


NEW_HOME = "12 Harbour Road, Portland, OR 97201"


async def test_an_address_changes_at_once_before_shipping_and_waits_for_a_person_after(tmp_path: Path) -> None:
    async with running_services(settings(tmp_path)) as services:
        for order_id in ("10066", "10057"):  # processing, then shipped
            conversation = (await services.conversations.create("C1001")).id
            text = f"please change the address on order {order_id} to {NEW_HOME}"
            answer, record = await play(services, conversation, "C1001", text, human_approval=True)
            if order_id == "10066":
                assert f"will now be delivered to {NEW_HOME}" in answer and not record["approvals"]
        shipped = conversation
        assert "already shipped" in answer and record["approvals"][0]["kind"] == "address"
        (waiting,) = await services.approvals.pending()
        await services.approvals.decide(waiting.id, ConsoleDecision(decision="approve"), "sam")
        order = await services.shop.order("C1001", "10057")
        assert order is not None and order.ship_to == NEW_HOME
        assert "redirect order #10057" in (await services.conversations.messages(shipped))[-1].content


# --- money moves exactly once -------------------------------------------------------------


async def waiting_approval(services: Services) -> tuple[str, Approval]:
    """A fresh conversation whose big refund now waits for a person."""
    conversation = (await services.conversations.create("C1001")).id
    await play(services, conversation, "C1001", BIG_REFUND, human_approval=True)
    (waiting,) = await services.approvals.pending()
    return conversation, waiting


async def attempt(services: Services, approval_id: str, who: str) -> str | None:
    """One contender: a person approving or denying, or the deadline sweeper. Its decision if it won."""
    if who == "expire":
        return "expired" if await services.approvals.expire_overdue() == [approval_id] else None
    try:
        await services.approvals.decide(approval_id, ConsoleDecision(decision=who), who)  # type: ignore[arg-type]
    except AlreadyDecided:
        return None
    return who


@pytest.mark.parametrize("contenders", [("approve", "approve"), ("approve", "deny"), ("approve", "expire")])
async def test_two_decisions_at_once_carry_out_exactly_one(tmp_path: Path, contenders: tuple[str, str]) -> None:
    clock = CalendarClock()
    async with running_services(settings(tmp_path), now=clock) as services:
        for round_ in range(4):  # a lucky interleaving must not hide the race; each order goes first twice
            await load_seed(services.sessions, services.tenants, clock())  # 10049 unrefunded again
            conversation, waiting = await waiting_approval(services)
            said_before = len(await services.conversations.messages(conversation))
            clock.now += timedelta(minutes=31)  # overdue, so the sweeper contends too
            pair = contenders if round_ % 2 == 0 else contenders[::-1]
            won = [w for w in await asyncio.gather(*(attempt(services, waiting.id, who) for who in pair)) if w]
            assert len(won) == 1, f"round {round_}: {pair} -> {won}"
            async with services.sessions() as s:
                decided = await s.get(Approval, waiting.id)
            assert decided is not None and decided.status == won[0]
            assert len(await refunds(services, "10049")) == (1 if won[0] == "approve" else 0)
            assert len(await services.conversations.messages(conversation)) == said_before + 1


async def test_two_refunds_racing_on_one_order_never_pay_more_than_it_cost(services: Services) -> None:
    for round_ in range(4):
        await load_seed(services.sessions, services.tenants, services.now())  # 10042 unrefunded again
        keys = (f"first-{round_}", f"second-{round_}")  # two different requests, so idempotency can't help
        answers = await asyncio.gather(*(services.shop.request_refund("C1010", "10042", "too small", k) for k in keys))
        paid = await refunds(services, "10042")
        assert [r.amount for r in paid] == [42.05], f"round {round_}: {answers}"  # the $49 order less the label fee
        assert sorted(a.decision for a in answers) == ["already_refunded", "approved"]


async def test_a_decision_cut_off_by_a_crash_is_pending_again_after_a_restart(tmp_path: Path) -> None:
    async with running_services(settings(tmp_path)) as services:
        _, waiting = await waiting_approval(services)
        async with services.sessions() as s, s.begin():
            claimed = await s.get(Approval, waiting.id)
            assert claimed is not None
            claimed.status = "deciding"  # claimed by a decision, then the process died
    async with running_services(settings(tmp_path)) as restarted:
        (again,) = await restarted.approvals.pending()
        assert again.id == waiting.id
        await restarted.approvals.decide(again.id, ConsoleDecision(decision="approve"), "sam")
        assert [r.amount for r in await refunds(restarted, "10049")] == [357.05]


async def test_the_schema_holds_one_refund_per_approval(services: Services) -> None:
    _, waiting = await waiting_approval(services)
    await services.approvals.decide(waiting.id, ConsoleDecision(decision="edit", amount=100.0), "sam")
    with pytest.raises(IntegrityError):  # a duplicated resume that got past every check still can't pay twice
        async with services.sessions() as s, s.begin():
            second = Refund(order_id="10049", amount=100.0, status="approved", requested_at=services.now())
            s.add(second)
            await s.flush()
            s.add(ApprovalRefund(approval_id=waiting.id, refund_id=second.id))
    assert [r.amount for r in await refunds(services, "10049")] == [100.0]


async def test_a_decision_that_fails_part_way_waits_again_and_is_logged_once(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    conversation, waiting = await waiting_approval(services)
    said_before = len(await services.conversations.messages(conversation))

    async def payments_down(*_: object) -> dict[str, object]:
        raise ConnectionError("the payment system is down")

    monkeypatch.setattr(services.shop, "approve_refund", payments_down)
    with pytest.raises(DecisionFailed):
        await services.approvals.decide(waiting.id, ConsoleDecision(decision="approve"), "sam")
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert [a.id for a in await services.approvals.pending()] == [waiting.id]
    assert len(await services.conversations.messages(conversation)) == said_before
    monkeypatch.undo()
    await services.approvals.decide(waiting.id, ConsoleDecision(decision="approve"), "sam")
    assert [r.amount for r in await refunds(services, "10049")] == [357.05]


async def test_a_decision_and_its_audit_entry_are_committed_together(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, waiting = await waiting_approval(services)
    stamp = services.audit.stamp(Actor.of("cli", "", ""), "approval.approve", target=waiting.id)

    async def payments_down(*_: object) -> dict[str, object]:
        raise ConnectionError("the payment system is down")

    monkeypatch.setattr(services.shop, "approve_refund", payments_down)
    with pytest.raises(DecisionFailed):
        await services.approvals.decide(waiting.id, ConsoleDecision(decision="approve"), "sam", stamp)
    assert await services.audit.newest("approval.approve") == []  # nothing was done: nothing recorded
    monkeypatch.undo()
    decided = await services.approvals.decide(waiting.id, ConsoleDecision(decision="approve"), "sam", stamp)
    (entry,) = await services.audit.newest("approval.approve")
    assert (entry.target, entry.before, entry.after) == (
        waiting.id,
        {"status": "pending", "request": waiting.request},
        {"status": "approve", "amount": None, "reply": decided.reply},
    )


async def test_the_assistant_and_a_person_refunding_one_order_at_once_pay_it_once(services: Services) -> None:
    conversation = (await services.conversations.create("C1010")).id
    for round_ in range(4):
        await load_seed(services.sessions, services.tenants, services.now())  # 10042 ($49) unrefunded again
        wanted = ApprovalRequested(order_id="10042", reason="a person asked", amount=42.05)
        approval = await services.approvals.open(conversation, "C1010", wanted)
        person = services.approvals.decide(approval.id, ConsoleDecision(decision="approve"), "sam")
        assistant = services.shop.request_refund("C1010", "10042", "too small", f"turn-{round_}")
        # Whichever lands second finds the money already refunded: the assistant's request is
        # turned down, or the person's approval is refused as more than is left to refund.
        results = await asyncio.gather(person, assistant, return_exceptions=True)
        assert all(isinstance(r, InvalidDecision) for r in results if isinstance(r, BaseException)), results
        assert [r.amount for r in await refunds(services, "10042")] == [42.05], f"round {round_}"


async def test_an_eval_runs_approval_waits_in_its_own_queue_and_its_policy_declines_it(tmp_path: Path) -> None:
    async with running_services(settings(tmp_path)) as services:
        _, live = await waiting_approval(services)
        played = (await services.conversations.create("C1001", run_id="run_x")).id
        await play(services, played, "C1001", BIG_REFUND, human_approval=True)
        (raised,) = await services.approvals.raised_by("run_x")
        assert raised.conversation_id == played and raised.status == "pending"
        assert [a.id for a in await services.approvals.live()] == [live.id]

        summary = await services.approvals.resolve_for_run("run_x")
        assert summary.model_dump() == {"raised": 1, "policy": "deny", "resolved": {"deny": 1}}
        (declined,) = await services.approvals.raised_by("run_x")
        assert declined.decided_by == "run policy: deny" and not await refunds(services, "10049")
        assert [a.id for a in await services.approvals.live()] == [live.id]  # a person's to decide
        assert await services.approvals.raised_by("run_other") == []
