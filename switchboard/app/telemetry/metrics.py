"""The app's Prometheus metrics: counted from each stored turn record, and read at scrape time.

One `Telemetry` per app, built once in services with a `CollectorRegistry` of its own — never
prometheus-client's global registry, so that every app (tests build many) counts only its own
turns. What it counts:

    switchboard_turns_total{outcome, tier, source}       every stored turn record (source: live | run)
    switchboard_turn_latency_seconds                      a turn's whole latency, and its time to
    switchboard_turn_ttft_seconds                           first token (histograms)
    switchboard_model_tokens_total{model, provider, direction}   direction: in | out
    switchboard_model_cost_usd_total{model, provider}
    switchboard_cache_lookups_total{result}               semantic_cache: hit | miss | rejected
    switchboard_rate_limited_total{reason}                incremented by the rate limiter
    switchboard_shed_total{reason}                        incremented by load shedding

The gauges (breaker states, turns in flight and waiting) are read when scraped (gauges.py).
Counters are the process's own since it started, as Prometheus expects; the judge's calls for
online evals are not in a turn's record and are not counted here.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from switchboard.agents.record import TurnRecord

# Seconds. The turn's latency budget is 10 s by default: the buckets are finest below it.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 12.5, 15.0, 20.0, 30.0)
TTFT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
NO_TIER = "none"  # no model or rung served it: blocked, declined, a cache hit, failed before any answer


class Telemetry:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        on = self.registry
        self._turns = Counter(
            "switchboard_turns", "Turns stored, by outcome and tier served.", ["outcome", "tier", "source"], registry=on
        )
        self._latency = Histogram(
            "switchboard_turn_latency_seconds",
            "A turn's latency, from arrival to its record.",
            buckets=LATENCY_BUCKETS,
            registry=on,
        )
        self._ttft = Histogram(
            "switchboard_turn_ttft_seconds", "A turn's time to first token.", buckets=TTFT_BUCKETS, registry=on
        )
        self._tokens = Counter(
            "switchboard_model_tokens", "Model tokens, in and out.", ["model", "provider", "direction"], registry=on
        )
        self._cost = Counter(
            "switchboard_model_cost_usd", "What model calls cost, in US dollars.", ["model", "provider"], registry=on
        )
        self._cache = Counter("switchboard_cache_lookups", "Semantic-cache lookups by result.", ["result"], registry=on)
        self._rate_limited = Counter(
            "switchboard_rate_limited", "Requests refused by a rate limit.", ["reason"], registry=on
        )
        self._shed = Counter("switchboard_shed", "Requests shed to protect the process.", ["reason"], registry=on)
        self._at_quota = Counter(
            "switchboard_model_quota_skips",
            "Attempts skipped, uncalled, at a model's quota.",
            ["model", "provider"],
            registry=on,
        )

    def turn_recorded(self, record: TurnRecord) -> None:
        """Count one stored turn record (the runner's `recorded` hook: every turn, errors included)."""
        source = "live" if record.run_id is None else "run"
        self._turns.labels(record.outcome, record.tier_served or NO_TIER, source).inc()
        if record.total_ms is not None:
            self._latency.observe(record.total_ms / 1000)
        if record.ttft_ms is not None:
            self._ttft.observe(record.ttft_ms / 1000)
        if record.cache is not None:
            self._cache.labels(record.cache).inc()
        self._count_calls(record)

    def _count_calls(self, record: TurnRecord) -> None:
        for call in record.calls:  # failed attempts too: what they used was spent
            self._tokens.labels(call.model, call.provider, "in").inc(call.input_tokens)
            self._tokens.labels(call.model, call.provider, "out").inc(call.output_tokens)
            self._cost.labels(call.model, call.provider).inc(call.cost_usd)
            if call.error == "at_quota":  # model_quota skipped it before it was sent
                self._at_quota.labels(call.model, call.provider).inc()

    def rate_limited(self, reason: str) -> None:
        """A request a rate limit refused; `reason` names the limit (a short fixed word, not an id)."""
        self._rate_limited.labels(reason).inc()

    def shed(self, reason: str) -> None:
        """A request refused to keep the process within its capacity; `reason`: a short fixed word."""
        self._shed.labels(reason).inc()

    def shed_total(self) -> int:
        """Requests shed since the process started, whatever the reason (the panel's count)."""
        return int(sum(s.value for m in self._shed.collect() for s in m.samples if s.name.endswith("_total")))

    def watch(self, collector: Collector) -> None:
        """Add metrics read at scrape time (gauges.py)."""
        self.registry.register(collector)

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """The metrics and their content type: OpenMetrics when the scraper asks for it, else
        Prometheus's text format — whatever else the Accept header says, a scraper gets text."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type
