from datetime import UTC, datetime, timedelta

from switchboard.app.settings import Settings
from switchboard.app.shop.policy import (
    RefundDecision,
    ShopPolicy,
    add_business_days,
    estimated_delivery,
    refund_decision,
)
from switchboard.app.shop.tenants import load_tenants

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
TENANTS = load_tenants(Settings().tenants_dir)  # the shipped storefronts' own tenant.json
TIDEWATER, SUMMIT = TENANTS["tidewater"].policy, TENANTS["summit"].policy


def refund(policy: ShopPolicy = TIDEWATER, **overrides: object) -> RefundDecision:
    facts: dict[str, object] = {
        "status": "delivered",
        "delivered_at": NOW - timedelta(days=10),
        "total": 100.0,
        "has_final_sale": False,
        "refunded": False,
        "now": NOW,
    }
    facts.update(overrides)
    return refund_decision(policy, **facts)  # type: ignore[arg-type]


def decide(**overrides: object) -> str:
    return refund(**overrides).decision


def test_refund_rules() -> None:
    assert decide() == "approved"
    assert decide(total=256.95) == "approved"  # $250 after the $6.95 label fee
    assert decide(total=257.0) == "needs_review"
    assert decide(delivered_at=NOW - timedelta(days=46)) == "needs_review"
    assert decide(has_final_sale=True) == "not_eligible"
    assert decide(status="shipped", delivered_at=None) == "not_eligible"
    assert decide(refunded=True) == "already_refunded"


def test_the_same_order_is_refunded_by_each_shops_own_fee() -> None:
    tidewater, summit = refund(TIDEWATER), refund(SUMMIT)
    assert (tidewater.decision, tidewater.amount) == ("approved", 93.05)  # $100 less a $6.95 label
    assert (summit.decision, summit.amount) == ("approved", 90.05)  # $100 less a $9.95 label
    assert "45-day" in tidewater.reason and "30-day" in summit.reason


def test_day_35_is_inside_tidewaters_window_and_outside_summits() -> None:
    day_35 = NOW - timedelta(days=35)
    assert refund(TIDEWATER, delivered_at=day_35).decision == "approved"
    late = refund(SUMMIT, delivered_at=day_35)
    assert (late.decision, late.amount) == ("not_eligible", 0.0) and "30 days" in late.reason


def test_past_its_window_tidewater_asks_a_person_and_summit_refuses() -> None:
    day_50 = NOW - timedelta(days=50)
    assert refund(TIDEWATER, delivered_at=day_50).decision == "needs_review"
    assert refund(SUMMIT, delivered_at=day_50).decision == "not_eligible"


def test_an_undelivered_order_names_its_shops_window() -> None:
    assert "within 30 days" in refund(SUMMIT, status="shipped", delivered_at=None).reason
    assert "within 45 days" in refund(TIDEWATER, status="shipped", delivered_at=None).reason


def test_standard_delivery_is_estimated_from_each_shops_range() -> None:
    monday = datetime(2026, 11, 16, tzinfo=UTC)
    assert estimated_delivery(TIDEWATER, monday, "standard") == datetime(2026, 11, 23, tzinfo=UTC)  # 5 days
    assert estimated_delivery(SUMMIT, monday, "standard") == datetime(2026, 11, 24, tzinfo=UTC)  # 6 days
    assert estimated_delivery(SUMMIT, monday, "courier") == estimated_delivery(SUMMIT, monday, "standard")


def test_business_days_skip_weekends() -> None:
    friday = datetime(2026, 11, 20, tzinfo=UTC)
    assert add_business_days(friday, 1).weekday() == 0
    assert add_business_days(friday, 5) == datetime(2026, 11, 27, tzinfo=UTC)


def test_a_bike_goes_back_by_freight_at_summit_whatever_else_the_order_holds() -> None:
    bike = refund(SUMMIT, total=1399.0, categories=frozenset({"bikes"}))
    assert (bike.decision, bike.amount) == ("needs_review", 1340.0)  # $59 freight, not the $9.95 label
    with_a_helmet = refund(SUMMIT, total=1488.0, categories=frozenset({"bikes", "helmets"}))
    assert with_a_helmet.amount == 1429.0  # one pickup takes the whole order
    assert refund(SUMMIT, total=89.0, categories=frozenset({"helmets"})).amount == 79.05
    assert refund(TIDEWATER, total=1399.0, categories=frozenset({"tents"})).amount == 1392.05  # no freight there
