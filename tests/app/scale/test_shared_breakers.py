"""Two apps on one real Redis: a breaker opened by one app's failures keeps the other off the provider.

Each app keeps its own SQLite (the breaker state is all they share here). The first app's
primary is down by chaos; once its breaker is open, the second app's next turn goes straight to
the fallback, with no failed attempt on the primary — whether or not chaos is shared too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from switchboard.app.services import Services
from switchboard.app.shared.resilience import ResilienceSync
from switchboard.app.web.main import create_app
from tests.app.web.chatting import ask, new_conversation
from tests.conftest import ADMIN, SAME_SITE, fast_settings

MAX_TURNS = 20  # the default breaker opens after 10 calls at ≥ 50% failures: a few turns


@contextmanager
def app_on(redis_url: str, data_dir: Path) -> Iterator[TestClient]:
    settings = fast_settings(data_dir).model_copy(update={"redis_url": redis_url})
    with TestClient(create_app(settings), headers={**ADMIN, **SAME_SITE}) as client:
        assert client.patch("/api/flags", json={"preset": "all-on"}).status_code == 200
        yield client


def mirror(client: TestClient) -> ResilienceSync:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    assert services.resilience is not None, "SWITCHBOARD_REDIS_URL is set: the mirror runs"
    return services.resilience


def primary_breaker(client: TestClient) -> str:
    return str(client.get("/api/chaos").json()["breakers"]["demo-a"])


def test_a_breaker_opened_on_one_app_sends_the_other_straight_to_the_fallback(redis_url: str, tmp_path: Path) -> None:
    with app_on(redis_url, tmp_path / "one") as one, app_on(redis_url, tmp_path / "two") as two:
        one.patch("/api/chaos", json={"preset": "primary-down"})
        for _ in range(MAX_TURNS):
            ask(one, new_conversation(one), "where is my order?")
            if primary_breaker(one) == "open":
                break
        assert primary_breaker(one) == "open"
        one.portal.call(mirror(one).breakers.flush)  # type: ignore[union-attr]  # one's change is recorded
        two.portal.call(mirror(two).breakers.sync)  # type: ignore[union-attr]  # and two has read it
        assert primary_breaker(two) == "open"
        served = ask(two, new_conversation(two), "where is my order?")[-1][1]
        assert served["outcome"] == "answered" and served["providers"] == ["demo-b"]
        assert served["failed_attempts"] == 0  # the primary was never called from two
