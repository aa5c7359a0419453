"""Small datasets written for a test, with the app's data kept in the test's own folder."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest


def small_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cases: Sequence[dict[str, Any]]) -> Path:
    """Writes `cases` as small.jsonl and points SWITCHBOARD_DATA_DIR at tmp_path/data."""
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in cases) + "\n")
    return path
