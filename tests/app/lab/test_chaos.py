"""The chaos board's document, as replicas share it: adopted whole, or refused whole."""

from __future__ import annotations

import pytest

from switchboard.app.lab.chaos import ChaosBoard, ChaosError


def test_a_document_restores_presets_dials_and_agent_faults_on_another_board() -> None:
    source, other = ChaosBoard(), ChaosBoard()
    source.apply_preset("flaky-tools")
    source.set_many({"demo-b": {"error_rate": 0.2, "outage": True}})
    other.apply_preset("slow")  # what it held before is replaced, not merged
    other.restore(source.document())
    assert other.view() == source.view()
    assert other.dials_for("demo-a")().latency_multiplier == 1.0
    assert other.agent_faults().tool_fault_rate == 0.3


@pytest.mark.parametrize(
    "bad",
    [
        {"preset": "custom", "chaos": {"demo-a": {"error_rate": 2.0}}},  # out of range
        {"preset": "custom", "chaos": {"nobody": {}}},  # a provider this replica lacks
        {"preset": "custom", "chaos": {"demo-a": {"no_dial": 1}}},
        {"preset": "no-such-preset", "chaos": {}},
        {"preset": "calm"},
        {"preset": "calm", "chaos": {"demo-a": 1}},
        "calm",
    ],
)
def test_a_bad_document_is_refused_and_the_board_keeps_its_state(bad: object) -> None:
    board = ChaosBoard()
    board.apply_preset("primary-down")
    before = board.view()
    with pytest.raises(ChaosError):
        board.restore(bad)
    assert board.view() == before
