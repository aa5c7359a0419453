"""The whole app on a real Postgres (tests/services/postgres.py): data and checkpoints alike.

The same code as on the embedded SQLite default, chosen only by `SWITCHBOARD_DATABASE_URL`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi.testclient import TestClient

from switchboard.app.services import _open_database, utcnow
from switchboard.app.shop.store import ShopStore
from switchboard.app.shop.tenants import load_tenants
from switchboard.app.web.main import create_app
from tests.app.web.chatting import answer_of, ask, new_conversation, stored
from tests.conftest import SAME_SITE, fast_settings, sign_in
from tests.services.postgres import PostgresServer


def _app_on(url: str, data_dir: Path) -> TestClient:
    settings = fast_settings(data_dir).model_copy(update={"database_url": url})
    return TestClient(create_app(settings), headers=SAME_SITE)  # as the app's own page sends them


def test_a_turn_on_postgres_is_answered_and_stored_with_its_checkpoint_there(
    postgres_url: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    with _app_on(postgres_url, tmp_path) as client:
        conversation = new_conversation(client)
        answer = answer_of(ask(client, conversation, "where is my order?"))
        assert answer
        assert stored(client, conversation) == ["where is my order?", answer]
    database = postgres_url.rsplit("/", 1)[1]
    assert int(postgres_server.psql("SELECT count(*) FROM checkpoints", database)) > 0
    assert not (tmp_path / "checkpoints.sqlite").exists()


def test_a_second_app_on_the_same_postgres_continues_the_conversation(
    postgres_url: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    with _app_on(postgres_url, tmp_path / "one") as first:
        conversation = new_conversation(first)
        ask(first, conversation, "where is my order?")
    database = postgres_url.rsplit("/", 1)[1]
    checkpoints = f"SELECT count(*) FROM checkpoints WHERE thread_id = '{conversation}'"
    after_first = int(postgres_server.psql(checkpoints, database))
    assert after_first > 0  # the first app's checkpoint is in Postgres, where the second reads it
    with _app_on(postgres_url, tmp_path / "two") as second:
        sign_in(second)
        follow_up = answer_of(ask(second, conversation, "and when will it arrive?"))
        assert follow_up
        assert len(stored(second, conversation)) == 4
    assert int(postgres_server.psql(checkpoints, database)) > after_first  # the same thread, carried on


def test_replicas_started_together_on_a_fresh_postgres_all_come_up(postgres_url: str, tmp_path: Path) -> None:
    """Without the start-up lock, all but one would fail creating the same tables at once."""

    async def start(number: int) -> int:
        settings = fast_settings(tmp_path / str(number)).model_copy(update={"database_url": postgres_url})
        tenants = load_tenants(settings.tenants_dir)
        engine, sessions = await _open_database(settings, tenants, utcnow)
        try:
            return len(await ShopStore(sessions, utcnow, {t.id: t.policy for t in tenants}).catalogue())
        finally:
            await engine.dispose()

    async def together() -> list[int]:
        return await asyncio.gather(*(start(n) for n in range(3)))

    catalogues = asyncio.run(together())
    assert len(set(catalogues)) == 1 and catalogues[0] > 0  # one seed, seen by all three
