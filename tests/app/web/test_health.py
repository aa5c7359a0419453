"""GET /healthz: open to anyone, 200 while the database answers, 503 when it does not."""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncEngine


def test_health_is_open_and_names_the_database(app_client: TestClient) -> None:
    response = app_client.get("/healthz")
    assert response.status_code == 200
    services = app_client.app.state.services  # type: ignore[attr-defined]
    identity = {"replica": services.leases.id, "pid": os.getpid()}  # the process holding this lease
    assert response.json() == {"status": "ok", "database": "sqlite", **identity, "chapter": None}  # the full app


def test_a_replica_whose_database_is_gone_says_unhealthy(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(_engine: AsyncEngine) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(AsyncEngine, "connect", refused)
    response = app_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unhealthy"
