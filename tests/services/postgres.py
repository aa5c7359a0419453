"""A real Postgres 15 on loopback for the tests: one server a session, one fresh database a test.

`running_postgres` makes a cluster with `initdb` in a scratch folder owned by the `postgres` user
(Postgres refuses to run as root), trusts loopback connections, starts it with `pg_ctl` on a free
port with its socket in that folder, and stops it on exit. `PostgresServer.fresh_database` gives a
test a database of its own (CREATE DATABASE test_<n>), so tests share the server but no rows.
The binaries are Debian's postgresql-15; when they are missing and we are root, they are
installed with apt-get (as scripts/ensure-browser.sh does for Chromium), else the tests skip.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")
USER = "postgres"  # the superuser initdb makes: the OS user it runs as


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def postgres_missing() -> str | None:
    """Why a Postgres server cannot be started here, or None when it can (installing it if root)."""
    if not (BIN / "pg_ctl").is_file() and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql-15"], capture_output=True, check=False)
    if not (BIN / "pg_ctl").is_file():
        return f"Postgres 15 is not installed ({BIN}/pg_ctl missing): apt-get install postgresql-15"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start Postgres as the postgres user"
    return None


def _as_postgres(*command: str) -> list[str]:
    """Postgres will not run as root: run its tools as the postgres user when we are root."""
    return ["runuser", "-u", USER, "--", *command] if os.geteuid() == 0 else list(command)


@dataclass
class PostgresServer:
    """A running server: its port, and fresh databases on it as async SQLAlchemy URLs."""

    port: int
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def url(self, database: str = "postgres", driver: str = "asyncpg") -> str:
        return f"postgresql+{driver}://{USER}@127.0.0.1:{self.port}/{database}"

    def fresh_database(self) -> str:
        """A new empty database's asyncpg URL (CREATE DATABASE test_<n>)."""
        name = f"test_{next(self._numbers)}"
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        command = [str(BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", database]
        done = subprocess.run([*command, "-At", "-c", sql], capture_output=True, text=True, check=True)
        return done.stdout.strip()


@contextmanager
def running_postgres(folder: Path) -> Iterator[PostgresServer]:
    """A Postgres 15 cluster in `folder` (made if missing), started on a free loopback port."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, USER, USER)
    data, port = folder / "data", free_port()
    _run(str(BIN / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run(str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        yield PostgresServer(port)
    finally:
        _run(str(BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")


def _run(*command: str) -> None:
    subprocess.run(_as_postgres(*command), capture_output=True, check=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real Postgres for the session, skipped (with the reason) only where it cannot run."""
    if reason := postgres_missing():
        pytest.skip(reason)
    # Not under pytest's tmp folder: that is private to root, and the postgres user must reach it.
    with tempfile.TemporaryDirectory(prefix="switchboard-pg-") as folder, running_postgres(Path(folder)) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """An async URL to a database of this test's own on the session's server."""
    return postgres_server.fresh_database()
