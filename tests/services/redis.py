"""A real Redis on loopback for the tests of the state replicas share (tests/app/scale).

`running_redis` starts Debian's `redis-server` on a free port with no persistence, waits for its
PING, and shuts it down on exit. The session fixture `redis_server` shares one per test session;
`redis_url` gives each test an emptied server (FLUSHALL), so tests share the process, not keys.
The binary comes from scripts/ensure-services.sh (apt-get when root); without it the tests skip.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from tests.phoenix import free_port

START_TIMEOUT_S = 30.0
POLL_S = 0.05  # another process: its readiness can only be polled


@contextmanager
def running_redis(folder: Path) -> Iterator[str]:
    """A redis-server with its log in `folder`; yields its URL once it answers PING."""
    binary = shutil.which("redis-server")
    assert binary is not None, "the redis_server fixture checks this"
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen([binary, *options, "--logfile", str(folder / "redis.log"), "--dir", str(folder)])
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for_ping(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for_ping(url: str, server: subprocess.Popen[bytes]) -> None:
    client = redis.Redis.from_url(url, socket_timeout=1.0)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"redis-server exited with {server.returncode}")
        try:
            if client.ping():
                return
        except redis.ConnectionError:
            pass
        time.sleep(POLL_S)
    raise RuntimeError(f"redis-server did not answer PING in {START_TIMEOUT_S:.0f} s")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real Redis for the session: its URL. Skipped, with the reason, where it is not installed."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: apt-get install redis-server (scripts/ensure-services.sh)")
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied for this test."""
    redis.Redis.from_url(redis_server).flushall()
    return redis_server
