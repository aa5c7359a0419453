from datetime import UTC, datetime, timedelta

from switchboard.app.shop.policy import add_business_days, refund_decision

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def decide(**overrides: object) -> str:
    facts: dict[str, object] = {
        "status": "delivered",
        "delivered_at": NOW - timedelta(days=10),
        "total": 100.0,
        "has_final_sale": False,
        "refunded": False,
        "now": NOW,
    }
    facts.update(overrides)
    return refund_decision(**facts).decision  # type: ignore[arg-type]


def test_refund_rules() -> None:
    assert decide() == "approved"
    assert decide(total=256.95) == "approved"  # $250 after the $6.95 label fee
    assert decide(total=257.0) == "needs_review"
    assert decide(delivered_at=NOW - timedelta(days=46)) == "needs_review"
    assert decide(has_final_sale=True) == "not_eligible"
    assert decide(status="shipped", delivered_at=None) == "not_eligible"
    assert decide(refunded=True) == "already_refunded"


def test_business_days_skip_weekends() -> None:
    friday = datetime(2026, 11, 20, tzinfo=UTC)
    assert add_business_days(friday, 1).weekday() == 0
    assert add_business_days(friday, 5) == datetime(2026, 11, 27, tzinfo=UTC)
