"""Answer snapshots: volatile parts masked, changes shown as diffs, the stored ones still hold."""

from __future__ import annotations

import pytest

from switchboard.app.cli import main
from switchboard.evals.snapshots import differences, normalise


def test_ticket_numbers_are_masked() -> None:
    assert normalise(" Your ticket is T-1A2B3C. ") == "Your ticket is T-XXXXXX."


def test_differences_name_the_case_and_show_the_change() -> None:
    stored = {"a": "Refunds take 2 days. Thanks", "b": "same", "gone": "x"}
    fresh = {"a": "Refunds take 5 days. Thanks", "b": "same", "new": "y"}
    changes = differences(stored, fresh)
    assert [c.split(":")[0] for c in changes] == ["a", "gone", "new"]
    assert "-Refunds take 2 days" in changes[0] and "+Refunds take 5 days" in changes[0]


def test_the_stored_answers_still_hold(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["snapshots"]) == 0, capsys.readouterr().err
