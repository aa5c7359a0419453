"""Telemetry counts each stored turn record, keeps to its own registry, and always speaks text."""

from __future__ import annotations

from switchboard.agents.record import CallRecordView, TurnRecord
from switchboard.app.telemetry.metrics import Telemetry
from tests.app.telemetry.scraped import samples, total, value


def scrape(telemetry: Telemetry, accept: str | None = None) -> str:
    body, _ = telemetry.exposition(accept)
    return body.decode()


def call(model: str, provider: str, tokens_in: int, tokens_out: int, cost: float) -> CallRecordView:
    return CallRecordView(
        purpose="answer",
        model=model,
        provider=provider,
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        cost_usd=cost,
    )


ANSWERED = TurnRecord(
    outcome="answered",
    tier_served="secondary",
    total_ms=1200.0,
    ttft_ms=300.0,
    cache="miss",
    calls=[call("demo-small", "demo-a", 50, 0, 0.0), call("demo-large", "demo-b", 400, 60, 0.0025)],
)
BLOCKED = TurnRecord(outcome="blocked", total_ms=40.0, cache=None)
REPLAYED = TurnRecord(outcome="error", run_id="run_1", total_ms=None, cache="rejected")


def test_each_record_is_counted_by_outcome_tier_and_source() -> None:
    telemetry = Telemetry()
    for record in (ANSWERED, ANSWERED, BLOCKED, REPLAYED):
        telemetry.turn_recorded(record)
    got = samples(scrape(telemetry))
    assert value(got, "switchboard_turns_total", outcome="answered", tier="secondary", source="live") == 2
    assert value(got, "switchboard_turns_total", outcome="blocked", tier="none", source="live") == 1
    assert value(got, "switchboard_turns_total", outcome="error", tier="none", source="run") == 1
    assert total(got, "switchboard_turns_total") == 4


def test_tokens_and_cost_are_counted_per_model_and_provider_from_every_call() -> None:
    telemetry = Telemetry()
    telemetry.turn_recorded(ANSWERED)
    telemetry.turn_recorded(ANSWERED)
    got = samples(scrape(telemetry))
    tokens = "switchboard_model_tokens_total"
    assert value(got, tokens, model="demo-large", provider="demo-b", direction="in") == 800
    assert value(got, tokens, model="demo-large", provider="demo-b", direction="out") == 120
    assert value(got, tokens, model="demo-small", provider="demo-a", direction="in") == 100
    assert value(got, "switchboard_model_cost_usd_total", model="demo-large", provider="demo-b") == 0.005


def test_latency_and_ttft_land_in_their_buckets_in_seconds() -> None:
    telemetry = Telemetry()
    for record in (ANSWERED, BLOCKED, REPLAYED):
        telemetry.turn_recorded(record)
    got = samples(scrape(telemetry))
    assert value(got, "switchboard_turn_latency_seconds_count") == 2  # the replayed turn had no latency
    assert value(got, "switchboard_turn_latency_seconds_sum") == 1.24
    assert value(got, "switchboard_turn_latency_seconds_bucket", le="0.05") == 1
    assert value(got, "switchboard_turn_latency_seconds_bucket", le="1.0") == 1
    assert value(got, "switchboard_turn_latency_seconds_bucket", le="2.0") == 2
    assert value(got, "switchboard_turn_ttft_seconds_count") == 1
    assert value(got, "switchboard_turn_ttft_seconds_bucket", le="0.25") == 0
    assert value(got, "switchboard_turn_ttft_seconds_bucket", le="0.5") == 1


def test_cache_lookups_are_counted_by_result_and_turns_without_one_are_not() -> None:
    telemetry = Telemetry()
    for record in (ANSWERED, BLOCKED, REPLAYED):
        telemetry.turn_recorded(record)
    got = samples(scrape(telemetry))
    assert value(got, "switchboard_cache_lookups_total", result="miss") == 1
    assert value(got, "switchboard_cache_lookups_total", result="rejected") == 1
    assert total(got, "switchboard_cache_lookups_total") == 2


def test_rate_limited_and_shed_are_counted_by_reason_under_the_names_other_pieces_use() -> None:
    telemetry = Telemetry()
    telemetry.rate_limited("customer_requests")
    telemetry.rate_limited("customer_requests")
    telemetry.shed("queue_full")
    got = samples(scrape(telemetry))
    assert value(got, "switchboard_rate_limited_total", reason="customer_requests") == 2
    assert value(got, "switchboard_shed_total", reason="queue_full") == 1


def test_two_apps_count_apart() -> None:
    one, other = Telemetry(), Telemetry()
    one.turn_recorded(BLOCKED)
    assert total(samples(scrape(other)), "switchboard_turns_total") == 0
    assert total(samples(scrape(one)), "switchboard_turns_total") == 1


def test_any_accept_but_openmetrics_gets_the_text_format() -> None:
    telemetry = Telemetry()
    telemetry.shed("queue_full")
    for accept in (None, "", "application/json", "*/*", "text/html;q=0.9, nonsense/;;=", "\x00garbage"):
        body, content_type = telemetry.exposition(accept)
        assert content_type.startswith("text/plain")
        assert value(samples(body.decode()), "switchboard_shed_total", reason="queue_full") == 1
    body, content_type = telemetry.exposition("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text") and body.decode().endswith("# EOF\n")
