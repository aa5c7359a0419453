"""Gauges read when `/metrics` is scraped, from the objects that know them: nothing to keep in step."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from switchboard.patterns.admission import Admission
from switchboard.patterns.circuit_breaker import State

STATES: tuple[State, ...] = ("closed", "open", "half_open")
BreakerStates = Callable[[], Mapping[str, State]]  # each provider's breaker as a call would meet it now


class LiveGauges(Collector):
    """Each provider's circuit-breaker state (one series per state, 1 for the current one, the
    usual way to expose an enum to Prometheus), and the admission's turns in flight and waiting."""

    def __init__(self, breakers: BreakerStates, admission: Admission) -> None:
        self._breakers = breakers
        self._admission = admission

    def collect(self) -> Iterable[Metric]:
        yield self._breaker_states()
        yield GaugeMetricFamily(
            "switchboard_turns_in_flight", "Turns holding an admission slot.", self._admission.running
        )
        yield GaugeMetricFamily(
            "switchboard_turns_waiting", "Turns waiting for an admission slot.", self._admission.waiting
        )

    def describe(self) -> Iterable[Metric]:
        """The names, without reading anything (the registry asks when the collector is added)."""
        yield GaugeMetricFamily("switchboard_circuit_breaker_state", "", labels=["provider", "state"])
        yield GaugeMetricFamily("switchboard_turns_in_flight", "")
        yield GaugeMetricFamily("switchboard_turns_waiting", "")

    def _breaker_states(self) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "switchboard_circuit_breaker_state",
            "Each provider's circuit breaker: 1 for its state now (closed, open, half_open).",
            labels=["provider", "state"],
        )
        for provider, now in self._breakers().items():
            for state in STATES:
                family.add_metric([provider, state], 1.0 if state == now else 0.0)
        return family
