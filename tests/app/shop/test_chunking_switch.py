"""The panel's choice of chunking strategy: stored only once swapped in, one build at a time."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from switchboard.agents.embeddings import Embedder
from switchboard.app.shop.chunking_switch import (
    STORED_KEY,
    ChunkingSwitch,
    SwitchBusy,
    SwitchState,
    stored_chunking,
)
from switchboard.app.shop.db import Sessions, make_engine, make_sessions, upgrade_schema
from switchboard.app.shop.knowledge import KnowledgeBase
from switchboard.app.shop.models import Meta
from tests.app.shop.test_knowledge_rechunk import fed


async def database(tmp_path: Path) -> Sessions:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade_schema(engine)
    return make_sessions(engine)


async def test_the_choice_is_stored_once_swapped_in_not_before(tmp_path: Path, embedder: Embedder) -> None:
    sessions, kb = await database(tmp_path), fed(tmp_path, embedder)
    release, real = threading.Event(), kb.rechunk

    def held(*args: object) -> int:
        release.wait(30)
        return real(*args)  # type: ignore[arg-type]

    kb.rechunk = held  # type: ignore[method-assign]
    switch = ChunkingSwitch(kb, sessions, {})
    assert switch.choose("parent") is True
    with pytest.raises(SwitchBusy, match="'parent' is being built"):
        switch.choose("sentence")
    assert await stored_chunking(sessions) is None and switch.state().serving == "heading"
    release.set()
    await switch.settled()
    assert await stored_chunking(sessions) == "parent"
    assert switch.state() == SwitchState("parent", None, None)
    assert switch.choose("parent") is False  # serves already


async def test_an_unknown_stored_strategy_is_ignored_and_an_unknown_choice_refused(
    tmp_path: Path, embedder: Embedder
) -> None:
    sessions = await database(tmp_path)
    async with sessions() as s:
        await s.merge(Meta(key=STORED_KEY, value="paragraph"))  # a strategy a later version dropped
        await s.commit()
    assert await stored_chunking(sessions) is None
    switch = ChunkingSwitch(KnowledgeBase.open(tmp_path / "chroma", "kb", embedder), sessions, {})
    with pytest.raises(ValueError, match="unknown chunking strategy 'paragraph'"):
        switch.choose("paragraph")
