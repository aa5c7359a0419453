"""Browser-test fixtures: the real CLI server in a subprocess, and a headless Chromium.

The server runs `switchboard serve` on a free port with its own data folder and slowed-down
demo models (50 ms to the first token, 40 tokens a second), so streaming is visible to a
browser. Everything is session-scoped: start-up indexes the knowledge base once.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Response, sync_playwright

READY_TIMEOUT_S = 60.0
ADMIN_TOKEN = "e2e-admin"
ADMIN = {"X-Admin-Token": ADMIN_TOKEN}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _switchboard_command() -> list[str]:
    """The installed console script (cli.py has no `__main__`, so `python -m` would not serve)."""
    beside = Path(sys.executable).with_name("switchboard")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("switchboard")
    if found:
        return [found]
    pytest.fail("the `switchboard` console script is not installed (pip install -e .)")


def _chromium_executable() -> str | None:
    """Debian's chromium if present; None lets Playwright use its own download."""
    candidates = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
    return os.environ.get("SWITCHBOARD_CHROMIUM") or next((p for p in candidates if Path(p).exists()), None)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running `switchboard serve`."""
    with serving(tmp_path_factory.mktemp("e2e-data")) as base_url:
        yield base_url


@contextmanager
def serving(data_dir: Path, *args: str) -> Iterator[str]:
    """`switchboard serve` with `args` (e.g. `--chapter 3`) on a free port, until the block ends."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(
        SWITCHBOARD_DATA_DIR=str(data_dir),
        SWITCHBOARD_DEMO_TTFT_MS="50",
        SWITCHBOARD_DEMO_TOKENS_PER_S="40",
        SWITCHBOARD_ADMIN_TOKEN=ADMIN_TOKEN,
        # rate_limit is off unless a test switches it on; then a customer's second message is refused.
        SWITCHBOARD_RATE_LIMIT_MESSAGES_PER_MINUTE="1",
    )
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        # cwd is the data folder so a developer's .env does not change the server under test.
        process = subprocess.Popen(
            [*_switchboard_command(), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base_url, process, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_ready(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"switchboard serve exited with {process.returncode}:\n{_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/api/flags", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)  # polling interval, not a wait for a condition
    pytest.fail(f"switchboard serve not ready after {READY_TIMEOUT_S:.0f} s:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope, not session: Playwright's sync API keeps an event loop running in this
    # thread while it is open, which would break every asyncio test collected after these.
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium_executable(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A fresh 1280x800 tab, signed in as the operator and as customer C1001 (as a person does:
    the operator's sign-in link, then the demo's customer picker); fails the test on any uncaught
    script error or 5xx response."""
    with signed_in_tab(browser, server) as tab:
        yield tab


@contextmanager
def signed_in_tab(browser: Browser, server: str) -> Iterator[Page]:
    """The `page` fixture's tab, on any server (`serving`)."""
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 800})
    # The context's request client shares its cookie jar with the tab.
    context.request.get(f"{server}/admin?token={ADMIN_TOKEN}", max_redirects=0)
    pick = {"customer_id": "C1001"}
    context.request.post(f"{server}/ui/session", form=pick, headers={"Origin": server}, max_redirects=0)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def on_response(response: Response) -> None:
        if response.status >= 500:
            problems.append(f"{response.status} {response.request.method} {response.url}")

    page.on("response", on_response)
    yield page
    context.close()
    assert not problems, problems
