"""`.env.example` is the list of every setting: it must not fall behind `Settings`."""

from __future__ import annotations

import re

from switchboard.app.settings import REPO, Settings


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    listed = set(re.findall(r"^(SWITCHBOARD_[A-Z_]+)=", (REPO / ".env.example").read_text(), re.M))
    assert listed == {f"SWITCHBOARD_{name.upper()}" for name in Settings.model_fields}
