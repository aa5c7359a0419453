"""A real OTLP receiver for the export tests: Arize Phoenix, run on loopback from its own venv.

scripts/ensure-phoenix.sh installs it (./test always runs that script); `running_phoenix` starts
`phoenix serve` on free ports in a scratch working dir, and `PhoenixClient` reads what arrived
back through Phoenix's REST API (GET /v1/projects/{project}/spans), so that a test asserts on what
a receiver actually stored, not on what the exporter meant to send. The `phoenix` fixture in
tests/conftest.py shares one server per test session (it takes about 15 s to start).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from switchboard.app.settings import REPO

START_TIMEOUT_S = 180.0  # a cold start migrates its SQLite database; about 15 s idle, 50 s on a busy machine
POLL_S = 0.2  # Phoenix is another process: readiness and ingestion can only be polled
DEFAULT_PROJECT = "default"  # where Phoenix files spans whose resource names no project


def phoenix_venv() -> Path:
    """The venv scripts/ensure-phoenix.sh installs into, found by the same rule."""
    if chosen := os.environ.get("SWITCHBOARD_PHOENIX_VENV"):
        return Path(chosen)
    with open(REPO / "pyproject.toml", "rb") as pyproject:
        requirement = tomllib.load(pyproject)["tool"]["switchboard"]["test-receivers"]["phoenix"]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "switchboard" / f"phoenix-{requirement.rpartition('==')[2]}"


def phoenix_missing() -> str | None:
    """Why Phoenix cannot be started here, or None when it can."""
    venv = phoenix_venv()
    if (venv / ".installed").is_file() and (venv / "bin" / "phoenix").is_file():
        return None
    return f"Phoenix is not installed in {venv}: run scripts/ensure-phoenix.sh (./test does)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class ReceivedSpan:
    name: str
    trace_id: str
    span_id: str
    parent_id: str | None
    kind: str  # Phoenix's span kind, e.g. LLM for a span with GenAI attributes
    attributes: dict[str, Any]
    events: tuple[str, ...]

    @classmethod
    def from_api(cls, span: Mapping[str, Any]) -> ReceivedSpan:
        return cls(
            name=span["name"],
            trace_id=span["context"]["trace_id"],
            span_id=span["context"]["span_id"],
            parent_id=span["parent_id"],
            kind=span["span_kind"],
            attributes=span["attributes"],
            events=tuple(event["name"] for event in span["events"]),
        )


class PhoenixClient:
    """Reads back the spans Phoenix stored."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def spans(self, trace_id: str, project: str = DEFAULT_PROJECT) -> list[ReceivedSpan]:
        response = self._http.get(f"/v1/projects/{project}/spans", params={"trace_id": trace_id, "limit": 1000})
        response.raise_for_status()
        return [ReceivedSpan.from_api(span) for span in response.json()["data"]]

    def wait_for_spans(self, trace_id: str, count: int, timeout_s: float = 30.0) -> list[ReceivedSpan]:
        """The trace's spans once `count` have arrived (Phoenix inserts in batches), or what had
        arrived by the timeout, for the test's assertion to show."""
        deadline = time.monotonic() + timeout_s
        while len(spans := self.spans(trace_id)) < count and time.monotonic() < deadline:
            time.sleep(POLL_S)
        return spans


@dataclass(frozen=True)
class Phoenix:
    endpoint: str  # the OTLP/HTTP base URL: what OTEL_EXPORTER_OTLP_ENDPOINT would be set to
    client: PhoenixClient


def phoenix_env(working_dir: Path, port: int, grpc_port: int) -> dict[str, str]:
    """The caller's environment less any Phoenix or OTel settings of its own, plus ours."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PHOENIX_", "OTEL_"))}
    return env | {
        "PHOENIX_WORKING_DIR": str(working_dir),
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(grpc_port),
        "PHOENIX_TELEMETRY_ENABLED": "false",
    }


@contextmanager
def running_phoenix(working_dir: Path, start_timeout_s: float = START_TIMEOUT_S) -> Iterator[Phoenix]:
    port = free_port()
    log = working_dir / "phoenix.log"
    command = [str(phoenix_venv() / "bin" / "phoenix"), "serve"]
    with log.open("wb") as output, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        server = subprocess.Popen(
            command, env=phoenix_env(working_dir, port, free_port()), stdout=output, stderr=subprocess.STDOUT
        )
        try:
            wait_until_ready(server, http, log, start_timeout_s)
            yield Phoenix(endpoint=f"http://127.0.0.1:{port}", client=PhoenixClient(http))
        finally:
            stop(server)


def wait_until_ready(server: subprocess.Popen[bytes], http: httpx.Client, log: Path, timeout_s: float) -> None:
    """Polls /readyz (answered once Phoenix's database is up) until it says yes or time is up."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"phoenix serve exited with {server.returncode}:\n{log_tail(log)}")
        try:
            if http.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(POLL_S)
    raise TimeoutError(f"Phoenix was not ready within {timeout_s:.0f} s:\n{log_tail(log)}")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def log_tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
