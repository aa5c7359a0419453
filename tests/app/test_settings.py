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


def test_checkpoints_follow_a_postgres_database_as_a_plain_postgresql_url() -> None:
    on_postgres = Settings(database_url="postgresql+asyncpg://u:p@db:5432/shop?sslmode=require")
    assert on_postgres.resolved_checkpoint_url == "postgresql://u:p@db:5432/shop?sslmode=require"
    assert Settings().resolved_checkpoint_url == ""  # SQLite: the checkpoints.sqlite file
    chosen = Settings(database_url="postgresql+asyncpg://u@db/shop", checkpoint_url="postgresql://u@other/cp")
    assert chosen.resolved_checkpoint_url == "postgresql://u@other/cp"
