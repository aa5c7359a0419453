"""`switchboard serve --workers N`: refused without the servers the workers' state must live on;
with them, a real `serve --workers 2` on loopback answers /healthz from two processes, on a
real Postgres, Redis and `chroma run` (tests/services/), and stops cleanly when asked."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from switchboard.app import cli
from tests.services.postgres import PostgresServer, free_port

START_S = 180.0  # two workers' start-ups (index, embedder) on a busy 2-core machine
STOP_S = 30.0
LEASED = "SELECT pid FROM process_lease"
MOST_REQUESTS = 500  # each on a new connection: the kernel hands them to either worker's accept


@pytest.fixture
def no_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path / "data"))
    for name in ("SWITCHBOARD_REDIS_URL", "SWITCHBOARD_CHROMA_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "set SWITCHBOARD_REDIS_URL and SWITCHBOARD_CHROMA_URL"),
        ({"SWITCHBOARD_REDIS_URL": "redis://127.0.0.1:6379/0"}, "set SWITCHBOARD_CHROMA_URL (state"),
        ({"SWITCHBOARD_CHROMA_URL": "http://127.0.0.1:8000"}, "set SWITCHBOARD_REDIS_URL (state"),
    ],
)
def test_several_workers_without_shared_state_are_refused_naming_what_is_missing(
    no_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    given: dict[str, str],
    missing: str,
) -> None:
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", "--workers", "2"]) == 2
    shown = capsys.readouterr()
    (line,) = shown.err.splitlines()
    assert line.startswith("switchboard serve: --workers 2: ") and missing in line
    assert not (no_env / "data").exists()  # refused before anything was made


def test_no_workers_is_refused(no_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--workers", "0"]) == 2
    assert "N must be at least 1" in capsys.readouterr().err


def _pids_answering(url: str, server: subprocess.Popen[bytes], log: Path) -> tuple[set[int], int]:
    """The pids /healthz names, asked on a new connection each time until two have answered
    (or MOST_REQUESTS answered, or START_S passed); and how many answers it took."""
    pids: set[int] = set()
    answered, deadline = 0, time.monotonic() + START_S
    while len(pids) < 2 and answered < MOST_REQUESTS and time.monotonic() < deadline:
        assert server.poll() is None, f"serve exited with {server.returncode}: {log.read_text()[-3000:]}"
        try:
            response = httpx.get(f"{url}/healthz", timeout=5.0)
        except httpx.TransportError:
            time.sleep(0.2)  # not listening yet: a worker is still starting
            continue
        if response.status_code == 200:
            pids.add(response.json()["pid"])
            answered += 1
        else:
            time.sleep(0.2)
    return pids, answered


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


@dataclass(frozen=True)
class Database:
    """The database the workers share, and how the test reads its leases' pids."""

    url: str
    leased: Callable[[], list[int]]


@pytest.fixture(params=["postgres", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = url.rsplit("/", 1)[1]
        return Database(url, lambda: sorted(map(int, server.psql(LEASED, name).split())))
    path = tmp_path / "shared.db"  # a fresh file: the workers would race for its first writes

    def leased() -> list[int]:
        with sqlite3.connect(path) as db:
            return sorted(pid for (pid,) in db.execute(LEASED))

    return Database(f"sqlite+aiosqlite:///{path}", leased)


def test_two_workers_on_shared_servers_answer_from_two_processes_and_stop_cleanly(
    tmp_path: Path, database: Database, redis_url: str, chroma_server: str
) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    env = {
        **os.environ,
        "SWITCHBOARD_DATA_DIR": str(tmp_path / "data"),
        "SWITCHBOARD_DATABASE_URL": database.url,
        "SWITCHBOARD_REDIS_URL": redis_url,
        "SWITCHBOARD_CHROMA_URL": chroma_server,
        "SWITCHBOARD_KB_COLLECTION": f"kb-{tmp_path.name}",
        "SWITCHBOARD_CACHE_COLLECTION": f"answers-{tmp_path.name}",
    }
    command = [sys.executable, "-c", "import sys; from switchboard.app.cli import main; sys.exit(main())"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*command, "serve", "--workers", "2", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            pids, answered = _pids_answering(f"http://127.0.0.1:{port}", server, log)
            assert len(pids) == 2, f"only {pids} answered in {answered} requests: {log.read_text()[-3000:]}"
            assert server.pid not in pids  # the workers answer, not the supervisor
            assert database.leased() == sorted(pids)
            server.send_signal(signal.SIGINT)  # Ctrl+C
            assert server.wait(timeout=STOP_S) == 0, log.read_text()[-3000:]
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
    assert not [pid for pid in pids if _alive(pid)]
    assert database.leased() == []  # each worker dropped its lease on the way out
    assert "2 workers" in log.read_text()
