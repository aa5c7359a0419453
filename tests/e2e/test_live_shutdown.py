"""`switchboard serve` stops promptly on SIGTERM while customers' event streams are open: the
streams end (sse-starlette watches uvicorn's exit signal) rather than holding the server up
until a supervisor kills it."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import _free_port, _switchboard_command, _tail, _wait_until_ready

pytestmark = pytest.mark.e2e
STOPS_WITHIN_S = 10.0
STREAMS = 3


def serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(SWITCHBOARD_DATA_DIR=str(data_dir), SWITCHBOARD_ADMIN_TOKEN="shutdown-test")
    with (data_dir / "server.log").open("wb") as log:
        command = [*_switchboard_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        return subprocess.Popen(command, cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT)


def open_stream(client: httpx.Client) -> tuple[httpx.Response, Iterator[str]]:
    """A customer's conversation with its events stream open, its first event read."""
    token = client.post("/api/session", json={"customer_id": "C1001"}).json()["token"]
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    conversation = client.post("/api/conversations", json={}, headers=bearer).json()["id"]
    request = client.build_request("GET", f"/api/conversations/{conversation}/events", headers=bearer)
    stream = client.send(request, stream=True)
    lines = stream.iter_lines()
    assert next(lines).startswith("event: held")
    return stream, lines


def test_the_server_stops_promptly_with_event_streams_open(tmp_path: Path) -> None:
    port = _free_port()
    process = serve(tmp_path, port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base_url, process, tmp_path / "server.log")
        with httpx.Client(base_url=base_url, timeout=STOPS_WITHIN_S) as client:
            streams = [open_stream(client) for _ in range(STREAMS)]
            process.send_signal(signal.SIGTERM)
            for stream, lines in streams:  # each ends as a response ends: a reset or a hang would raise here
                assert all(line == "" or line.startswith((":", "event:", "data:")) for line in lines)
                stream.close()
        try:
            process.wait(timeout=STOPS_WITHIN_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve still running {STOPS_WITHIN_S:.0f} s after SIGTERM:\n{_tail(tmp_path / 'server.log')}")
        # uvicorn shuts down, then raises the signal it caught again, so that its exit says why
        assert process.returncode in (0, -signal.SIGTERM), _tail(tmp_path / "server.log")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
