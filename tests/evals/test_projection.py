from __future__ import annotations

import pytest

from switchboard.agents.llm.prices import Price
from switchboard.agents.record import CallRecordView, TurnRecord
from switchboard.evals.projection import project, summary_figures

PRICES = {"small": Price(1.0, 2.0), "large": Price(10.0, 20.0)}


def turn(*calls: tuple[str, int, int]) -> TurnRecord:
    views = [
        CallRecordView(purpose="answer", model=m, provider="p", input_tokens=i, output_tokens=o) for m, i, o in calls
    ]
    return TurnRecord(outcome="answered", calls=views)


def test_the_mix_is_priced_from_the_table_not_from_what_the_records_say_they_cost() -> None:
    records = [turn(("small", 1000, 100), ("large", 2000, 500)), turn(("small", 3000, 300))]
    projection = project(records, PRICES)
    # small: 4000 in, 400 out -> 0.0048 $; large: 2000 in, 500 out -> 0.03 $; over 2 turns
    assert projection.per_turn_usd == pytest.approx((0.0048 + 0.03) / 2)
    assert [s.model for s in projection.models] == ["large", "small"]  # most expensive first
    assert projection.models[1].input_tokens == 2000  # per turn


def test_three_scales_are_linear_in_turns_and_a_month_is_thirty_days() -> None:
    projection = project([turn(("large", 100_000, 0))], PRICES)  # 1 $ a turn
    assert summary_figures(projection) == {
        "projected_day_1k_usd": pytest.approx(1_000),
        "projected_day_10k_usd": pytest.approx(10_000),
        "projected_day_100k_usd": pytest.approx(100_000),
    }
    assert projection.per_month_usd(1_000) == pytest.approx(30_000)


def test_failed_calls_are_paid_for_and_unknown_models_are_free() -> None:
    failed = CallRecordView(purpose="answer", model="large", provider="p", input_tokens=1_000_000, error="cut")
    records = [TurnRecord(outcome="degraded", calls=[failed]), turn(("some-local-gguf", 5_000, 5_000))]
    assert project(records, PRICES).per_turn_usd == pytest.approx(10.0 / 2)


def test_a_run_without_turns_projects_nothing() -> None:
    assert project([], PRICES).per_turn_usd == 0.0
    assert project([], PRICES).turns == 0
