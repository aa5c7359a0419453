"""A real `switchboard serve` in a subprocess on a free loopback port, for the benches that test
the app the way it runs in production: over HTTP, with a process that can be killed.

    with LiveServer(data_dir, SWITCHBOARD_DEMO_TOKENS_PER_S="20") as server:
        token = server.sign_in("C1001")
        server.kill()       # SIGKILL: no shutdown handlers run
        server.start()      # again, on the same data folder

Everything stays on 127.0.0.1 and every wait is bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

ADMIN_TOKEN = "bench-admin"
ADMIN = {"X-Admin-Token": ADMIN_TOKEN}
READY_TIMEOUT_S = 90.0
REPO = Path(__file__).resolve().parents[1]
SEED_CUSTOMERS = REPO / "data" / "tenants" / "tidewater" / "seed" / "customers.json"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed_customers() -> list[dict[str, Any]]:
    customers: list[dict[str, Any]] = json.loads(SEED_CUSTOMERS.read_text())
    return customers


def _command() -> list[str]:
    beside = Path(sys.executable).with_name("switchboard")
    found = str(beside) if beside.exists() else shutil.which("switchboard")
    if not found:
        raise SystemExit("the `switchboard` console script is not installed (run ./test or ./run once)")
    return [found]


class LiveServer:
    def __init__(self, data_dir: Path, **settings: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        self._env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
        # PYTHONPATH: the server runs this checkout's code, whichever copy the script belongs to.
        self._env.update(PYTHONPATH=str(REPO), SWITCHBOARD_DATA_DIR=str(data_dir), SWITCHBOARD_ADMIN_TOKEN=ADMIN_TOKEN)
        self._env.update(settings)
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        command = [*_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        # cwd is the data folder, so that a developer's .env does not change the server measured.
        self._process = subprocess.Popen(command, cwd=self.data_dir, env=self._env, stdout=log, stderr=log)
        self._wait_until_ready()

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a pulled plug would: nothing gets to clean up."""
        if self._process is not None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=10)
            self._process = None

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        self._process = None

    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def rss_mb(self) -> float:
        """The server's resident memory now, in MB (Linux: /proc), 0 when it is not running."""
        if self._process is None:
            return 0.0
        status = Path(f"/proc/{self._process.pid}/status").read_text()
        kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(kb) / 1024

    def tracebacks(self) -> list[str]:
        """Each traceback in the server's log, with the line before it (the logged message)."""
        log = self.log_path.read_text(errors="replace").split("\n")
        starts = [n for n, line in enumerate(log) if line.startswith("Traceback (most recent call last)")]
        return ["\n".join(log[max(0, n - 1) : n + 60]) for n in starts]

    def sign_in(self, customer_id: str) -> dict[str, str]:
        """Bearer headers for `customer_id` (the demo's sign-in)."""
        response = httpx.post(f"{self.base_url}/api/session", json={"customer_id": customer_id}, timeout=30)
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def operator(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx.request(method, f"{self.base_url}{path}", json=body, headers=ADMIN, timeout=30)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise SystemExit(f"switchboard serve exited with {self._process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.base_url}/api/flags", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # polling interval while the server starts
        raise SystemExit(f"switchboard serve not ready after {READY_TIMEOUT_S:.0f} s; see {self.log_path}")
