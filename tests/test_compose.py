"""docker-compose.yml, checked by Debian's docker-compose (`config` parses and resolves it without
an engine) and by what the stack promises: two replicas behind the proxy on one Postgres, one
Redis and one Chroma server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = {"SWITCHBOARD_ADMIN_TOKEN": "compose-test", "SWITCHBOARD_SESSION_SECRET": "compose-test-secret"}


def _compose() -> str:
    if shutil.which("docker-compose") is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "docker-compose"], capture_output=True, check=False)
    found = shutil.which("docker-compose")
    if found is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    return found


def _config(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SHARED} | extra_env
    command = [_compose(), "-f", str(REPO / "docker-compose.yml"), "config"]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, check=False)


@pytest.fixture(scope="module")
def stack() -> dict[str, Any]:
    done = _config(SHARED)
    assert done.returncode == 0, done.stderr
    parsed: dict[str, Any] = yaml.safe_load(done.stdout)
    return parsed["services"]


def test_two_replicas_share_one_postgres_and_the_secrets(stack: dict[str, Any]) -> None:
    replicas = [stack["app1"], stack["app2"]]
    urls = {r["environment"]["SWITCHBOARD_DATABASE_URL"] for r in replicas}
    assert len(urls) == 1 and next(iter(urls)).startswith("postgresql+asyncpg://") and "@postgres:" in next(iter(urls))
    for replica in replicas:
        assert {k: replica["environment"][k] for k in SHARED} == SHARED
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert replicas[0]["volumes"] != replicas[1]["volumes"]  # each its own data folder


def test_the_replicas_share_one_redis_and_one_chroma_server_and_wait_for_them(stack: dict[str, Any]) -> None:
    replicas = [stack["app1"], stack["app2"]]
    for setting, service in (("SWITCHBOARD_REDIS_URL", "redis"), ("SWITCHBOARD_CHROMA_URL", "chroma")):
        urls = {r["environment"][setting] for r in replicas}
        assert len(urls) == 1 and f"//{service}:" in next(iter(urls)), (setting, urls)
        assert all(r["depends_on"][service]["condition"] == "service_healthy" for r in replicas)
    assert "chroma" in stack["chroma"]["command"] and stack["chroma"]["image"] == replicas[0]["image"]


def test_every_service_has_a_health_check_and_only_the_proxy_and_trace_ui_publish_ports(stack: dict[str, Any]) -> None:
    assert all("healthcheck" in service for service in stack.values())
    assert {name for name, service in stack.items() if service.get("ports")} == {"proxy", "phoenix"}


def test_the_proxy_routes_to_both_replicas_without_buffering_streams() -> None:
    config = (REPO / "deploy" / "nginx.conf").read_text()
    assert "server app1:8000" in config and "server app2:8000" in config
    assert "proxy_buffering off" in config
    assert "hash $cookie_switchboard_session" in config  # a customer stays on the replica holding their stream


def test_the_stack_refuses_to_start_without_the_shared_secrets() -> None:
    done = _config({})
    assert done.returncode != 0
    assert "SWITCHBOARD_ADMIN_TOKEN" in done.stderr
