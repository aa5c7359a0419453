"""Chapter 7: a refund above the limit waits for a person — across a restart — and a decision
reaches the customer's conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from switchboard.app.approvals import ApprovalError
from switchboard.app.models import Refund
from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings
from tests.app.playing import play

BIG_REFUND = "I want a refund for order 10049"  # C1001's $364 order: over the $250 the assistant may approve


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


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
        decided = await restarted.approvals.decide(waiting.id, {"decision": "approve", "by": "sam"})
        assert decided.status == "approve" and decided.decided_by == "sam"
        (paid,) = await refunds(restarted, "10049")
        assert paid.amount == 357.05 and paid.reason == "approved by sam"
        last = (await restarted.conversations.messages(conversation))[-1]
        assert last.role == "assistant" and "approved your refund of $357.05" in last.content
        with pytest.raises(ApprovalError, match="already decided"):
            await restarted.approvals.decide(waiting.id, {"decision": "deny", "by": "sam"})


async def test_an_edited_amount_is_what_gets_refunded_and_a_denial_refunds_nothing(tmp_path: Path) -> None:
    async with running_services(settings(tmp_path)) as services:
        first = (await services.conversations.create("C1001")).id
        await play(services, first, "C1001", BIG_REFUND, human_approval=True)
        (waiting,) = await services.approvals.pending()
        await services.approvals.decide(waiting.id, {"decision": "deny", "note": "It was used.", "by": "kim"})
        assert not await refunds(services, "10049")
        denied = (await services.conversations.messages(first))[-1].content
        assert "couldn't approve it. They add: It was used." in denied
        second = (await services.conversations.create("C1001")).id
        await play(services, second, "C1001", BIG_REFUND, human_approval=True)
        (again,) = await services.approvals.pending()
        await services.approvals.decide(again.id, {"decision": "edit", "amount": 200.0, "by": "kim"})
        assert [r.amount for r in await refunds(services, "10049")] == [200.0]


async def test_past_its_deadline_a_request_is_declined_with_a_message(tmp_path: Path) -> None:
    clock = Clock()
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
        await services.approvals.decide(waiting.id, {"decision": "approve", "by": "sam"})
        order = await services.shop.order("C1001", "10057")
        assert order is not None and order["ship_to"] == NEW_HOME
        assert "redirect order #10057" in (await services.conversations.messages(shipped))[-1].content
