"""A real Chroma server on loopback for the tests of the server-backed knowledge base and cache.

`running_chroma` starts `chroma run` (chromadb's own CLI, in the venv's bin) on a free port with
a scratch data folder, waits for its heartbeat, and stops it on the way out; the session fixture
`chroma_server` shares one per test session and yields its URL (what SWITCHBOARD_CHROMA_URL takes).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.phoenix import free_port

START_TIMEOUT_S = 60.0
POLL_S = 0.1  # another process: its readiness can only be polled


def chroma_binary() -> str | None:
    beside_python = Path(sys.executable).with_name("chroma")
    return str(beside_python) if beside_python.is_file() else shutil.which("chroma")


@contextmanager
def running_chroma(data: Path) -> Iterator[str]:
    """A `chroma run` server storing in `data`; yields its URL once its heartbeat answers."""
    binary = chroma_binary()
    assert binary is not None, "chroma_missing() guards this"
    port = free_port()
    log = (data / "chroma.log").open("wb")
    command = [binary, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_heartbeat(url, server, data / "chroma.log")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_for_heartbeat(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"chroma run exited with {server.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(POLL_S)
    raise RuntimeError(f"chroma run did not answer its heartbeat in {START_TIMEOUT_S:.0f} s")


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Chroma server per test session: its URL. Skipped only where chromadb's CLI is absent
    (it comes with the chromadb dependency, so a working install always has it)."""
    if chroma_binary() is None:
        pytest.skip("chromadb's `chroma` CLI is not installed (pip install chromadb)")
    with running_chroma(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url
