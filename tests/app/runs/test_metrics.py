from switchboard.agents.record import Outcome, TurnRecord
from switchboard.app.lab.flags import REGISTRY, preset_values, snapshot_key
from switchboard.app.runs.metrics import OUTCOMES, differing_flags, live_metrics, percentile, summarise, tiers_seen

REGISTRY_LIST = list(REGISTRY)


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile([], 50) is None


def test_records_are_grouped_by_configuration() -> None:
    records = [
        TurnRecord(flags_key="a", total_ms=10.0, ttft_ms=1.0, cost_usd=0.01, outcome="answered"),
        TurnRecord(flags_key="a", total_ms=30.0, ttft_ms=3.0, cost_usd=0.03, outcome="error"),
        TurnRecord(flags_key="b", total_ms=5.0, ttft_ms=None, cost_usd=0.0, outcome="escalated"),
    ]
    rows = {r.flags_key: r for r in summarise(records)}
    assert rows["a"].count == 2 and rows["a"].p50_ms == 10.0 and rows["a"].error_rate == 0.5
    assert abs(rows["a"].mean_cost_usd - 0.02) < 1e-12
    assert rows["b"].p50_ttft_ms is None and rows["b"].escalated_rate == 1.0
    assert rows["a"].name == "a"  # without a registry a configuration is named by its key


def _turn(preset: str, changes: dict[str, bool] | None = None, **fields: object) -> TurnRecord:
    flags = {**preset_values(preset, REGISTRY_LIST), **(changes or {})}
    return TurnRecord(flags=flags, flags_key=snapshot_key(flags, REGISTRY_LIST), **fields)  # type: ignore[arg-type]


def test_configurations_are_named_by_what_differs_and_keep_their_snapshot() -> None:
    records = [
        _turn("all-on", {"rag": False}, outcome="answered"),
        _turn("all-on", {"rag": False}, outcome="answered"),
        _turn("all-on", outcome="answered"),
        _turn("chapter-4", outcome="answered"),
    ]
    live = live_metrics(records, REGISTRY_LIST)
    names = [c.name for c in live.configurations]
    assert names == ["defaults − rag", "defaults", "chapter-4"]  # most turns first, then first seen
    assert live.configurations[0].flags["rag"] is False and live.configurations[1].flags["rag"] is True
    assert "rag" in live.differing and "failover" in live.differing and "streaming" not in live.differing


def test_every_outcome_is_counted_zeros_included() -> None:
    outcomes: list[Outcome] = ["answered", "answered", "blocked", "declined", "degraded"]
    (summary,) = summarise([_turn("all-on", outcome=o) for o in outcomes], REGISTRY_LIST)
    assert list(summary.outcomes) == list(OUTCOMES)
    assert summary.outcomes == {
        "answered": 2,
        "escalated": 0,
        "blocked": 1,
        "declined": 1,
        "degraded": 1,
        "cancelled": 0,
        "error": 0,
    }
    assert summary.answered_rate == 0.4 and summary.error_rate == 0.0


def test_tiers_are_listed_best_first_for_every_configuration() -> None:
    records = [
        _turn("all-on", tier_served="secondary"),
        _turn("all-on", tier_served=None, outcome="blocked"),
        _turn("all-off", tier_served="primary"),
        _turn("all-off", tier_served="kb-only"),
        _turn("all-off", tier_served="a-new-rung"),
    ]
    live = live_metrics(records, REGISTRY_LIST)
    assert live.tiers == ["primary", "secondary", "kb-only", "a-new-rung", "none"]
    by_name = {c.name: c for c in live.configurations}
    assert by_name["defaults"].tiers == {"primary": 0, "secondary": 1, "kb-only": 0, "a-new-rung": 0, "none": 1}
    assert by_name["all-off"].tiers["primary"] == 1 and by_name["all-off"].tiers["none"] == 0
    assert tiers_seen([]) == []


def test_no_switch_differs_within_one_configuration() -> None:
    only = summarise([_turn("chapter-2"), _turn("chapter-2")], REGISTRY_LIST)
    assert differing_flags(only, REGISTRY_LIST) == []
    assert only[0].name == "chapter-2" and only[0].count == 2
