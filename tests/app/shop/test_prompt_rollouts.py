"""Prompt rollouts in the database: a candidate's share, promote, roll back — each audited with
the change, kept across a restart, and what each conversation is served."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from switchboard.agents.prompts import PromptBook, UnknownPrompt
from switchboard.app.shop.audit import Action, Actor, AuditLog, Stamp
from switchboard.app.shop.db import Sessions, make_engine, make_sessions, upgrade_schema
from switchboard.app.shop.prompt_rollouts import PromptRollouts, RolloutError

AT = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
OPERATOR = Actor.of("admin_token", "10.0.0.7", "curl/8.5")
CONVERSATIONS = [f"conv_{i}" for i in range(2000)]


@pytest.fixture(scope="module")
def book() -> PromptBook:
    return PromptBook()


@pytest.fixture
async def sessions(tmp_path: Path) -> Sessions:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'rollouts.db'}")
    await upgrade_schema(engine)
    return make_sessions(engine)


def stamp(sessions: Sessions, action: Action) -> Stamp:
    return AuditLog(sessions, lambda: AT).stamp(OPERATOR, action, "router")


async def test_a_prompt_never_rolled_out_serves_its_shipped_file(sessions: Sessions, book: PromptBook) -> None:
    rollouts = PromptRollouts(sessions, book, lambda: AT)
    assert await rollouts.versions_for("conv_1", canary_on=True) == book.versions()


async def test_a_candidate_is_served_to_its_share_and_only_with_the_canary_on(
    sessions: Sessions, book: PromptBook
) -> None:
    rollouts = PromptRollouts(sessions, book, lambda: AT)
    await rollouts.set_candidate("router", "5-worse", 25, stamp(sessions, "prompts.rollout"))
    served = [(await rollouts.versions_for(c, canary_on=True))["router"] for c in CONVERSATIONS]
    assert 0.21 < served.count("5-worse") / len(served) < 0.29
    off = {(await rollouts.versions_for(c, canary_on=False))["router"] for c in CONVERSATIONS[:200]}
    assert off == {"5"}
    assert (await rollouts.versions_for("conv_1", canary_on=True))["knowledge"] == book.versions()["knowledge"]


async def test_each_change_is_kept_across_a_restart_and_audited_in_its_transaction(
    sessions: Sessions, book: PromptBook
) -> None:
    rollouts = PromptRollouts(sessions, book, lambda: AT)
    await rollouts.set_candidate("router", "5-worse", 20, stamp(sessions, "prompts.rollout"))
    await rollouts.promote("router", stamp(sessions, "prompts.promote"))
    restarted = PromptRollouts(sessions, book, lambda: AT)
    promoted = await restarted.get("router")
    assert (promoted.stable, promoted.candidate, promoted.share) == ("5-worse", None, 0.0)
    await restarted.set_candidate("router", "5", 50, stamp(sessions, "prompts.rollout"))
    await restarted.roll_back("router", stamp(sessions, "prompts.rollback"))
    entries = await AuditLog(sessions, lambda: AT).newest()
    assert [e.action for e in entries] == ["prompts.rollback", "prompts.rollout", "prompts.promote", "prompts.rollout"]
    assert entries[2].before == {"stable": "5", "candidate": "5-worse", "share": 20.0}
    assert entries[2].after == {"stable": "5-worse", "candidate": None, "share": 0.0}
    assert all(e.target == "router" for e in entries)


async def test_refused_changes_name_the_problem_and_change_nothing(sessions: Sessions, book: PromptBook) -> None:
    rollouts = PromptRollouts(sessions, book, lambda: AT)
    with pytest.raises(UnknownPrompt, match="no version '7'"):
        await rollouts.set_candidate("router", "7", 10, stamp(sessions, "prompts.rollout"))
    with pytest.raises(RolloutError, match="0 to 100"):
        await rollouts.set_candidate("router", "5-worse", 101, stamp(sessions, "prompts.rollout"))
    with pytest.raises(RolloutError, match="no candidate"):
        await rollouts.promote("router", stamp(sessions, "prompts.promote"))
    assert await AuditLog(sessions, lambda: AT).newest() == []
    assert (await rollouts.get("router")).candidate is None
