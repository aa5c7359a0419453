"""`switchboard resilience`: chaos presets replayed with the resilience switches off, then on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.app.cli import main
from tests.app.datasets import small_dataset

CASES = [
    {"id": "ship", "customer": "C1001", "turns": ["do you ship to Canada?"], "expect": {}},
    {"id": "track", "customer": "C1001", "turns": ["where is order 10057?"], "expect": {"contains": ["10057"]}},
    {"id": "return", "customer": "C1002", "turns": ["how do I return a tent?"], "expect": {}},
]


@pytest.fixture
def dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return small_dataset(tmp_path, monkeypatch, CASES)


def test_primary_down_fails_every_turn_without_resilience_and_none_with_it(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["resilience", "--dataset", str(dataset), "--chaos", "primary-down", "--instant"]) == 0
    reports = {
        run["name"]: run
        for run in (json.loads(p.read_text()) for p in (tmp_path / "data" / "runs").glob("*/report.json"))
    }
    off = reports["small · chaos primary-down · resilience off"]
    on = reports["small · chaos primary-down · resilience on"]
    assert off["flags"]["failover"] is False and on["flags"]["failover"] is True and on["flags"]["router"] is True
    assert off["summary"]["chaos"]["preset"] == on["summary"]["chaos"]["preset"] == "primary-down"
    assert off["summary"]["without_error_rate"] == 0.0 and on["summary"]["without_error_rate"] == 1.0
    out = capsys.readouterr().out
    assert "/runs/compare?ids=" in out and "resilience on" in out


def test_an_unknown_preset_is_refused_by_name(dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["resilience", "--dataset", str(dataset), "--chaos", "earthquake"])
    assert exited.value.code == 2
    assert "invalid choice: 'earthquake'" in capsys.readouterr().err
