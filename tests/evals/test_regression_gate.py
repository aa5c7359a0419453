"""CI's regression gate: the shipped datasets, replayed under their baselines' flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.app.cli import main
from switchboard.app.settings import REPO


@pytest.mark.parametrize("dataset", ["golden", "adversarial"])
def test_dataset_holds_its_baseline(
    dataset: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path))
    baseline = json.loads((REPO / "evals" / "baselines" / f"{dataset}.json").read_text())
    path = REPO / "evals" / "datasets" / f"{dataset}.jsonl"
    code = main(["run", "--dataset", str(path), "--instant", "--flags", baseline["flags"], "--gate"])
    assert code == 0, capsys.readouterr().err
