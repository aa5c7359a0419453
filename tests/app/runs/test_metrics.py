from switchboard.agents.record import TurnRecord
from switchboard.app.runs.metrics import percentile, summarise


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
    rows = {r["flags_key"]: r for r in summarise(records)}
    assert rows["a"]["count"] == 2 and rows["a"]["p50_ms"] == 10.0 and rows["a"]["error_rate"] == 0.5
    assert abs(rows["a"]["mean_cost_usd"] - 0.02) < 1e-12
    assert rows["b"]["p50_ttft_ms"] is None and rows["b"]["escalated_rate"] == 1.0
