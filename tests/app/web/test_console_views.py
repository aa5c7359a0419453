"""What a console card and a confirmation say, from the approval alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from switchboard.app.shop.models import Message
from switchboard.app.web.console_views import approval_card, decision_summary, raising_exchange
from switchboard.app.web.responses import ApprovalView, QueuedApproval

OPENED = datetime(2026, 11, 24, 9, 50)  # as SQLite hands it back: no zone


def approval(status: str = "pending", **request: object) -> dict[str, object]:
    return {
        "id": "ap_1",
        "conversation_id": "c_1",
        "customer_id": "C1001",
        "request": {"kind": "refund", "order_id": "10057", "amount": 40.0, "reason": "over the limit", **request},
        "status": status,
        "created_at": OPENED.isoformat(),
        "deadline_at": (OPENED + timedelta(minutes=14)).isoformat(),
        "decided_at": None,
        "decided_by": None,
        "reply": "",
    }


def message(role: str, content: str, minute: int) -> Message:
    return Message(
        id=f"m_{minute}", conversation_id="c_1", role=role, content=content, created_at=OPENED.replace(minute=minute)
    )


def test_the_exchange_is_the_question_that_raised_it_and_its_answer() -> None:
    messages = [
        message("user", "hello", 40),
        message("assistant", "hi", 41),
        message("user", "refund order 10057", 49),
        message("assistant", "I have asked a colleague", 50),
        message("user", "thanks", 55),
        message("assistant", "you are welcome", 56),
    ]
    exchange = raising_exchange(messages, OPENED)
    assert [(m.role, m.content) for m in exchange] == [
        ("user", "refund order 10057"),
        ("assistant", "I have asked a colleague"),
    ]
    assert [m.content for m in raising_exchange(messages[3:4], OPENED)] == ["I have asked a colleague"]


@pytest.mark.parametrize(
    ("now", "says"),
    [
        (OPENED + timedelta(minutes=2), "in 12 min"),
        (OPENED + timedelta(minutes=13, seconds=30), "in under a minute"),
        (OPENED + timedelta(minutes=15), "at the next sweep"),
    ],
)
def test_a_card_says_when_it_declines_by_itself(now: datetime, says: str) -> None:
    queued = QueuedApproval(**approval(), tenant_id="tidewater", tenant_name="Tidewater Outfitters", exchange=[])
    card = approval_card(queued, now.replace(tzinfo=UTC))
    assert (card.declines_at, card.declines_in) == ("10:04 UTC", says)


@pytest.mark.parametrize(
    ("status", "amount", "says"),
    [
        ("approve", None, "Refund of $40.00 on order #10057 approved; the customer has been told"),
        ("edit", 25.0, "Refund of $25.00 (asked: $40.00) on order #10057 approved; the customer has been told"),
        ("deny", None, "Refund of $40.00 on order #10057 denied; the customer has been told"),
        (
            "expired",
            None,
            "Refund of $40.00 on order #10057 declined (its deadline passed); the customer has been told",
        ),
        ("reply", None, "Your reply about order #10057 is in the customer's conversation"),
    ],
)
def test_a_decision_is_confirmed_in_words(status: str, amount: float | None, says: str) -> None:
    assert decision_summary(ApprovalView(**approval(status)), amount) == says


def test_an_address_decision_names_the_address() -> None:
    decided = ApprovalView(**approval("approve", kind="address", address="12 Harbour Road"))
    assert decision_summary(decided, None) == (
        "New delivery address for order #10057 approved: 12 Harbour Road; the customer has been told"
    )
    denied = ApprovalView(**approval("deny", kind="address", address="12 Harbour Road"))
    assert decision_summary(denied, None) == "New delivery address for order #10057 denied; the customer has been told"
