"""The Shop views as the tools hand them to a model: keys, their order and ISO strings."""

from __future__ import annotations

from datetime import UTC, datetime

from switchboard.agents.shop_views import AccountView, AddressResult, OrderSummary, RefundResult


def test_a_result_carries_only_the_keys_its_decision_has() -> None:
    assert RefundResult("10042", "not_found").as_dict() == {"order_id": "10042", "decision": "not_found"}
    moved = AddressResult(order_id="10057", address="1 New St", decision="updated")
    assert list(moved.as_dict()) == ["order_id", "address", "decision"]


def test_an_account_keeps_the_order_the_tool_has_always_sent() -> None:
    account = AccountView("C1001", "Maya", "m@example.com", "+1 415", "118 Alder St", "summit", 820)
    assert list(account.as_dict()) == ["name", "id", "phone", "loyalty_tier", "address", "email", "loyalty_points"]


def test_datetimes_reach_the_model_as_iso_strings() -> None:
    placed = datetime(2026, 3, 1, 12, 0, 30, 999, tzinfo=UTC)
    summary = OrderSummary("10066", "processing", placed, "Boots", 89.0).as_dict()
    assert summary["placed_at"] == "2026-03-01T12:00:30+00:00"
