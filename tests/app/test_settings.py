"""`.env.example` is the list of every setting: it must not fall behind `Settings`."""

from __future__ import annotations

import re

from pydantic import AliasChoices

from switchboard.app.settings import REPO, Settings


def variable(name: str) -> str:
    """The variable a setting is read from: SWITCHBOARD_<NAME>, or a standard one it is aliased to."""
    alias = Settings.model_fields[name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"SWITCHBOARD_{name.upper()}"


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    listed = set(re.findall(r"^((?:SWITCHBOARD|OTEL)_[A-Z_]+)=", (REPO / ".env.example").read_text(), re.M))
    assert listed == {variable(name) for name in Settings.model_fields}
