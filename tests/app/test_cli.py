"""The command line: every command and option explains itself, and `compare` links to the page."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from switchboard.app import cli
from switchboard.app.runs.replay import RunStore
from switchboard.app.settings import Settings
from switchboard.app.shop.db import make_engine, make_sessions, upgrade_schema
from switchboard.app.shop.models import Run
from switchboard.evals.report import summarise


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = cli._parser()
    (group,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(group.choices)


def test_the_help_describes_the_tool_and_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    shown = capsys.readouterr().out
    assert exited.value.code == 0
    assert "serve | seed" not in shown and "support assistant" in shown
    for name in commands():
        assert f"    {name}" in shown


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_and_option_has_help(name: str) -> None:
    command = commands()[name]
    assert command.description, f"`switchboard {name} --help` has no description"
    missing = [a.dest for a in command._actions if not a.help]
    assert missing == [], f"`switchboard {name}`: no help for {missing}"


def stored_runs(settings: Settings, flags: list[dict[str, bool]]) -> list[str]:
    async def store() -> list[str]:
        engine = make_engine(settings.resolved_database_url)
        await upgrade_schema(engine)
        runs = RunStore(make_sessions(engine))
        ids = []
        for i, snapshot in enumerate(flags):
            run = Run(
                id=f"run_{i}",
                name=f"run {i}",
                created_at=datetime(2026, 6, 1, 12, i, tzinfo=UTC),
                dataset="golden.jsonl",
                dataset_hash="h",
                code_version="c",
                flags=snapshot,
                summary={**summarise([]), "case_passed": {}},
            )
            await runs.add(run)
            ids.append(run.id)
        await engine.dispose()
        return ids

    return asyncio.run(store())


def test_compare_prints_the_link_to_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SWITCHBOARD_PORT", "8123")
    first, second = stored_runs(Settings(), [{"rag": True}, {"rag": False}])
    assert cli.main(["compare", first, "run 1"]) == 0
    shown = capsys.readouterr().out
    assert f"side by side: http://127.0.0.1:8123/runs/compare?ids={first}&ids={second}" in shown
    assert cli.main(["compare", first, "run_missing"]) == 2
    assert "no run 'run_missing'" in capsys.readouterr().err


def test_an_ingest_is_in_the_audit_log_signed_by_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from switchboard.app.shop.audit import AuditLog

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "stove-fuel.md").write_text("# Stove fuel\n\nCanisters travel by ground only, never by air.\n")
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path / "data"))
    assert cli.main(["ingest", str(folder), "--tenant", "tidewater", "--source", "extra"]) == 0

    async def entries() -> list[dict[str, object]]:
        engine = make_engine(Settings().resolved_database_url)
        found = await AuditLog(make_sessions(engine), lambda: datetime.now(UTC)).newest()
        await engine.dispose()
        return [e.model_dump() for e in found]

    (entry,) = asyncio.run(entries())
    assert (entry["action"], entry["sign_in"], entry["target"]) == ("knowledge.ingest", "cli", str(folder.resolve()))
    assert entry["after"] == {
        "tenant": "tidewater",
        "source": "extra",
        "added": 1,
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
        "reembedded": 0,
    }
    assert "switchboard ingest" in str(entry["user_agent"])


def _one_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of one short article, and a data dir of the test's own for the commands."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "stove-fuel.md").write_text("# Stove fuel\n\nCanisters go by ground. Never by air.\n")
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path / "data"))
    return folder


def test_ingest_cuts_articles_the_way_the_setting_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change of SWITCHBOARD_KB_CHUNKING re-indexes: the same folder is added again, cut anew."""
    folder = _one_article(tmp_path, monkeypatch)
    assert cli.main(["ingest", str(folder), "--tenant", "tidewater", "--source", "extra"]) == 0
    assert "added 1, updated 0, removed 0, unchanged 0, re-embedded 0; 1 chunks" in capsys.readouterr().out
    monkeypatch.setenv("SWITCHBOARD_KB_CHUNKING", "sentence")
    assert cli.main(["ingest", str(folder), "--tenant", "tidewater", "--source", "extra"]) == 0
    assert "added 1, updated 0, removed 0, unchanged 0, re-embedded 0; 2 chunks" in capsys.readouterr().out


def test_ingest_writes_into_the_strategy_the_panel_chose_over_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The panel's stored choice (app/shop/chunking_switch.py) is the index the server serves."""
    from switchboard.app.shop.chunking_switch import STORED_KEY
    from switchboard.app.shop.models import Meta

    folder = _one_article(tmp_path, monkeypatch)

    async def choose_sentence() -> None:
        engine = make_engine(Settings().resolved_database_url)
        await upgrade_schema(engine)
        async with make_sessions(engine)() as s:
            await s.merge(Meta(key=STORED_KEY, value="sentence"))
            await s.commit()
        await engine.dispose()

    asyncio.run(choose_sentence())
    assert cli.main(["ingest", str(folder), "--tenant", "tidewater", "--source", "extra"]) == 0
    assert "added 1, updated 0, removed 0, unchanged 0, re-embedded 0; 2 chunks" in capsys.readouterr().out
