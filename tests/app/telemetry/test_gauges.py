"""The gauges are read at scrape time: breaker states and the admission's turns in flight."""

from __future__ import annotations

from switchboard.app.telemetry.gauges import LiveGauges
from switchboard.app.telemetry.metrics import Telemetry
from switchboard.patterns.admission import Admission
from switchboard.patterns.circuit_breaker import State
from tests.app.telemetry.scraped import samples, value


def scrape(telemetry: Telemetry) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return samples(telemetry.exposition(None)[0].decode())


async def test_breaker_states_and_turns_in_flight_are_read_when_scraped() -> None:
    breakers: dict[str, State] = {"demo-a": "closed", "demo-b": "closed"}
    gate = Admission(2, queue=0)
    telemetry = Telemetry()
    telemetry.watch(LiveGauges(lambda: breakers, gate))
    assert value(scrape(telemetry), "switchboard_turns_in_flight") == 0
    breakers["demo-a"] = "open"
    async with gate.slot(None), gate.slot(None):
        got = scrape(telemetry)
    assert value(got, "switchboard_turns_in_flight") == 2 and value(got, "switchboard_turns_waiting") == 0
    state = "switchboard_circuit_breaker_state"
    assert value(got, state, provider="demo-a", state="open") == 1
    assert value(got, state, provider="demo-a", state="closed") == 0
    assert value(got, state, provider="demo-b", state="closed") == 1
    assert value(got, state, provider="demo-b", state="half_open") == 0
    assert value(scrape(telemetry), "switchboard_turns_in_flight") == 0
