"""`switchboard migrate`: the schema and the checkpoints' tables brought to head on SQLite and on
a real Postgres, saying from which revision to which; idempotent; one clear line when the
database cannot be reached."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.app import cli
from switchboard.app.shop.migrations import head_revision
from tests.services.postgres import PostgresServer, free_port


@pytest.fixture
def no_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_migrate_builds_a_fresh_sqlite_database_then_finds_it_at_head(
    no_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate"]) == 0
    first = capsys.readouterr().out
    assert f"switchboard.db: empty → {head_revision()}" in first
    assert (no_env / "checkpoints.sqlite").exists()
    assert cli.main(["migrate"]) == 0
    assert f"already at {head_revision()}, nothing to do" in capsys.readouterr().out


def test_migrate_on_postgres_makes_the_tables_and_the_checkpoints_tables_once(
    no_env: Path,
    postgres_url: str,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", postgres_url)
    database = postgres_url.rsplit("/", 1)[1]
    assert cli.main(["migrate"]) == 0
    assert f"{database}: empty → {head_revision()}" in capsys.readouterr().out
    tables = "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"
    made = set(postgres_server.psql(tables, database).split(","))
    assert {"process_lease", "message", "checkpoints", "checkpoint_writes", "alembic_version"} <= made
    assert postgres_server.psql("SELECT version_num FROM alembic_version", database) == head_revision()
    assert cli.main(["migrate"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert set(postgres_server.psql(tables, database).split(",")) == made
    assert not (no_env / "checkpoints.sqlite").exists()  # checkpoints went to the Postgres


def test_an_unreachable_database_is_one_line_and_a_failing_exit(
    no_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    nobody = f"postgresql+asyncpg://switchboard:hunter2@127.0.0.1:{free_port()}/shop"  # nothing listens there
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", nobody)
    assert cli.main(["migrate"]) == 1
    shown = capsys.readouterr()
    (line,) = shown.err.splitlines()
    assert line.startswith("switchboard migrate: cannot migrate postgresql+asyncpg://switchboard:***@127.0.0.1:")
    assert "hunter2" not in shown.err and "Traceback" not in shown.err and shown.out == ""
