"""The spend report: turns summed by tenant, customer, configuration, model and day; resolved
means answered; the cache's saving is priced from comparable uncached turns; projections are
evals/projection.py's, priced from the table given."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.agents.llm.prices import DEFAULT_PRICES, Price
from switchboard.agents.record import CallRecordView, TurnRecord
from switchboard.app.cost.spend_report import NO_TENANT, projection_view, spend_report
from switchboard.app.lab.flags import REGISTRY, preset_values, snapshot_key
from switchboard.evals.projection import project

REGISTRY_LIST = list(REGISTRY)
DEFAULTS = preset_values("all-on", REGISTRY_LIST)
NO_RAG = {**DEFAULTS, "rag": False}


def call(model: str, cost: float, tokens: tuple[int, int] = (100, 10), error: str | None = None) -> CallRecordView:
    return CallRecordView(
        purpose="answer", model=model, provider="demo", input_tokens=tokens[0], output_tokens=tokens[1],
        cost_usd=cost, error=error,
    )  # fmt: skip


def turn(cost: float, flags: dict[str, bool] = DEFAULTS, **fields: Any) -> TurnRecord:
    defaults: dict[str, Any] = {
        "customer_id": "C1001", "tenant_id": "tidewater", "outcome": "answered",
        "created_at": "2026-12-03T10:00:00+00:00", "calls": [call("demo-large", cost)],
    }  # fmt: skip
    key = snapshot_key(flags, REGISTRY_LIST)
    return TurnRecord(flags=flags, flags_key=key, cost_usd=cost, **{**defaults, **fields})


def test_spend_is_grouped_by_tenant_customer_and_configuration_most_spent_first() -> None:
    records = [
        turn(0.004, customer_id="C1001"),
        turn(0.002, customer_id="C1002", flags=NO_RAG),
        turn(0.003, customer_id="C1002", tenant_id="peakline"),
        turn(0.001, customer_id="C9000", tenant_id=""),  # a row from before tenants
    ]
    report = spend_report(records, REGISTRY_LIST, names={"C1002": "Ben (C1002)"}, top_customers=2)
    assert report.turns == 4 and report.cost_usd == pytest.approx(0.010)
    assert [(t.label, t.turns) for t in report.tenants] == [("tidewater", 2), ("peakline", 1), (NO_TENANT, 1)]
    assert report.tenants[0].cost_usd == pytest.approx(0.006)
    assert [(c.key, c.label) for c in report.customers] == [("C1002", "Ben (C1002)"), ("C1001", "C1001")]
    assert [(c.label, c.turns) for c in report.configurations] == [("defaults", 3), ("defaults − rag", 1)]


def test_resolved_means_answered_so_escalations_and_fallbacks_cost_without_resolving() -> None:
    records = [
        turn(0.004),
        turn(0.002, outcome="escalated"),
        turn(0.001, outcome="degraded"),
        turn(0.001, outcome="error"),
    ]
    report = spend_report(records, REGISTRY_LIST)
    assert report.resolved == 1
    assert report.cost_per_resolved_usd == pytest.approx(0.008)  # all the spend, over the one answer
    unresolved = spend_report([turn(0.002, outcome="escalated")], REGISTRY_LIST)
    assert unresolved.cost_per_resolved_usd is None and unresolved.configurations[0].cost_per_resolved_usd is None


def test_models_count_every_call_failed_ones_too() -> None:
    failed = call("demo-large", 0.001, (50, 0), error="timeout")
    records = [
        turn(0.0031, calls=[call("demo-small", 0.0001, (400, 5)), call("demo-large", 0.002, (300, 40)), failed]),
        turn(0.0002, calls=[call("demo-small", 0.0002, (600, 9))]),
    ]
    models = {m.model: m for m in spend_report(records, REGISTRY_LIST).models}
    assert list(models) == ["demo-large", "demo-small"]
    assert (models["demo-large"].calls, models["demo-large"].input_tokens) == (2, 350)
    assert models["demo-large"].cost_usd == pytest.approx(0.003)
    assert (models["demo-small"].calls, models["demo-small"].output_tokens) == (2, 14)


def test_days_run_from_the_first_turn_to_the_last_with_quiet_days_as_zeros() -> None:
    records = [
        turn(0.003, created_at="2026-12-04T23:59:00+00:00", tenant_id="peakline"),
        turn(0.001, created_at="2026-12-01T08:00:00+00:00", calls=[call("demo-small", 0.001)]),
        turn(0.002, created_at="2026-12-01T09:00:00+00:00"),
    ]
    days = spend_report(records, REGISTRY_LIST).days
    assert [d.day for d in days] == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    assert [d.turns for d in days] == [2, 0, 0, 1]
    assert days[0].models == pytest.approx({"demo-small": 0.001, "demo-large": 0.002})
    assert days[0].tenants == pytest.approx({"tidewater": 0.003})
    assert days[1].cost_usd == 0 and days[1].models == {} and days[3].tenants == pytest.approx({"peakline": 0.003})


def test_a_hit_saves_its_configurations_mean_uncached_answer_less_its_own_cost() -> None:
    records = [
        turn(0.004, cache="miss"),
        turn(0.002, cache="rejected"),
        turn(0.030, cache="miss", outcome="escalated"),  # not an answer: not part of the baseline
        turn(0.0005, cache="hit"),
        turn(0.0005, cache="hit"),
        turn(0.0001, flags=NO_RAG, cache="hit"),  # a configuration with no uncached answer to compare with
        turn(0.009, flags=preset_values("chapter-4", REGISTRY_LIST)),  # the switch off: neither hit nor miss
    ]
    cache = spend_report(records, REGISTRY_LIST).cache
    assert (cache.hits, cache.misses, cache.rejected, cache.unpriced_hits) == (3, 2, 1, 1)
    assert cache.saved_usd == pytest.approx(2 * (0.003 - 0.0005))  # baseline: the mean of 0.004 and 0.002
    assert [c.cache_hits for c in spend_report(records, REGISTRY_LIST).configurations] == [2, 0, 1]


def test_nothing_to_report_is_zeros_and_empty_lists() -> None:
    report = spend_report([], REGISTRY_LIST)
    assert (report.turns, report.cost_usd, report.resolved, report.cost_per_resolved_usd) == (0, 0, 0, None)
    assert report.tenants == report.customers == report.configurations == report.models == report.days == []
    assert report.cache.saved_usd == 0
    empty = projection_view("live turns", [], DEFAULT_PRICES)
    assert empty.per_turn_usd == 0 and [s.per_day_usd for s in empty.scales] == [0, 0, 0]


def test_projections_are_the_measured_mix_priced_from_the_table_given() -> None:
    records = [turn(0.0, calls=[call("demo-small", 0.0, (1000, 100)), call("demo-large", 0.0, (2000, 200))])] * 2
    view = projection_view("golden", records, DEFAULT_PRICES)
    expected = project(records, DEFAULT_PRICES)
    assert view.per_turn_usd == pytest.approx(expected.per_turn_usd) and view.per_turn_usd > 0
    assert [s.turns_a_day for s in view.scales] == [1_000, 10_000, 100_000]
    assert view.scales[2].per_day_usd == pytest.approx(expected.per_turn_usd * 100_000)
    assert view.scales[0].per_month_usd == pytest.approx(expected.per_turn_usd * 1_000 * 30)
    assert [m.model for m in view.models] == ["demo-large", "demo-small"]
    cheaper = {**DEFAULT_PRICES, "demo-large": Price(0.15, 0.60)}  # the same traffic on other prices
    assert projection_view("golden", records, cheaper).per_turn_usd < view.per_turn_usd
